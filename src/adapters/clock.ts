/**
 * The clock port: the current time, one-shot timers and sleeps. Everything
 * above the adapters takes a {@link Clock} instead of calling `Date.now`,
 * `setTimeout` or `setInterval`, so a test can drive time by hand (see
 * `tests/fakes/clock.ts`). {@link systemClock} is the real one.
 *
 * @module
 */

/** A pending one-shot timer. */
export interface TimerHandle {
  /** Cancels the timer; a fired or cancelled timer ignores it. */
  cancel(): void;
}

/** Time as the daemon sees it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (0 or less: as soon as possible). */
  timer(ms: number, fn: () => void): TimerHandle;
  /** Resolves after `ms` milliseconds, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Resolves after `ms` on `clock`, or early when `signal` aborts. */
export function sleepOn(
  clock: Pick<Clock, "timer">,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      handle.cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const handle = clock.timer(ms, done);
    signal?.addEventListener("abort", done);
  });
}

/** The wall clock and the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  timer(ms, fn) {
    const id = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(id) };
  },
  sleep(ms, signal) {
    return sleepOn(systemClock, ms, signal);
  },
};

/**
 * One-shot timers that do not load Deno's Node layer, for the one-shot
 * commands. In Deno 2.9 the global `setTimeout` is Node's, and its first use
 * (reading it is enough) costs several milliseconds, more than `status`
 * spends on its work; `Atomics.waitAsync` with a timeout is V8's own timer.
 * Unlike `setTimeout`, a pending one does not keep the process alive: use it
 * only to bound something that does, such as a pending open.
 */
export const boundingTimers: Pick<Clock, "timer"> = {
  timer(ms, fn) {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    let live = true;
    const fire = () => {
      if (!live) return;
      live = false;
      fn();
    };
    const wait = Atomics.waitAsync(cell, 0, 0, Math.max(0, ms));
    if (wait.async) {
      wait.value.then((result) => {
        if (result === "timed-out") fire();
      });
    } else {
      queueMicrotask(fire);
    }
    return {
      cancel() {
        if (!live) return;
        live = false;
        // Wakes the wait, which then ends as "ok" and fires nothing.
        Atomics.notify(cell, 0);
      },
    };
  },
};

/**
 * Calls `fn` every `ms` milliseconds on `clock` until the returned handle is
 * cancelled. Each call is scheduled after the previous one ran.
 */
export function every(
  clock: Pick<Clock, "timer">,
  ms: number,
  fn: () => void,
): TimerHandle {
  let current: TimerHandle | null = null;
  let stopped = false;
  const arm = () => {
    current = clock.timer(ms, () => {
      if (stopped) return;
      fn();
      if (!stopped) arm();
    });
  };
  arm();
  return {
    cancel() {
      stopped = true;
      current?.cancel();
    },
  };
}
