/**
 * `status` side by side: `gt daemon status` against a running reference
 * daemon, `main.ts status` against a running daemon of this project (each
 * on a quiet real town of its own, since the two exclude each other on one
 * town), and `deno run -A` of an empty script. Interleaved, the order
 * rotating each round, each timed from spawn to exit; one warm-up each.
 *
 * @module
 */

import { startGoDaemon, stopGoDaemon } from "./daemons.ts";
import { denoRun, REPO, runner, statusArgv } from "./proc.ts";
import { createRealTown, type RealTools } from "./real_town.ts";
import { median, summarize, type Summary } from "./stats.ts";
import { startDaemon } from "./town.ts";

/** The status comparison. */
export interface VsGoStatus {
  runs: number;
  goMs: Summary;
  oursMs: Summary;
  emptyMs: Summary;
  /** A script that only imports the Node built-ins `status` loads. */
  nodeBuiltinsMs: Summary;
  /** Medians: this daemon's status over the empty script, and over the reference's. */
  oursOverEmpty: number;
  oursOverGo: number;
}

/** Measures the three commands. */
export async function benchVsGoStatus(o: {
  runs: number;
  tools: RealTools;
  progress: (line: string) => void;
}): Promise<VsGoStatus> {
  const goTown = await createRealTown({ rigs: 0, polecatsPerRig: 0, ...o });
  const ours = await createRealTown({ rigs: 0, polecatsPerRig: 0, ...o });
  try {
    await startGoDaemon(goTown);
    await startDaemon(ours, "3m");
    const empty = `${ours.root}/empty.ts`;
    await Deno.writeTextFile(empty, "");
    const builtins = `${ours.root}/builtins.ts`;
    await Deno.writeTextFile(
      builtins,
      'import "node:util";\nimport "node:path";\nimport "node:fs/promises";\n',
    );
    const cmds: { argv: string[]; cwd: string; env: Record<string, string> }[] =
      [
        { argv: ["gt", "daemon", "status"], cwd: goTown.town, env: goTown.env },
        { argv: statusArgv(ours.town), cwd: REPO, env: ours.env },
        { argv: denoRun(empty), cwd: REPO, env: ours.env },
        { argv: denoRun(builtins), cwd: REPO, env: ours.env },
      ];
    const time = async (i: number) => {
      const c = cmds[i]!;
      const r = await runner.run(c.argv, {
        cwd: c.cwd,
        env: c.env,
        timeoutMs: 60_000,
      });
      if (r.code !== 0) {
        throw new Error(
          `${c.argv.slice(-3).join(" ")} exited ${r.code}: ${r.stderr.trim()}`,
        );
      }
      return r.ms;
    };
    const n = cmds.length;
    for (let i = 0; i < n; i++) await time(i);
    const ms: number[][] = cmds.map(() => []);
    o.progress(`vs-go status: ${o.runs} runs of each`);
    for (let round = 0; round < o.runs; round++) {
      for (let j = 0; j < n; j++) {
        const i = (round + j) % n;
        ms[i]!.push(await time(i));
      }
    }
    await stopGoDaemon(goTown);
    return {
      runs: o.runs,
      goMs: summarize(ms[0]!),
      oursMs: summarize(ms[1]!),
      emptyMs: summarize(ms[2]!),
      nodeBuiltinsMs: summarize(ms[3]!),
      oursOverEmpty: median(ms[1]!) / median(ms[2]!),
      oursOverGo: median(ms[1]!) / median(ms[0]!),
    };
  } finally {
    await stopGoDaemon(goTown);
    await goTown.close();
    await ours.close();
  }
}
