import { assert, assertEquals } from "../helpers/assert.ts";
import { boundingTimers } from "../../src/adapters/clock.ts";

/** Resolves when `cond()` holds; false once `ms` of real time have passed. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    // An open that is pending is what these timers bound: wait on real I/O.
    await Deno.lstat("/");
  }
  return true;
}

Deno.test("boundingTimers fires a timer once, in order of due time, and never a cancelled one", async () => {
  const fired: string[] = [];
  const started = Date.now();
  const late = boundingTimers.timer(40, () => fired.push("late"));
  const cancelled = boundingTimers.timer(10, () => fired.push("cancelled"));
  const early = boundingTimers.timer(20, () => fired.push("early"));
  cancelled.cancel();
  cancelled.cancel();
  assert(await until(() => fired.length >= 2, 10_000), String(fired));
  assertEquals(fired, ["early", "late"]);
  assert(Date.now() - started >= 39, "fired before its time");
  // Cancelling a fired timer does nothing.
  late.cancel();
  early.cancel();
  assertEquals(fired, ["early", "late"]);
});

Deno.test("boundingTimers fires a timer of 0 ms or less as soon as possible", async () => {
  const fired: number[] = [];
  boundingTimers.timer(0, () => fired.push(0));
  boundingTimers.timer(-5, () => fired.push(-5));
  assert(await until(() => fired.length === 2, 10_000), String(fired));
  assertEquals(fired.sort(), [-5, 0]);
});
