/**
 * The daemon's reads (`bd list`, `bd show`) with the real `bd` on a
 * database inside a git repository: the same beads as bd run the plain way,
 * and one git process per read instead of bd's four (its fork protection
 * runs three more whenever it finds a repository). Skips, saying why, when
 * `deno task real-tools` could not install `bd`.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { Beads } from "../../src/adapters/beads.ts";
import { findRealTools } from "./find_tools.ts";

const { tools, skip } = findRealTools(["bd"]);
const runner = createRunner({ defaultTimeoutMs: 30_000 });

/** A `git` first on PATH that logs each call's argv, then runs the real one. */
async function gitLogger(dir: string): Promise<{ path: string; log: string }> {
  const real = (await runner.run(["sh", "-c", "command -v git"], {})).stdout
    .trim();
  const log = `${dir}/git-calls.log`;
  await Deno.writeTextFile(
    `${dir}/git`,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`,
  );
  await Deno.chmod(`${dir}/git`, 0o755);
  return { path: dir, log };
}

async function lines(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(file).catch(() => "");
  return text.split("\n").filter((l) => l !== "");
}

Deno.test({
  name:
    "real bd: a read of a database inside a git repository runs one git process, not four, and reads the same beads",
  ignore: skip !== null,
  fn: async () => {
    const bd = tools.bd as string;
    const root = await Deno.makeTempDir({ prefix: "gtd-real-reads-" });
    try {
      const repo = `${root}/town`;
      const bin = `${root}/bin`;
      await Deno.mkdir(repo);
      await Deno.mkdir(bin);
      const git = await gitLogger(bin);
      const env = {
        PATH: `${git.path}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        BEADS_NO_DAEMON: "1",
        BD_ACTOR: "test",
      };
      const run = async (argv: string[], cwd: string) => {
        const r = await runner.run(argv, { cwd, env });
        if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
        return r.stdout;
      };
      await run(["git", "init", "-q"], repo);
      await run(
        [bd, "init", "--prefix", "gt", "--quiet"],
        repo,
      );
      const created = JSON.parse(
        await run([
          bd,
          "create",
          "--type=agent",
          "--title",
          "Polecat toast",
          "-d",
          "role_type: polecat",
          "--json",
        ], repo),
      );
      const id = String(created.id);
      await run([bd, "slot", "set", id, "hook", id], repo);
      await Deno.remove(git.log).catch(() => {});

      // The plain way, from the repository: bd's fork protection runs.
      await run([bd, "show", id, "--json"], repo);
      const plain = await lines(git.log);
      await Deno.remove(git.log);

      // The adapter runs `bd` by name; this runner points it at the real one.
      const real: typeof runner = {
        ...runner,
        run: (argv, o) =>
          runner.run(argv[0] === "bd" ? [bd, ...argv.slice(1)] : argv, o),
      };
      const beads = new Beads(real, { town: repo, env });
      const db = `${repo}/.beads`;
      const listed = await beads.listAgents(db);
      const listCalls = await lines(git.log);
      await Deno.remove(git.log);
      const shown = await beads.show(id, db);
      const showCalls = await lines(git.log);

      assert(plain.length >= 4, `plain bd show ran git ${plain.length} times`);
      assertEquals(listCalls.length, 1, listCalls.join("\n"));
      assertEquals(showCalls.length, 1, showCalls.join("\n"));
      assert(listCalls[0]?.startsWith("rev-parse"), listCalls[0]);
      assertEquals(listed.map((b) => b.id), [id]);
      assertEquals(shown?.id, id);
      assertEquals(shown?.hookBead, id);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
