/**
 * The daemon loop: what runs when, one pass at a time. A heartbeat that
 * overruns its deadline is left to finish while signals and events are
 * served, and no second heartbeat starts meanwhile; a stop aborts the pass
 * in flight and waits a moment for it to unwind.
 *
 * @module
 */

import { memoryUsage, sleep } from "../adapters/os.ts";
import { errorMessage } from "../errors.ts";
import { goDuration } from "../gotime.ts";
import type { Log } from "../log.ts";
import type { Engine } from "./daemon.ts";
import type { SignalQueue } from "./signal_queue.ts";
import type { DaemonState } from "./state.ts";
import { applyExtras, saveState } from "./state_file.ts";

/** How long a stop waits for in-flight work to unwind after aborting it. */
const UNWIND_MS = 1_000;

/** What the loop works with. */
export interface LoopCtx {
  queue: SignalQueue;
  aborter: AbortController;
  log: Log;
  intervalMs: number;
  deadlineMs: number;
  statePath: string;
  /** Re-creates a removed daemon directory. */
  recreate: () => Promise<void>;
}

/**
 * Takes events off the queue until a stop: heartbeats on the interval (with
 * a deadline), lifecycle and event passes in between; saves the state.
 */
export async function loop(
  engine: Engine,
  state: DaemonState,
  ctx: LoopCtx,
): Promise<void> {
  const { queue, aborter, log } = ctx;
  let due = Date.now();
  /** True while a heartbeat that overran its deadline has not finished. */
  let overrunning = false;
  let skipLogged = false;
  const guarded = async (
    what: string,
    work: Promise<void>,
    deadlineMs?: number,
  ): Promise<boolean> => {
    const done = work.then(
      () => {},
      (err) => {
        if (!aborter.signal.aborted) {
          log.log(`Error: ${what} failed: ${errorMessage(err)}`);
        }
      },
    );
    // A stop aborts in-flight subprocesses; give them a moment to unwind.
    let onAbort = () => {};
    const stopped = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      if (aborter.signal.aborted) return resolve();
      aborter.signal.addEventListener("abort", onAbort, { once: true });
    });
    const late = new AbortController();
    let finished = false;
    try {
      await Promise.race([
        done.then(() => (finished = true)),
        stopped.then(() => Promise.race([done, sleep(UNWIND_MS)])),
        ...(deadlineMs === undefined ? [] : [sleep(deadlineMs, late.signal)]),
      ]);
    } finally {
      late.abort();
      // One listener per pass on a signal that lives as long as the daemon
      // would otherwise pile up.
      aborter.signal.removeEventListener("abort", onAbort);
    }
    return finished || aborter.signal.aborted;
  };
  // What the engine persists (restart backoff) is saved after an event or
  // lifecycle pass too, when it changed, so `status` shows it at once.
  let savedExtras = "";
  const saveExtras = async () => {
    const extras = engine.stateExtras?.();
    const text = JSON.stringify(extras ?? {});
    if (extras === undefined || text === savedExtras) return;
    savedExtras = text;
    applyExtras(state, engine);
    await saveState(ctx.statePath, state, log, "Warning: failed to save state");
  };
  while (!queue.stopping) {
    let event = queue.take();
    if (event === null && Date.now() >= due) event = "heartbeat";
    if (event === null) {
      await queue.wait(due - Date.now());
      continue;
    }
    if (event === "stop") break;
    if (event === "lifecycle") {
      await guarded("lifecycle processing", engine.lifecycle(aborter.signal));
      await saveExtras();
      continue;
    }
    if (event === "events") {
      await guarded("event handling", engine.events(aborter.signal));
      await saveExtras();
      continue;
    }
    if (overrunning) {
      // Two heartbeats never act at once: wait for the late one.
      if (!skipLogged) {
        log.log("Heartbeat skipped: the previous one has not finished");
        skipLogged = true;
      }
      due = Date.now() + ctx.intervalMs;
      continue;
    }
    log.log("Heartbeat starting (recovery-focused)");
    const started = Date.now();
    const work = engine.heartbeat(aborter.signal);
    if (!(await guarded("heartbeat", work, ctx.deadlineMs))) {
      log.log(
        `Error: heartbeat overran its deadline of ${
          goDuration(ctx.deadlineMs)
        }; serving signals and events while it finishes`,
      );
      overrunning = true;
      work.then(() => {}, () => {}).then(() => {
        overrunning = false;
        skipLogged = false;
        log.log(
          `Overrunning heartbeat finished after ${
            goDuration(Date.now() - started)
          }`,
        );
      });
      due = Date.now() + ctx.intervalMs;
      continue;
    }
    if (queue.stopping) break;
    state.lastHeartbeat = new Date();
    state.heartbeatCount++;
    state.memory = memoryUsage();
    savedExtras = JSON.stringify(engine.stateExtras?.() ?? {});
    applyExtras(state, engine);
    try {
      await ctx.recreate();
    } catch (err) {
      log.log(
        `Warning: cannot re-create the daemon directory: ${errorMessage(err)}`,
      );
    }
    if (queue.stopping) break;
    await saveState(ctx.statePath, state, log, "Warning: failed to save state");
    log.log(`Heartbeat complete (#${state.heartbeatCount})`);
    due = Date.now() + ctx.intervalMs;
  }
}
