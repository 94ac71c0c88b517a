/**
 * Load on the CLI: 50 concurrent `start`s, and `start` every 100 ms while
 * `stop` runs every second (20 s by default, the full minute with
 * `GT_ADV_FULL_MINUTE=1`).
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  baseEnv,
  concurrentStarts,
  daemonPids,
  makeTown,
  readPid,
  readState,
  runCli,
  waitFor,
} from "../helpers/cli.ts";
import { count } from "./support.ts";
import { cmdline, lockOwners, owners } from "./procs.ts";

Deno.test("50 concurrent starts leave exactly one daemon, and every start says which", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const pid = await concurrentStarts(t.town, env, 50);
    assert(
      await waitFor(() => daemonPids(t.town).length === 1, 15_000),
      `daemons: ${daemonPids(t.town)}`,
    );
    assertEquals(owners(`${t.town}/daemon/daemon.lock`), [pid]);
    assertEquals((await readState(t.town))?.pid, pid);
    assertEquals((await runCli(["stop"], { cwd: t.town, env })).code, 0);
    assert(await waitFor(() => daemonPids(t.town).length === 0, 5_000));
  } finally {
    await t.close();
  }
});

Deno.test("start every 100 ms while stop runs every second: never two daemons, and it ends in a clean state", async () => {
  const t = await makeTown();
  const seconds = Deno.env.get("GT_ADV_FULL_MINUTE") === "1" ? 60 : 20;
  try {
    const env = baseEnv(t.root);
    const lock = `${t.town}/daemon/daemon.lock`;
    const starts: Promise<{ code: number; stdout: string; stderr: string }>[] =
      [];
    const stops: Promise<{ code: number; stdout: string; stderr: string }>[] =
      [];
    let inFlight = 0;
    let skipped = 0;
    let worst = 0;
    let seen = "";
    const end = performance.now() + seconds * 1000;
    let nextStart = performance.now();
    let nextStop = performance.now() + 1000;
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextStart) {
        nextStart += 100;
        // A 2-core machine cannot start more than a few programs at once:
        // with 4 in flight the tick is skipped, and counted.
        if (inFlight >= 4) skipped++;
        else {
          inFlight++;
          starts.push(
            runCli(["start", "--quiet"], { cwd: t.town, env }).finally(() =>
              inFlight--
            ),
          );
        }
      }
      if (now >= nextStop) {
        nextStop += 1000;
        stops.push(runCli(["stop", "--quiet"], { cwd: t.town, env }));
      }
      // Two daemons running at once would show as two lock owners.
      const holders = [...new Set(lockOwners(lock))];
      if (holders.length > worst) {
        worst = holders.length;
        seen = holders.map((p) => `${p}: ${cmdline(p)}`).join("; ");
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const startResults = await Promise.all(starts);
    const stopResults = await Promise.all(stops);
    assert(worst <= 1, `${worst} lock owners at once: ${seen}`);
    for (const r of stopResults) assertEquals(r.code, 0, r.stderr);
    const failed = startResults.filter((r) => r.code !== 0);
    // A start racing a stop may fail, and then says why: it lost the lock
    // to a daemon that a stop then ended, or its own daemon was stopped
    // before it saw it ready. Nothing else may fail.
    for (const r of failed) {
      assertMatch(
        r.stderr,
        /^Error: (Daemon failed to start \(PID \d+, exit 1\): daemon already running \(lock held by (another process|PID \d+(: [^\n]*)?)\)|Daemon \(PID \d+\) started but was stopped before it was seen ready; check 'gt-daemon logs')\n$/,
      );
    }
    // One final start leaves exactly one healthy daemon.
    const last = await runCli(["start"], { cwd: t.town, env });
    assertEquals(last.code, 0, last.stderr);
    const pid = (await readPid(t.town))!;
    assert(
      await waitFor(() => daemonPids(t.town).length === 1, 15_000),
      `daemons: ${daemonPids(t.town)}`,
    );
    assertEquals(daemonPids(t.town), [pid]);
    assertEquals(owners(lock), [pid]);
    assert(
      await waitFor(async () => {
        const s = await readState(t.town);
        return s?.pid === pid && s.running === true;
      }),
    );
    const stop = await runCli(["stop"], { cwd: t.town, env });
    assertEquals(stop.code, 0, stop.stderr);
    assert(await waitFor(() => daemonPids(t.town).length === 0, 10_000));
    assertEquals(await readPid(t.town), null);
    const log = await Deno.readTextFile(`${t.town}/daemon/daemon.log`);
    // Every daemon that got the lock stopped cleanly, and at least one that
    // a stop ended was replaced by a start (the last one is the final start).
    const ran = count(log, "Daemon running, recovery heartbeat");
    assertEquals(ran, count(log, "Daemon stopped"));
    assert(ran >= 3, `only ${ran} daemons ran`);
    console.log(
      `${startResults.length} starts (${failed.length} lost a race, ${skipped} ticks skipped), ${stopResults.length} stops, ${ran} daemons ran`,
    );
  } finally {
    await t.close();
  }
});
