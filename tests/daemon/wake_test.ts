/**
 * The daemon's wake-ups on an injected clock: the restart-backoff wake-up
 * fires once, just after the earliest backoff ends; wake-up files are
 * routed to the right work.
 *
 * @module
 */

import { assertEquals } from "../helpers/assert.ts";
import { BackoffBook } from "../../src/heartbeat/backoff.ts";
import {
  BACKOFF_WAKE_SLACK_MS,
  BackoffWake,
  nextBackoffEnd,
} from "../../src/heartbeat/tick.ts";
import { routeWakeEvents } from "../../src/daemon/wake_routes.ts";
import { MemoryLog } from "../../src/log.ts";
import { parseWakeEvent } from "../../src/town/wake_events.ts";
import { FakeClock } from "../fakes/clock.ts";

Deno.test("BackoffWake fires once, just after the earliest restart backoff ends", async () => {
  const clock = new FakeClock();
  const book = new BackoffBook();
  let wakes = 0;
  const wake = new BackoffWake(clock, () => wakes++);
  wake.arm(book);
  assertEquals(wake.armed, false);
  assertEquals(nextBackoffEnd(book, clock.now()), null);
  // a dies once quickly (held back 1 s), b twice (2 s).
  const t0 = clock.now();
  book.recordRestart("a", t0);
  book.check("a", t0);
  book.recordRestart("b", t0 - 2_000);
  book.check("b", t0 - 2_000);
  book.recordRestart("b", t0 - 1_000);
  book.check("b", t0);
  assertEquals(book.toJSON().b?.nextAllowedMs, t0 + 2_000);
  assertEquals(nextBackoffEnd(book, clock.now()), clock.now() + 1_000);
  wake.arm(book);
  assertEquals(clock.pending, [clock.now() + 1_000 + BACKOFF_WAKE_SLACK_MS]);
  await clock.advance(1_000);
  assertEquals(wakes, 0);
  await clock.advance(BACKOFF_WAKE_SLACK_MS);
  assertEquals(wakes, 1);
  assertEquals(wake.armed, false);
  // Re-armed: the next one is b's, 1 s later.
  wake.arm(book);
  assertEquals(clock.pending.length, 1);
  wake.cancel();
  await clock.advance(10_000);
  assertEquals(wakes, 1);
  assertEquals(clock.pending, []);
});

Deno.test("routeWakeEvents() clears backoffs, asks for a heartbeat, runs lifecycle and one recovery pass", async (t) => {
  const run = async (names: string[], due = false) => {
    const log = new MemoryLog();
    const did: string[] = [];
    await routeWakeEvents(names.map(parseWakeEvent), due, {
      log,
      clearBackoff: (agent) => {
        did.push(`clear ${agent}`);
        return agent !== "nobody/witness";
      },
      requestHeartbeat: () => did.push("heartbeat"),
      lifecycle: () => {
        did.push("lifecycle");
        return Promise.resolve();
      },
      recover: () => {
        did.push("recover");
        return Promise.resolve();
      },
    });
    return { did, log: log.lines };
  };
  await t.step("nothing to do without files or a due backoff", async () => {
    assertEquals(await run([]), { did: [], log: [] });
  });
  await t.step("a due backoff runs one recovery pass", async () => {
    assertEquals((await run([], true)).did, ["recover"]);
  });
  await t.step("dead panes and closed sessions share one pass", async () => {
    const r = await run([
      "pane-died.gt-a-witness",
      "pane-died.gt-b-witness",
      "session-closed.gt-c-refinery",
    ], true);
    assertEquals(r.did, ["recover"]);
    assertEquals(r.log, [
      "Agent exited in gt-a-witness, gt-b-witness; checking sessions now",
    ]);
  });
  await t.step("another program's closed session wakes nothing", async () => {
    assertEquals((await run(["session-closed.scratch"])).did, []);
  });
  await t.step("clear-backoff, heartbeat and lifecycle", async () => {
    const r = await run([
      "clear-backoff.all",
      "clear-backoff.gastown:polecats:Toast",
      "clear-backoff.nobody:witness",
      "heartbeat",
      "lifecycle",
      "unknown-file",
    ]);
    assertEquals(r.did, [
      "clear *",
      "clear gastown/polecats/Toast",
      "clear nobody/witness",
      "heartbeat",
      "lifecycle",
    ]);
    assertEquals(r.log, [
      "Cleared restart backoff for all",
      "Cleared restart backoff for gastown/polecats/Toast",
      "No restart backoff recorded for nobody/witness",
      "Heartbeat requested through the events directory",
      "Lifecycle processing requested through the events directory",
    ]);
  });
});
