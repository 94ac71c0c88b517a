/**
 * The Go daemon (`gt daemon`, the reference) and gt-daemon on one town: one
 * daemon per town whoever starts it, each one's status right about the
 * other, each one's stop ending the other cleanly. The Go daemon starts its
 * agents on the town's private tmux server with the stub agent; every
 * process either daemon starts is ended by PID (RealTown.close).
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  alive,
  daemonPids,
  lockHolders,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";
import { realTools, RealTown, RIG, WORKER } from "./real_town.ts";

const tools = realTools();

function lockOf(t: RealTown): number[] {
  return lockHolders(`${t.town}/daemon/daemon.lock`);
}

async function heartbeatDone(t: RealTown): Promise<boolean> {
  return Number((await readState(t.town))?.heartbeat_count ?? 0) >= 1;
}

/** Go prints local times; the town runs with TZ=UTC. */
function goLocal(iso: unknown): string {
  return String(iso).slice(0, 19).replace("T", " ");
}

Deno.test({
  name: "gt daemon loses to a running gt-daemon, reports it and stops it",
  ignore: !tools,
  fn: async () => {
    const t = await RealTown.create(tools!, { rig: false });
    try {
      const start = await runCli(["start", "--interval", "1s"], {
        cwd: t.town,
        env: t.env,
      });
      assertEquals(start.code, 0, start.stderr);
      const pid = (await readPid(t.town))!;
      assert(await waitFor(() => heartbeatDone(t), 20_000));

      const goStart = await t.run(["gt", "daemon", "start"]);
      assertEquals(goStart.code, 1, goStart.stdout);
      assertStringStarts(
        goStart.stderr,
        `Error: daemon already running (PID ${pid})\n`,
      );
      assertEquals(t.goDaemonPids(), []);
      assertEquals(lockOf(t), [pid]);

      const state = (await readState(t.town))!;
      const goStatus = await t.run(["gt", "daemon", "status"]);
      assertEquals(goStatus.code, 0, goStatus.stderr);
      assertMatch(
        goStatus.stdout,
        new RegExp(
          `^● Daemon is running \\(PID ${pid}\\)\n  Started: ${
            goLocal(state.started_at)
          }\n  Last heartbeat: \\d\\d:\\d\\d:\\d\\d \\(#\\d+\\)\n`,
        ),
      );

      const goStop = await t.run(["gt", "daemon", "stop"]);
      assertEquals(goStop.code, 0, goStop.stderr);
      assertEquals(goStop.stdout, `✓ Daemon stopped (was PID ${pid})\n`);
      assert(await waitFor(() => !alive(pid), 5_000));
      // Stopped cleanly (SIGTERM, not the SIGKILL the Go stop sends after
      // 500 ms): the final state and log lines are written.
      assertEquals((await readState(t.town))?.running, false);
      assertMatch(await t.log(), /Daemon stopped\n$/);
      assertEquals(lockOf(t), []);
      assertEquals(await readPid(t.town), null);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "gt-daemon loses to a running gt daemon, reports it and stops it",
  ignore: !tools,
  fn: async () => {
    const t = await RealTown.create(tools!, { rig: false });
    try {
      const goStart = await t.run(["gt", "daemon", "start"]);
      assertEquals(goStart.code, 0, goStart.stderr);
      const goPid = Number(/PID (\d+)/.exec(goStart.stdout)?.[1]);
      assertEquals(goStart.stdout, `✓ Daemon started (PID ${goPid})\n`);
      assert(await waitFor(() => lockOf(t).length === 1, 5_000));
      assertEquals(lockOf(t), [goPid]);

      const start = await runCli(["start"], { cwd: t.town, env: t.env });
      assertEquals(start.code, 0, start.stderr);
      assertEquals(start.stdout, `● Daemon already running (PID ${goPid})\n`);
      const run = await runCli(["run"], { cwd: t.town, env: t.env });
      assertEquals(run.code, 1);
      assertMatch(
        run.stderr,
        new RegExp(
          `daemon already running \\(lock held by PID ${goPid}: .*gt daemon run\\)`,
        ),
      );
      assertEquals(daemonPids(t.town), []);

      assert(await waitFor(() => heartbeatDone(t), 30_000), await t.log());
      // The Go daemon started its agents on the town's private tmux server,
      // and they run the stub agent.
      const goSessions = [...(await t.sessions())].filter(([n]) =>
        n.startsWith("gt-")
      );
      assert(goSessions.length > 0, await t.log());
      for (const [name, s] of goSessions) {
        assert(s.commands.includes("claude"), `${name}: ${s.commands}`);
      }
      const state = (await readState(t.town))!;
      const status = await runCli(["status"], { cwd: t.town, env: t.env });
      assertEquals(status.code, 0, status.stderr);
      assertMatch(
        status.stdout,
        new RegExp(
          `^● Daemon is running \\(PID ${goPid}\\)\n  Started: ${
            goLocal(state.started_at)
          }\n  Last heartbeat: \\d\\d:\\d\\d:\\d\\d \\(#\\d+\\)\n`,
        ),
      );
      assertMatch(status.stdout, /\n {2}Command: .*gt daemon run\n/);
      // No "Binary:" line: that is this program's executable, not the Go
      // daemon's.
      assert(!status.stdout.includes("Binary:"), status.stdout);
      const js = JSON.parse(
        (await runCli(["status", "--json"], { cwd: t.town, env: t.env }))
          .stdout,
      );
      assertEquals([js.running, js.pid, js.version], [true, goPid, null]);

      const stop = await runCli(["stop"], { cwd: t.town, env: t.env });
      assertEquals(stop.code, 0, stop.stderr);
      assertEquals(stop.stdout, `✓ Daemon stopped (was PID ${goPid})\n`);
      assertEquals(t.goDaemonPids(), []);
      assertMatch(await t.log(), /Received signal terminated, shutting down\n/);
      assertMatch(await t.log(), /Daemon stopped\n$/);
      assertEquals((await readState(t.town))?.running, false);
      assertEquals(lockOf(t), []);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "20 concurrent starts, 10 of gt daemon and 10 of gt-daemon, leave exactly one daemon",
  ignore: !tools,
  fn: async () => {
    const t = await RealTown.create(tools!, { rig: false });
    try {
      const results = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            i % 2 === 0
              ? t.run(["gt", "daemon", "start"]).then((r) => ({
                go: true,
                ...r,
              }))
              : runCli(["start"], { cwd: t.town, env: t.env }).then((r) => ({
                go: false,
                ...r,
              })),
        ),
      );
      // Every loser exits; exactly one process holds the lock and is named
      // by the PID file.
      const all = () => [...t.goDaemonPids(), ...daemonPids(t.town)];
      assert(await waitFor(() => all().length === 1, 10_000), `${all()}`);
      const [winner] = all();
      assertEquals(lockOf(t), [winner]);
      assertEquals(await readPid(t.town), winner);
      for (const r of results.filter((r) => !r.go)) {
        assertEquals(r.code, 0, r.stderr);
        assertMatch(
          r.stdout,
          new RegExp(
            `^(✓ Daemon started|● Daemon already running) \\(PID ${winner}\\)\\n$`,
          ),
        );
      }
      // The Go start sleeps 200 ms and then trusts the PID file: it reports
      // the winner, or "already running" as an error, or a failure when the
      // winner had not written its PID file yet. It never names another PID.
      for (const r of results.filter((r) => r.go)) {
        const text = r.stdout + r.stderr;
        const named = [...text.matchAll(/PID (\d+)/g)].map((m) => Number(m[1]));
        assert(named.every((p) => p === winner), text);
        if (r.code === 0) {
          assertMatch(
            r.stdout,
            /^(✓ Daemon started|● Daemon already running) \(PID \d+\)\n$/,
          );
        } else {
          assertMatch(
            r.stderr,
            /^Error: (daemon already running \(PID \d+\)|daemon failed to start \(check logs with 'gt daemon logs'\))\n/,
          );
        }
      }
      // At most one start claims it: a Go start whose own daemon won can
      // still report a failure when its 200 ms wait was too short.
      const claims = results.filter((r) => /✓ Daemon started/.test(r.stdout));
      assert(
        claims.length <= 1,
        results.map((r) => r.stdout + r.stderr).join(""),
      );
    } finally {
      await t.close();
    }
  },
});

function assertStringStarts(text: string, head: string): void {
  assert(
    text.startsWith(head),
    `expected ${JSON.stringify(text)} to start with ${JSON.stringify(head)}`,
  );
}

Deno.test({
  name:
    "in a real town the Go daemon leaves a crashed polecat down, and gt-daemon taking over the town brings it back",
  ignore: !tools,
  fn: async () => {
    const t = await RealTown.create(tools!);
    try {
      const session = `gt-${RIG}-${WORKER}`;
      const goStart = await t.run(["gt", "daemon", "start"]);
      assertEquals(goStart.code, 0, goStart.stderr);
      const goPid = Number(/PID (\d+)/.exec(goStart.stdout)?.[1]);
      assert(await waitFor(() => heartbeatDone(t), 30_000), await t.log());
      // The reference looks the polecat up as gt-<rig>-polecat-<name>; the
      // real bead is <prefix>-<rig>-polecat-<name> in the rig database.
      assert(!(await t.sessions()).has(session));
      assert(!(await t.log()).includes("CRASH DETECTED"), await t.log());

      const stop = await t.run(["gt", "daemon", "stop"]);
      assertEquals(stop.stdout, `✓ Daemon stopped (was PID ${goPid})\n`);
      assert(await waitFor(() => t.goDaemonPids().length === 0, 5_000));
      const start = await runCli(["start", "--interval", "1s"], {
        cwd: t.town,
        env: t.env,
      });
      assertEquals(start.code, 0, start.stderr);
      assert(await t.agentIn(session, 20_000), await t.log());
      assertMatch(
        await t.log(),
        new RegExp(`CRASH DETECTED: polecat ${RIG}/${WORKER} has hook_bead=`),
      );
    } finally {
      await t.close();
    }
  },
});
