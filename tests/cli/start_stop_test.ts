import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  alive,
  baseEnv,
  concurrentStarts,
  daemonPids,
  lockHolders,
  makeTown,
  readLog,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";

Deno.test("start, status, logs and stop work from a subdirectory of the town", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const cwd = `${t.town}/deacon`;
    const start = await runCli(["start", "--interval", "500ms"], { cwd, env });
    assertEquals(start.code, 0, start.stderr);
    const m = start.stdout.match(/^✓ Daemon started \(PID (\d+)\)\n$/);
    assert(m, `unexpected output: ${start.stdout}`);
    const pid = Number(m[1]);
    assertEquals(
      await Deno.readTextFile(`${t.town}/daemon/daemon.pid`),
      String(pid),
    );
    assertEquals(
      Deno.realPathSync(`/proc/${pid}/cwd`),
      Deno.realPathSync(t.town),
    );
    assertEquals(lockHolders(`${t.town}/daemon/daemon.lock`), [pid]);
    assert(
      await waitFor(async () =>
        ((await readState(t.town))?.heartbeat_count as number) >= 1
      ),
    );
    assertEquals(
      (await Deno.stat(`${t.town}/daemon/daemon.log`)).mode! & 0o777,
      0o600,
    );

    const status = await runCli(["status"], { cwd, env });
    assertEquals(status.code, 0);
    assertStringIncludes(status.stdout, `● Daemon is running (PID ${pid})\n`);
    assertMatch(
      status.stdout,
      /\n {2}Started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n/,
    );
    assertMatch(
      status.stdout,
      /\n {2}Last heartbeat: \d\d:\d\d:\d\d \(#\d+\)\n/,
    );
    assertMatch(status.stdout, /\n {2}Binary: /);

    const json = await runCli(["status", "--json"], { cwd, env });
    const s = JSON.parse(json.stdout);
    assertEquals(s.running, true);
    assertEquals(s.pid, pid);
    assertEquals(s.town, t.town);
    assertEquals(s.interval_ms, 500);
    assert(s.heartbeat_count >= 1);
    assert(Date.parse(s.last_heartbeat) >= Date.parse(s.started_at));
    assertEquals(typeof s.version, "string");

    const logs = await runCli(["logs", "-n", "100"], { cwd, env });
    assertEquals(logs.code, 0);
    assertStringIncludes(logs.stdout, `Daemon starting (PID ${pid})`);
    assertStringIncludes(
      logs.stdout,
      "Daemon running, recovery heartbeat interval 500ms",
    );
    assertStringIncludes(logs.stdout, "Heartbeat complete (#1)");
    assertMatch(
      logs.stdout,
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Daemon starting/,
    );

    const stop = await runCli(["stop"], { cwd, env });
    assertEquals(stop.code, 0, stop.stderr);
    assertEquals(stop.stdout, `✓ Daemon stopped (was PID ${pid})\n`);
    assert(await waitFor(() => !alive(pid), 1_000));
    assertEquals(await readPid(t.town), null);
    assertEquals(lockHolders(`${t.town}/daemon/daemon.lock`), []);
    await Deno.stat(`${t.town}/daemon/daemon.lock`);
    const state = await readState(t.town);
    assertEquals(state?.running, false);
    assertEquals(state?.pid, pid);
    const log = await readLog(t.town);
    const tail = log.trim().split("\n").slice(-4).map((l) => l.slice(20));
    assertEquals(tail, [
      "Received signal terminated, shutting down",
      "Daemon shutting down",
      "Feed curator stopped",
      "Daemon stopped",
    ]);

    const after = await runCli(["status"], { cwd, env });
    assertEquals(
      after.stdout,
      "○ Daemon is not running\n\nStart with: gt-daemon start\n",
    );
  } finally {
    await t.close();
  }
});

Deno.test("start reports an already running daemon with exit 0, and run refuses at once", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const first = await runCli(["start"], { cwd: t.town, env });
    assertEquals(first.code, 0, first.stderr);
    const pid = (await readPid(t.town))!;
    const again = await runCli(["start"], { cwd: t.town, env });
    assertEquals(again.code, 0);
    assertEquals(again.stdout, `● Daemon already running (PID ${pid})\n`);
    const quiet = await runCli(["start", "--quiet"], { cwd: t.town, env });
    assertEquals([quiet.code, quiet.stdout], [0, ""]);
    // "At once": it does not wait for the lock, which the holder keeps for
    // as long as it lives (still alive below). Waiting would run into
    // runCli's deadline, which kills it, and the exit status would not be 1.
    const run = await runCli(["run"], { cwd: t.town, env });
    assertEquals(run.code, 1);
    // The loser names the holder: its PID and command line.
    assertStringIncludes(
      run.stderr,
      `daemon already running (lock held by PID ${pid}: `,
    );
    assertStringIncludes(run.stderr, ` run --town ${t.town} `);
    assert(alive(pid));
    assertEquals(await readPid(t.town), pid);
    assertEquals((await readState(t.town))?.pid, pid);
  } finally {
    await t.close();
  }
});

Deno.test("30 concurrent starts leave exactly one daemon and all exit 0", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const pid = await concurrentStarts(t.town, env, 30);
    // Losers exit on their own; only the winner remains.
    assert(
      await waitFor(() => daemonPids(t.town).length === 1, 10_000),
      `daemons: ${daemonPids(t.town)}`,
    );
    assertEquals(daemonPids(t.town), [pid]);
    assertEquals(lockHolders(`${t.town}/daemon/daemon.lock`), [pid]);
    const log = await readLog(t.town);
    assertEquals(log.split("Daemon running, recovery heartbeat").length - 1, 1);
    const stop = await runCli(["stop"], { cwd: t.town, env });
    assertEquals(stop.code, 0);
    assert(await waitFor(() => daemonPids(t.town).length === 0, 5_000));
  } finally {
    await t.close();
  }
});

Deno.test("start succeeds at once after kill -9 of the daemon", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    assertEquals((await runCli(["start"], { cwd: t.town, env })).code, 0);
    const pid = (await readPid(t.town))!;
    Deno.kill(pid, "SIGKILL");
    assert(await waitFor(() => !alive(pid)));
    const status = await runCli(["status"], { cwd: t.town, env });
    assertStringIncludes(status.stdout, "○ Daemon is not running");
    const again = await runCli(["start"], { cwd: t.town, env });
    assertEquals(again.code, 0, again.stderr);
    const pid2 = (await readPid(t.town))!;
    assert(pid2 !== pid);
    assertEquals(again.stdout, `✓ Daemon started (PID ${pid2})\n`);
  } finally {
    await t.close();
  }
});

Deno.test("a PID file with garbage or a foreign live PID never makes status lie or start refuse", async (t) => {
  const town = await makeTown();
  const sleeper = new Deno.Command("sleep", {
    args: ["60"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  try {
    const env = baseEnv(town.root);
    await Deno.mkdir(`${town.town}/daemon`, { recursive: true });
    for (
      const [name, content] of [["garbage", "garbage"], [
        "foreign live PID",
        String(sleeper.pid),
      ], [
        "newline",
        "999999\n",
      ]]
    ) {
      await t.step(
        `status and start when the PID file holds ${name}`,
        async () => {
          await Deno.writeTextFile(`${town.town}/daemon/daemon.pid`, content!);
          const status = await runCli(["status"], { cwd: town.town, env });
          assertEquals(status.code, 0);
          assertStringIncludes(status.stdout, "○ Daemon is not running");
          const start = await runCli(["start"], { cwd: town.town, env });
          assertEquals(start.code, 0, start.stderr);
          const pid = (await readPid(town.town))!;
          assertEquals(start.stdout, `✓ Daemon started (PID ${pid})\n`);
          assert(pid !== sleeper.pid);
          // A running daemon whose PID file was overwritten is still reported.
          await Deno.writeTextFile(
            `${town.town}/daemon/daemon.pid`,
            String(sleeper.pid),
          );
          const s2 = await runCli(["status", "--json"], {
            cwd: town.town,
            env,
          });
          assertEquals(JSON.parse(s2.stdout).running, true);
          assertEquals(JSON.parse(s2.stdout).pid, pid);
          const stop = await runCli(["stop"], { cwd: town.town, env });
          assertEquals(stop.code, 0, stop.stderr);
          assertEquals(stop.stdout, `✓ Daemon stopped (was PID ${pid})\n`);
          assert(
            alive(sleeper.pid),
            "stop must not signal the foreign process",
          );
          await Deno.remove(`${town.town}/daemon/daemon.pid`).catch(() => {});
        },
      );
    }
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
    await town.close();
  }
});

Deno.test("two towns run two independent daemons", async () => {
  const a = await makeTown();
  const b = await makeTown();
  try {
    const ra = await runCli(["start"], { cwd: a.town, env: baseEnv(a.root) });
    const rb = await runCli(["start"], { cwd: b.town, env: baseEnv(b.root) });
    assertEquals([ra.code, rb.code], [0, 0]);
    const pa = (await readPid(a.town))!;
    const pb = (await readPid(b.town))!;
    assert(pa !== pb && alive(pa) && alive(pb));
    assertEquals(
      (await runCli(["stop"], { cwd: a.town, env: baseEnv(a.root) })).code,
      0,
    );
    assert(await waitFor(() => !alive(pa)));
    assert(alive(pb));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("corrupt state.json or daemon.pid: clear message, daemon still starts", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    await Deno.mkdir(`${t.town}/daemon`, { recursive: true });
    await Deno.writeTextFile(`${t.town}/daemon/state.json`, '{"running": tru');
    await Deno.writeTextFile(
      `${t.town}/daemon/daemon.pid`,
      "\u0000\u0001 not a pid",
    );
    const status = await runCli(["status"], { cwd: t.town, env });
    assertEquals(status.code, 0);
    assertStringIncludes(status.stdout, "○ Daemon is not running");
    const start = await runCli(["start"], { cwd: t.town, env });
    assertEquals(start.code, 0, start.stderr);
    assert(
      await waitFor(async () =>
        (await readLog(t.town)).includes("Heartbeat complete (#1)")
      ),
    );
    assertStringIncludes(
      await readLog(t.town),
      "Warning: replacing unreadable state file: State file is not valid JSON",
    );
    assertEquals((await readState(t.town))?.running, true);
  } finally {
    await t.close();
  }
});

Deno.test("stop when nothing runs says so and exits 0, removing a stale PID file", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    await Deno.mkdir(`${t.town}/daemon`, { recursive: true });
    await Deno.writeTextFile(`${t.town}/daemon/daemon.pid`, "4194303");
    const stop = await runCli(["stop"], { cwd: t.town, env });
    assertEquals([stop.code, stop.stdout], [0, "○ Daemon is not running\n"]);
    assertEquals(await readPid(t.town), null);
  } finally {
    await t.close();
  }
});

Deno.test("stop escalates to SIGKILL when the daemon cannot act on SIGTERM", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    assertEquals((await runCli(["start"], { cwd: t.town, env })).code, 0);
    const pid = (await readPid(t.town))!;
    Deno.kill(pid, "SIGSTOP");
    const started = performance.now();
    const stop = await runCli(["stop", "--timeout", "0.5"], {
      cwd: t.town,
      env,
    });
    // A lower bound, the contract: SIGKILL only after the 0.5 s grace.
    const took = performance.now() - started;
    assertEquals(stop.code, 0, stop.stderr);
    assertStringIncludes(stop.stdout, `✓ Daemon stopped (was PID ${pid})`);
    assertStringIncludes(stop.stdout, "was killed");
    assert(took >= 500, `took ${took} ms`);
    assert(await waitFor(() => !alive(pid), 2_000));
    assertEquals(await readPid(t.town), null);
    assertEquals((await runCli(["start"], { cwd: t.town, env })).code, 0);
  } finally {
    await t.close();
  }
});
