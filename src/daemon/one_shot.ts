/**
 * `heartbeat --once`: one heartbeat in this process, when no daemon runs.
 * The same sequence as the daemon's: the town lock, the state file (for the
 * restart backoff), the engine, the state saved again. `--dry-run` only
 * observes and decides.
 *
 * @module
 */

import { ensureDaemonDir } from "../adapters/daemon_dir.ts";
import { realFs } from "../adapters/fs.ts";
import { tryLockFile } from "../adapters/lock.ts";
import { FileLog } from "../adapters/log_file.ts";
import { AppError } from "../errors.ts";
import type { HeartbeatRunner } from "../cli/control.ts";
import { formatLogLine, type Log } from "../log.ts";
import { townPaths } from "../town/paths.ts";
import { readState } from "./state_file.ts";
import { SignalQueue } from "./signal_queue.ts";
import { emptyState, encodeState } from "./state.ts";
import { createTownEngine } from "./town_engine.ts";

/** Options for {@link oneShotHeartbeat}. */
export interface OneShotOptions {
  /** The process environment. */
  env: Record<string, string | undefined>;
  /** Where log lines are mirrored (the terminal's stderr). */
  stderr: (text: string) => void;
}

/** Plans or runs one heartbeat for `town` in this process. */
export function oneShotHeartbeat(
  town: string,
  opts: OneShotOptions,
): HeartbeatRunner {
  const ac = new AbortController();
  const paths = townPaths(town);
  const make = (log: Log, backoff?: unknown) =>
    createTownEngine({
      town,
      log,
      queue: new SignalQueue(),
      env: opts.env,
      signal: ac.signal,
      backoff,
      watchTmux: false,
    });
  return {
    plan: () =>
      make({
        log: (m) => opts.stderr(formatLogLine(new Date(), m)),
      }).plan(),
    async runOnce() {
      await ensureDaemonDir(paths.daemonDir);
      const lock = await tryLockFile(paths.lock);
      if (!lock) {
        throw new AppError(
          "A daemon holds the town lock; it runs the heartbeats",
        );
      }
      const log = new FileLog(paths.log, { mirror: opts.stderr });
      try {
        // The restart backoff lives in state.json, as for the daemon.
        const state = (await readState(paths.state, log)) ?? emptyState();
        const engine = make(log, state.backoff);
        await engine.load();
        log.log("Heartbeat starting (one-off)");
        await engine.heartbeat(ac.signal);
        log.log("Heartbeat complete (one-off)");
        state.backoff = engine.stateExtras().backoff;
        await realFs.writeAtomic(paths.state, encodeState(state), 0o644);
      } finally {
        lock.release();
      }
    },
  };
}
