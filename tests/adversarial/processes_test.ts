/**
 * Killed processes: `kill -9` of the daemon in the middle of heartbeats, of
 * `start` between spawning the daemon and seeing it ready, and of the tmux
 * server under the daemon; and PID reuse, where the PID file names another
 * live process (here: another town's daemon).
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  alive,
  baseEnv,
  daemonPids,
  MAIN,
  makeTown,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { count } from "./support.ts";
import { owners, spawnDaemon } from "./procs.ts";

/** A state.json big enough that writing it takes a while: 3,000 backoff entries. */
function bigState(): string {
  const backoff: Record<string, unknown> = {};
  const now = Date.now();
  for (let i = 0; i < 3000; i++) {
    backoff[`rig${i}/polecats/p${i}`] = {
      restarts: 1,
      nextAllowedMs: now + 1000,
      crashLoop: false,
      lastRestartMs: now,
    };
  }
  return JSON.stringify({ running: false, pid: 0, backoff }, null, 2);
}

Deno.test("kill -9 of the daemon at random moments mid-heartbeat never leaves a half-written state.json", async () => {
  const h = await Harness.create();
  const state = `${h.town}/daemon/state.json`;
  try {
    await Deno.mkdir(`${h.town}/daemon`, { recursive: true });
    await Deno.writeTextFile(state, bigState());
    let reads = 0;
    for (let round = 0; round < 6; round++) {
      // Back-to-back heartbeats, each rewriting the whole state file.
      const d = spawnDaemon(h, { interval: "10ms" });
      try {
        const before = (await readState(h.town))?.heartbeat_count ?? 0;
        assert(
          await waitFor(async () => {
            const s = await readState(h.town);
            return s !== null && s.pid === d.pid &&
              (s.heartbeat_count as number) >= 1;
          }, 15_000),
          `round ${round}: no heartbeat (count was ${before})`,
        );
        // Read the file continuously while the daemon rewrites it, then
        // kill it at a random moment during that.
        const until = performance.now() + 50 + Math.random() * 300;
        while (performance.now() < until) {
          const text = await Deno.readTextFile(state);
          JSON.parse(text);
          reads++;
        }
        d.signal("SIGKILL");
        const out = await d.exited;
        assertEquals(out.signal, "SIGKILL");
        const text = await Deno.readTextFile(state);
        const parsed = JSON.parse(text);
        assertEquals(parsed.pid, d.pid);
        assertEquals(parsed.running, true);
        assertEquals(Object.keys(parsed.backoff).length, 3000);
        assertEquals(owners(`${h.town}/daemon/daemon.lock`), []);
      } finally {
        await d.close();
      }
    }
    assert(reads >= 6, `only ${reads} reads`);
    // The next daemon takes over without a complaint about the state.
    const d = spawnDaemon(h, { interval: "10ms" });
    try {
      assert(
        await waitFor(async () => (await readPid(h.town)) === d.pid),
      );
      assert(
        await waitFor(async () =>
          count(await h.log(), "Heartbeat complete") > 0
        ),
      );
      assertEquals(count(await h.log(), "replacing unreadable state file"), 0);
      d.signal("SIGTERM");
      assertEquals((await d.exited).code, 0);
    } finally {
      await d.close();
    }
  } finally {
    await h.close();
  }
});

Deno.test("kill -9 of start between spawning the daemon and its readiness leaves one healthy daemon", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const start = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", MAIN, "start", "--town", t.town],
      cwd: t.town,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let daemon = 0;
    let pidAtKill: number | null = 0;
    try {
      assert(
        await waitFor(() => {
          daemon = daemonPids(t.town)[0] ?? 0;
          return daemon !== 0;
        }, 15_000),
        "start never spawned a daemon",
      );
    } finally {
      start.kill("SIGKILL");
      pidAtKill = await readPid(t.town);
      await start.status;
    }
    // start died before the daemon had written its PID file.
    assertEquals(pidAtKill, null);
    // The daemon runs on its own; it was not ready when start died.
    assert(alive(daemon));
    assert(
      await waitFor(async () =>
        (await readPid(t.town)) === daemon &&
        owners(`${t.town}/daemon/daemon.lock`).includes(daemon)
      ),
    );
    const again = await runCli(["start"], { cwd: t.town, env });
    assertEquals(again.code, 0, again.stderr);
    assertEquals(again.stdout, `● Daemon already running (PID ${daemon})\n`);
    assertEquals(daemonPids(t.town), [daemon]);
    const stop = await runCli(["stop"], { cwd: t.town, env });
    assertEquals(stop.stdout, `✓ Daemon stopped (was PID ${daemon})\n`);
    assert(await waitFor(() => daemonPids(t.town).length === 0));
  } finally {
    await t.close();
  }
});

Deno.test("kill -9 of the tmux server under the daemon: the daemon stays up and brings the agents back", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    const d = spawnDaemon(h, { interval: "200ms" });
    try {
      const healthy = async () => {
        const s = await h.sessions();
        return ["gt-alpha-witness", "gt-alpha-refinery"].every((n) =>
          s.get(n)?.commands.includes("claude")
        );
      };
      assert(await waitFor(healthy, 20_000), await h.log());
      const server = Number(await h.tmux(["display-message", "-p", "#{pid}"]));
      const skip = (await h.log()).length;
      Deno.kill(server, "SIGKILL");
      assert(await waitFor(() => !alive(server)));
      assert(await waitFor(healthy, 20_000), await h.log());
      const after = Number(await h.tmux(["display-message", "-p", "#{pid}"]));
      assert(after !== server);
      const log = (await h.log()).slice(skip);
      assertMatch(log, /Witness for alpha .*starting\.\.\./);
      assert(alive(d.pid));
      d.signal("SIGTERM");
      assertEquals((await d.exited).code, 0);
    } finally {
      await d.close();
    }
  } finally {
    await h.close();
  }
});

Deno.test("a PID file naming another town's daemon: status, stop and start act on this town only", async () => {
  const a = await makeTown();
  const b = await makeTown();
  try {
    const envA = baseEnv(a.root);
    const envB = baseEnv(b.root);
    assertEquals((await runCli(["start"], { cwd: b.town, env: envB })).code, 0);
    const other = (await readPid(b.town))!;
    await Deno.mkdir(`${a.town}/daemon`, { recursive: true });
    await Deno.writeTextFile(`${a.town}/daemon/daemon.pid`, String(other));
    const status = await runCli(["status", "--json"], {
      cwd: a.town,
      env: envA,
    });
    assertEquals(JSON.parse(status.stdout).running, false);
    const stop = await runCli(["stop"], { cwd: a.town, env: envA });
    assertEquals([stop.code, stop.stdout], [0, "○ Daemon is not running\n"]);
    assert(alive(other), "stop in town A signalled town B's daemon");
    const start = await runCli(["start"], { cwd: a.town, env: envA });
    assertEquals(start.code, 0, start.stderr);
    const mine = (await readPid(a.town))!;
    assert(mine !== other);
    assertEquals(start.stdout, `✓ Daemon started (PID ${mine})\n`);
    // Town A's daemon now overwrites its PID file; stopping it spares B.
    assertEquals(
      (await runCli(["stop"], { cwd: a.town, env: envA })).stdout,
      `✓ Daemon stopped (was PID ${mine})\n`,
    );
    assert(alive(other));
    assertEquals((await readState(b.town))?.pid, other);
  } finally {
    await a.close();
    await b.close();
  }
});
