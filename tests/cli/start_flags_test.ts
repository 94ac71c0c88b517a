import { assert, assertEquals } from "../helpers/assert.ts";
import {
  baseEnv,
  makeTown,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";
import { parseRunArgs } from "../../src/cli/run.ts";
import { parseStartArgs } from "../../src/cli/start.ts";
import { RUN_FLAGS, runFlagArgv } from "../../src/cli/run_flags.ts";

const EVERY_RUN_FLAG = [
  "--town",
  "/tmp/t",
  "--interval",
  "2s",
  "--log-max-bytes",
  "1500",
  "--log-keep",
  "1",
  "--heartbeat-deadline",
  "90s",
  "--min-uptime",
  "2s",
  "--allow-unsupported-deno",
];

Deno.test("parseStartArgs() accepts every flag parseRunArgs() accepts, and runFlagArgv() passes them on", () => {
  // The list above names every run flag.
  assertEquals(
    Object.keys(RUN_FLAGS).map((k) => `--${k}`).sort(),
    EVERY_RUN_FLAG.filter((a) => a.startsWith("--")).sort(),
  );
  const run = parseRunArgs(EVERY_RUN_FLAG);
  const start = parseStartArgs([...EVERY_RUN_FLAG, "--quiet", "--wait", "3"]);
  assertEquals(start, { ...run, quiet: true, waitMs: 3_000 });
  // What start hands to run means the same to run (start passes the town,
  // the interval and the runtime override itself).
  const { town: _t, interval: _i, allowUnsupportedDeno: _a, ...rest } = run;
  assertEquals(parseRunArgs(runFlagArgv(run)), rest);
});

Deno.test("start passes --log-max-bytes, --log-keep and --min-uptime to the daemon; bad values are usage errors", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    for (
      const bad of [
        ["--log-keep", "x"],
        ["--log-max-bytes", "-1"],
        ["--min-uptime", "soon"],
      ]
    ) {
      const r = await runCli(["start", ...bad], { cwd: t.town, env });
      assertEquals(r.code, 2, `${bad.join(" ")}: ${r.stderr}`);
      assert(r.stderr.startsWith("Error: "), r.stderr);
    }
    assertEquals(await readPid(t.town), null);
    const r = await runCli([
      "start",
      "--interval",
      "100ms",
      "--log-max-bytes",
      "1500",
      "--log-keep",
      "1",
      "--min-uptime",
      "2s",
    ], { cwd: t.town, env });
    assertEquals(r.code, 0, r.stderr);
    const pid = (await readPid(t.town))!;
    const cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`))
      .split("\0");
    const after = (flag: string) => cmdline[cmdline.indexOf(flag) + 1];
    assertEquals(after("--log-max-bytes"), "1500");
    assertEquals(after("--log-keep"), "1");
    assertEquals(after("--min-uptime"), "2000ms");
    // 40 heartbeats write well over three times 1,500 bytes: the log was
    // rotated several times, and only one rotated file is kept.
    assert(
      await waitFor(
        async () =>
          Number((await readState(t.town))?.heartbeat_count ?? 0) >= 40,
        90_000,
      ),
    );
    const names = [...Deno.readDirSync(`${t.town}/daemon`)].map((e) => e.name)
      .filter((n) => n.startsWith("daemon.log")).sort();
    assertEquals(names, ["daemon.log", "daemon.log.1"]);
    assert(Deno.statSync(`${t.town}/daemon/daemon.log`).size <= 1500);
    assertEquals((await runCli(["stop"], { cwd: t.town, env })).code, 0);
  } finally {
    await t.close();
  }
});
