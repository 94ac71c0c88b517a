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
