/**
 * `status` reads `daemon.pid` and `state.json` only when they are regular
 * files: a FIFO, a symlink or a directory planted there is reported as a
 * warning naming the file, never followed, read or waited on. And bad flags
 * are usage errors that name the flag.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { mkfifo } from "../adversarial/support.ts";
import { baseEnv, makeTown, runCli } from "../helpers/cli.ts";

Deno.test("status reports a FIFO, a symlink or a directory at daemon.pid and state.json without reading them", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const dir = `${t.town}/daemon`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${t.root}/secret`, "12345");
    const plant: [string, (p: string) => Promise<void>][] = [
      ["a FIFO", mkfifo],
      ["a symlink", (p) => Deno.symlink(`${t.root}/secret`, p)],
      ["a directory", (p) => Deno.mkdir(p)],
    ];
    for (const [kind, make] of plant) {
      for (const f of ["daemon.pid", "state.json"]) {
        await Deno.remove(`${dir}/${f}`).catch(() => {});
      }
      await make(`${dir}/daemon.pid`);
      await make(`${dir}/state.json`);
      // A FIFO would block an open until a writer came: this must return.
      const r = await runCli(["status", "--json"], {
        cwd: t.town,
        env,
        timeoutMs: 30_000,
      });
      assertEquals(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assertEquals(s.running, false);
      assertEquals(s.warnings, [
        `Cannot read PID file "${dir}/daemon.pid": Not a regular file: "${dir}/daemon.pid" is ${kind}`,
        `State file unreadable: Not a regular file: "${dir}/state.json" is ${kind}`,
      ]);
      assert(!r.stdout.includes("12345"), r.stdout);
      const text = await runCli(["status"], { cwd: t.town, env });
      assertEquals(text.code, 0, text.stderr);
      assert(
        text.stdout.startsWith("○ Daemon is not running\n"),
        text.stdout,
      );
    }
  } finally {
    await t.close();
  }
});

Deno.test("status refuses an unknown flag, a missing value and a stray argument by name (exit 2)", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const cases: [string[], string][] = [
      [
        ["--nope"],
        'Error: Invalid arguments for "status": Unknown option "--nope"\n',
      ],
      [
        ["--town"],
        'Error: Invalid arguments for "status": Option "--town" needs a value\n',
      ],
      [
        ["--json=1"],
        'Error: Invalid arguments for "status": Option "--json" takes no value\n',
      ],
      [
        ["extra"],
        'Error: Invalid arguments for "status": Unexpected argument "extra": this command takes options only\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(["status", ...args], { cwd: t.town, env });
      assertEquals(
        [r.code, r.stderr, r.stdout],
        [2, stderr, ""],
        args.join(" "),
      );
    }
    const ok = await runCli(["status", `--town=${t.town}`, "--json"], {
      cwd: t.root,
      env,
    });
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(JSON.parse(ok.stdout).town, t.town);
  } finally {
    await t.close();
  }
});
