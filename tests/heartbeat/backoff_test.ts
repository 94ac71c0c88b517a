import { assert, assertEquals } from "../helpers/assert.ts";
import {
  BackoffBook,
  type BackoffPolicy,
  type BackoffVerdict,
  DEFAULT_BACKOFF,
  parseMinUptime,
} from "../../src/heartbeat/backoff.ts";

const S = 1_000;
const MIN = 60 * S;
const T0 = Date.UTC(2026, 0, 4, 12, 0, 0);
const A = "gastown/polecats/Toast";

/** A book whose clock is `t`: every call passes the time explicitly. */
function book(policy: Partial<BackoffPolicy> = {}) {
  return new BackoffBook({ ...DEFAULT_BACKOFF, ...policy });
}

/**
 * Starts `agent` at `start` and sees it down `uptime` later; returns the
 * verdict at that moment.
 */
function runAndDie(
  b: BackoffBook,
  start: number,
  uptime: number,
): BackoffVerdict {
  b.recordRestart(A, start);
  return b.check(A, start + uptime);
}

Deno.test("BackoffBook: quick deaths hold the restart back 1 s, 2 s, 4 s, 8 s from the death", () => {
  const b = book();
  let t = T0;
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = runAndDie(b, t, 500);
    assert(!v.allowed);
    waits.push(v.waitMs);
    assertEquals(v.restarts, i + 1);
    assertEquals(v.crashLoop, false);
    // Not yet allowed 1 ms before the hold-back ends; allowed at its end.
    assertEquals(b.check(A, t + 500 + v.waitMs - 1).allowed, false);
    assertEquals(b.check(A, t + 500 + v.waitMs).allowed, true);
    t += 500 + v.waitMs;
  }
  assertEquals(waits, [1 * S, 2 * S, 4 * S, 8 * S]);
});

Deno.test("BackoffBook: an agent never started, or seen down again in the same death, is judged once", () => {
  const b = book();
  assertEquals(b.check(A, T0), { allowed: true });
  const v = runAndDie(b, T0, 100);
  assert(!v.allowed && v.restarts === 1);
  // Later looks at the same death count nothing more.
  const again = b.check(A, T0 + 600);
  assert(!again.allowed && again.restarts === 1 && again.waitMs === 500);
});

Deno.test("BackoffBook: a death after the minimum uptime is healthy: restarted at once, backoff and crash loop reset", async (t) => {
  const table: {
    name: string;
    uptime: number;
    minUptimeMs?: number;
    allowed: boolean;
  }[] = [
    { name: "just under 10 s", uptime: 10 * S - 1, allowed: false },
    { name: "exactly 10 s", uptime: 10 * S, allowed: true },
    { name: "an hour", uptime: 60 * MIN, allowed: true },
    {
      name: "2 s with a 1 s minimum",
      uptime: 2 * S,
      minUptimeMs: S,
      allowed: true,
    },
    {
      name: "9 s with a 30 s minimum",
      uptime: 9 * S,
      minUptimeMs: 30 * S,
      allowed: false,
    },
  ];
  for (const row of table) {
    await t.step(row.name, () => {
      const b = book(
        row.minUptimeMs === undefined ? {} : { minUptimeMs: row.minUptimeMs },
      );
      // Three quick deaths first: 4 s of backoff would be next.
      let at = T0;
      for (let i = 0; i < 3; i++) {
        const v = runAndDie(b, at, 100);
        assert(!v.allowed);
        at += 100 + v.waitMs;
      }
      const v = runAndDie(b, at, row.uptime);
      assertEquals(v.allowed, row.allowed, JSON.stringify(v));
      if (v.allowed) {
        assertEquals(v.resetAfterMs, row.uptime);
        assertEquals(b.toJSON()[A]?.restarts, 0);
        // The next quick death starts again at 1 s.
        const next = runAndDie(b, at + row.uptime, 100);
        assert(!next.allowed && next.waitMs === S && next.restarts === 1);
      } else {
        assertEquals(v.restarts, 4);
      }
    });
  }
});

Deno.test("BackoffBook: six healthy deaths in a row are each restarted at once", () => {
  const b = book();
  let at = T0;
  for (let i = 0; i < 6; i++) {
    const v = runAndDie(b, at, 10 * S);
    assertEquals(v.allowed, true, `death ${i + 1}`);
    at += 10 * S + 50;
  }
  assertEquals(b.toJSON()[A]?.crashLoop, false);
});

Deno.test("BackoffBook: the fifth quick death inside the window is a crash loop, restarted every 5 min", () => {
  const b = book();
  let at = T0;
  const verdicts: BackoffVerdict[] = [];
  for (let i = 0; i < 6; i++) {
    const v = runAndDie(b, at, 200);
    verdicts.push(v);
    at += 200 + (v.allowed ? 0 : v.waitMs);
  }
  const loop = verdicts.map((v) => !v.allowed && v.crashLoop);
  assertEquals(loop, [false, false, false, false, true, true]);
  const waits = verdicts.map((v) => (v.allowed ? 0 : v.waitMs));
  assertEquals(waits, [S, 2 * S, 4 * S, 8 * S, 5 * MIN, 5 * MIN]);
  const entry = b.toJSON()[A]!;
  assertEquals(entry.crashLoop, true);
  assertEquals(entry.restarts, 6);
  assertEquals(entry.minUptimeMs, 10 * S);
  assertEquals(entry.decaysAtMs, entry.lastQuickDeathMs! + 30 * MIN);
});

Deno.test("BackoffBook: quick deaths spread wider than the window never make a crash loop", () => {
  const b = book();
  let at = T0;
  for (let i = 0; i < 10; i++) {
    const v = runAndDie(b, at, 200);
    assert(!v.allowed);
    assertEquals(v.crashLoop, false, `death ${i + 1}`);
    at += 3 * MIN; // four deaths at most inside 10 min
  }
});

Deno.test("BackoffBook: a crash loop decays after the quiet period, not before", () => {
  const b = book();
  let at = T0;
  for (let i = 0; i < 5; i++) {
    const v = runAndDie(b, at, 200);
    at += 200 + (v.allowed ? 0 : v.waitMs);
  }
  assertEquals(b.toJSON()[A]?.crashLoop, true);
  const last = b.toJSON()[A]!.lastQuickDeathMs!;
  // Restarted once the hold-back ran out, it has not died since.
  b.recordRestart(A, last + 5 * MIN);
  assertEquals(b.decay(last + 5 * MIN + 30 * MIN - 1), []);
  assertEquals(b.toJSON()[A]?.crashLoop, true);
  assertEquals(b.decay(last + 5 * MIN + 30 * MIN), [A]);
  assertEquals(b.toJSON(), {});
  assertEquals(b.check(A, last + 36 * MIN), { allowed: true });
});

Deno.test("BackoffBook: decay keeps the last start for the quiet period, and never drops a pending hold-back", () => {
  const b = book({ quietMs: 10 * MIN, maxMs: 20 * MIN, crashLoopAfter: 1 });
  b.recordRestart("deacon", T0);
  assertEquals(b.decay(T0 + 10 * MIN - 1), []);
  assertEquals(b.lastRestart("deacon"), T0);
  assertEquals(b.decay(T0 + 10 * MIN), ["deacon"]);
  assertEquals(b.lastRestart("deacon"), null);
  runAndDie(b, T0, 100);
  assertEquals(b.decay(T0 + 15 * MIN), []);
  assertEquals(b.decay(T0 + 100 + 20 * MIN), [A]);
});

Deno.test("BackoffBook: clear forgets one agent or all", () => {
  const b = book();
  runAndDie(b, T0, 100);
  b.recordRestart("deacon", T0);
  assertEquals(b.clear("nobody"), false);
  assertEquals(b.clear(A), true);
  assertEquals(b.check(A, T0 + 200), { allowed: true });
  assertEquals(b.clear("*"), true);
  assertEquals(b.toJSON(), {});
});

Deno.test("BackoffBook.fromJSON: round-trips, reads the older entry form, and bounds planted values", async (t) => {
  await t.step("round trip keeps the classification of a pending death", () => {
    const b = book();
    runAndDie(b, T0, 100);
    runAndDie(b, T0 + 1_100, 100);
    const back = BackoffBook.fromJSON(
      JSON.parse(JSON.stringify(b.toJSON())),
      { nowMs: T0 + 1_300 },
    );
    const v = back.check(A, T0 + 1_300);
    assert(!v.allowed && v.restarts === 2 && v.waitMs === 2 * S - 100);
  });
  await t.step("an entry written before uptimes were recorded", () => {
    const old = {
      [A]: {
        restarts: 3,
        nextAllowedMs: T0 + 4 * S,
        crashLoop: false,
        lastRestartMs: T0,
      },
    };
    const back = BackoffBook.fromJSON(old, { nowMs: T0 + S });
    // Its death is seen now, 1 s after the start: the fourth quick one.
    const v = back.check(A, T0 + S);
    assert(!v.allowed && v.restarts === 4 && v.waitMs === 8 * S);
    // Seen down only a minute after its start, the run was healthy.
    const later = BackoffBook.fromJSON(old, { nowMs: T0 + MIN });
    assertEquals(later.check(A, T0 + MIN).allowed, true);
  });
  await t.step("planted huge and future values", () => {
    const planted = {
      [A]: {
        restarts: 1e9,
        nextAllowedMs: 9e15,
        crashLoop: true,
        lastRestartMs: 9e15,
      },
      bad: { restarts: "x", lastRestartMs: T0 },
      worse: null,
      negative: { restarts: -1, lastRestartMs: T0, nextAllowedMs: 0 },
    };
    const back = BackoffBook.fromJSON(planted, { nowMs: T0 });
    assertEquals(Object.keys(back.toJSON()), [A]);
    const e = back.toJSON()[A]!;
    assertEquals(e.nextAllowedMs, T0 + 5 * MIN);
    assertEquals(e.lastRestartMs, T0);
    assertEquals(e.restarts, 5);
  });
});

Deno.test("parseMinUptime() accepts durations up to an hour", () => {
  assertEquals(parseMinUptime("10s"), 10 * S);
  assertEquals(parseMinUptime("500ms"), 500);
  assertEquals(parseMinUptime("1m30s"), 90 * S);
  assertEquals(parseMinUptime("0"), 0);
  assertEquals(parseMinUptime("2h"), null);
  assertEquals(parseMinUptime("soon"), null);
});
