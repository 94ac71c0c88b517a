/**
 * `status` latency next to the cost of starting Deno at all: `deno run -A
 * main.ts status --town …` against a running daemon, and `deno run -A` of an
 * empty script, interleaved, each timed from spawn to exit through the same
 * runner. One warm-up run of each is not counted (module cache).
 *
 * @module
 */

import { denoRun, REPO, runner, statusArgv } from "./proc.ts";
import type { StatusResult } from "./results.ts";
import { median, percentile, summarize } from "./stats.ts";
import { createTown, startDaemon } from "./town.ts";

/** Options for {@link benchStatus}. */
export interface StatusOptions {
  runs: number;
  progress: (line: string) => void;
}

/** Measures `status` and the empty script. */
export async function benchStatus(o: StatusOptions): Promise<StatusResult> {
  const t = await createTown({ rigs: 0, polecatsPerRig: 0, quiet: true });
  try {
    await startDaemon(t, "3m");
    const empty = `${t.root}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    const status = statusArgv(t.town);
    const bare = denoRun(empty);
    const time = async (argv: string[]) => {
      const r = await runner.run(argv, {
        cwd: REPO,
        env: t.env,
        timeoutMs: 60_000,
      });
      if (r.code !== 0) {
        throw new Error(
          `${argv.slice(3).join(" ")} exited ${r.code}: ${r.stderr}`,
        );
      }
      return r.ms;
    };
    await time(status);
    await time(bare);
    const s: number[] = [];
    const e: number[] = [];
    o.progress(`status: ${o.runs} runs of each`);
    for (let i = 0; i < o.runs; i++) {
      // Alternate the order so neither always runs second.
      if (i % 2 === 0) {
        s.push(await time(status));
        e.push(await time(bare));
      } else {
        e.push(await time(bare));
        s.push(await time(status));
      }
    }
    return {
      runs: o.runs,
      statusMs: summarize(s),
      emptyMs: summarize(e),
      ratioMedian: median(s) / median(e),
      ratioP95: percentile(s, 95) / percentile(e, 95),
    };
  } finally {
    await t.close();
  }
}
