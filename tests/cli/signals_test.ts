import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  alive,
  baseEnv,
  lockHolders,
  makeTown,
  readLog,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";

Deno.test("SIGTERM during a heartbeat whose bd hangs ends the daemon without waiting for bd, cleanly", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    await Deno.mkdir(`${t.root}/fake/mode`, { recursive: true });
    await Deno.writeTextFile(`${t.root}/fake/mode/bd`, "hang");
    const start = await runCli(["start", "--interval", "1s"], {
      cwd: t.town,
      env,
    });
    assertEquals(start.code, 0, start.stderr);
    const pid = (await readPid(t.town))!;
    // Wait until the hung bd is in flight.
    assert(
      await waitFor(async () => {
        try {
          return (await Deno.readTextFile(`${t.root}/fake/calls.jsonl`))
            .includes('"list"');
        } catch {
          return false;
        }
      }, 15_000),
    );
    Deno.kill(pid, "SIGTERM");
    // The hung bd would end the heartbeat only at its 10 s timeout: the
    // daemon is gone well before, and nothing timed out.
    assert(
      await waitFor(() => !alive(pid), 9_000),
      "daemon still alive 9 s after SIGTERM",
    );
    assertEquals(await readPid(t.town), null);
    assertEquals(lockHolders(`${t.town}/daemon/daemon.lock`), []);
    assertEquals((await readState(t.town))?.running, false);
    const log = await readLog(t.town);
    assertStringIncludes(log, "Received signal terminated, shutting down");
    assert(log.trimEnd().endsWith("Daemon stopped"), log.slice(-300));
    assert(
      !log.includes("Command aborted"),
      "an aborted call must not be reported as an error",
    );
    assert(!log.includes("timed out"), log.slice(-500));
  } finally {
    await t.close();
  }
});

Deno.test("SIGHUP runs a heartbeat and does not kill the daemon; SIGINT stops it gracefully", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    assertEquals(
      (await runCli(["start", "--interval", "10m"], { cwd: t.town, env })).code,
      0,
    );
    const pid = (await readPid(t.town))!;
    assert(
      await waitFor(async () =>
        (await readLog(t.town)).includes("Heartbeat complete (#1)")
      ),
    );
    Deno.kill(pid, "SIGHUP");
    assert(
      await waitFor(async () =>
        (await readLog(t.town)).includes("Heartbeat complete (#2)")
      ),
    );
    assert(alive(pid));
    assertStringIncludes(
      await readLog(t.town),
      "Received signal hangup, running a heartbeat now",
    );
    Deno.kill(pid, "SIGINT");
    assert(await waitFor(() => !alive(pid), 10_000));
    const log = await readLog(t.town);
    assertStringIncludes(log, "Received signal interrupt, shutting down");
    assert(log.trimEnd().endsWith("Daemon stopped"));
    const state = await readState(t.town);
    assertEquals([state?.running, state?.pid, state?.heartbeat_count], [
      false,
      pid,
      2,
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("logs -f follows the daemon log across rotations, line for line with the log files", async () => {
  const t = await makeTown();
  try {
    // Small files, all kept: the followed output can be checked against them.
    const env = baseEnv(t.root, {
      GT_DAEMON_LOG_MAX_BYTES: "2000",
      GT_DAEMON_LOG_KEEP: "1000",
    });
    assertEquals(
      (await runCli(["start", "--interval", "100ms"], { cwd: t.town, env }))
        .code,
      0,
    );
    assert(
      await waitFor(async () =>
        (await readLog(t.town)).includes("Heartbeat complete (#1)")
      ),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--quiet",
        `${Deno.cwd()}/main.ts`,
        "logs",
        "-f",
        "-n",
        "1",
      ],
      cwd: t.town,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let seen = "";
    const reader = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of child.stdout) seen += dec.decode(chunk);
    })();
    const rotated = async (n: number) => {
      try {
        await Deno.stat(`${t.town}/daemon/daemon.log.${n}`);
        return true;
      } catch {
        return false;
      }
    };
    try {
      // A rotation every ~10 heartbeats: wait for three of them, then stop
      // the daemon and let the follower read its last line.
      assert(await waitFor(() => rotated(3), 60_000));
      assertEquals((await runCli(["stop"], { cwd: t.town, env })).code, 0);
      assert(
        await waitFor(() => seen.includes("Daemon stopped\n"), 10_000),
        seen.slice(-500),
      );
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await reader;
    }
    let files = "";
    for (let n = 1000; n >= 1; n--) {
      if (await rotated(n)) {
        files += await Deno.readTextFile(`${t.town}/daemon/daemon.log.${n}`);
      }
    }
    files += await readLog(t.town);
    const fileLines = files.split("\n").filter((l) => l);
    const followed = seen.split("\n").filter((l) => l);
    // Lines repeat within a second: line the two up on their last line.
    const end = fileLines.findLastIndex((l) => l.endsWith(" Daemon stopped"));
    assert(end >= 0 && followed.at(-1)!.endsWith(" Daemon stopped"));
    assertEquals(
      followed,
      fileLines.slice(end + 1 - followed.length, end + 1),
    );
    assert(followed.length > 30, `${followed.length} lines followed`);
  } finally {
    await t.close();
  }
});
