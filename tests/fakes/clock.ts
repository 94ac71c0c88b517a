/**
 * A {@link Clock} driven by hand: time stands still until {@link
 * FakeClock.advance} moves it, firing every timer that falls due, in order.
 *
 * @module
 */

import {
  type Clock,
  sleepOn,
  type TimerHandle,
} from "../../src/adapters/clock.ts";

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise callbacks run (a few macrotask turns). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    await Promise.resolve();
  }
}

/** A manual clock for deterministic tests. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Pending[] = [];

  /** Starts at `startMs` (default 2026-01-01T00:00:00Z). */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  /** The current fake time in ms since the epoch. */
  now(): number {
    return this.#now;
  }

  /** The current fake time as a Date. */
  date(): Date {
    return new Date(this.#now);
  }

  /** Schedules `fn` at now + `ms`. */
  timer(ms: number, fn: () => void): TimerHandle {
    const entry: Pending = {
      at: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      fn,
    };
    this.#timers.push(entry);
    return {
      cancel: () => {
        this.#timers = this.#timers.filter((t) => t !== entry);
      },
    };
  }

  /** Resolves when the clock has been advanced past `ms`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Due times (absolute ms) of the pending timers, earliest first. */
  get pending(): number[] {
    return this.#timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (each at its own
   * due time) and letting the work they start run between them.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    while (true) {
      const next = [...this.#timers].sort((a, b) =>
        a.at - b.at || a.seq - b.seq
      )
        .find((t) => t.at <= end);
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /**
   * Settles `work`, moving time to each pending timer in turn whenever
   * nothing else can run, so code that sleeps on this clock finishes.
   */
  async run<T>(work: Promise<T>, maxSteps = 10_000): Promise<T> {
    let done = false;
    const watched = work.finally(() => {
      done = true;
    });
    for (let i = 0; i < maxSteps && !done; i++) {
      await settle(5);
      if (done) break;
      const next = this.pending[0];
      if (next === undefined) {
        // Waiting on something outside this clock (real I/O).
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      await this.advance(Math.max(0, next - this.#now));
    }
    return await watched;
  }
}
