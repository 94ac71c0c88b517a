/**
 * The daemon process: lock, PID file, state, signals, the heartbeat loop and
 * a shutdown that can happen at any moment. Order matters: signal listeners
 * are installed before the PID file is written (an early SIGUSR1 would kill
 * the process otherwise), and the lock is taken before the PID file.
 *
 * @module
 */

import { realFs } from "../adapters/fs.ts";
import { FileLog } from "../adapters/log_file.ts";
import {
  DaemonDirError,
  daemonDirNote,
  type DaemonDirResult,
  ensureDaemonDir,
} from "../adapters/daemon_dir.ts";
import { probeLock, tryLockFile } from "../adapters/lock.ts";
import {
  type DaemonSignal,
  onSignals,
  ownPid,
  pidCmdline,
} from "../adapters/os.ts";
import { errorMessage } from "../errors.ts";
import { goDuration } from "../gotime.ts";
import type { Log } from "../log.ts";
import { townPaths } from "../town/paths.ts";
import { runtimeWarning, VERSION } from "../version.ts";
import { LockKeeper } from "./lock_keeper.ts";
import { SignalQueue } from "./signal_queue.ts";
import { loop } from "./loop.ts";
import { applyExtras, readState, saveState } from "./state_file.ts";

import { type DaemonState } from "./state.ts";

/** The work the loop drives; the heartbeat checks live behind it. */
export interface Engine {
  /** Starts background helpers (the feed curator). */
  start(): Promise<void>;
  /** One full heartbeat. */
  heartbeat(signal: AbortSignal): Promise<void>;
  /** Lifecycle processing only (SIGUSR1, `poke`). */
  lifecycle(signal: AbortSignal): Promise<void>;
  /** Handles wake-up events (tmux hooks, `poke`); returns true to run a heartbeat. */
  events(signal: AbortSignal): Promise<void>;
  /** Extra fields to persist in state.json after each heartbeat. */
  stateExtras?(): Partial<DaemonState>;
  /** Stops background helpers. */
  stop(): Promise<void>;
}

/** Options for {@link runDaemon}. */
export interface RunDaemonOptions {
  town: string;
  intervalMs: number;
  /** Builds the engine once the lock is held. */
  engine: (ctx: {
    log: Log;
    queue: SignalQueue;
    signal: AbortSignal;
    previous: DaemonState | null;
  }) => Promise<Engine> | Engine;
  /** Deno version (for the SIGUSR1 inspector warning). */
  denoVersion: string;
  execPath: string;
  /**
   * Longest a heartbeat may run before the loop logs an overrun and goes
   * on serving signals and events; {@link DEFAULT_HEARTBEAT_DEADLINE_MS}.
   */
  heartbeatDeadlineMs?: number;
  /** Log rotation settings. */
  logMaxBytes?: number;
  logKeep?: number;
  /** Mirror log lines here (foreground run on a terminal). */
  mirror?: (line: string) => void;
  /** Extra lines logged right after start (tool resolution). */
  startupNotes?: string[];
}

/** The outcome of {@link runDaemon}: the exit code and a reason on failure. */
export interface RunOutcome {
  code: number;
  error?: string;
}

const SIGNAL_NAMES: Record<DaemonSignal, string> = {
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGHUP: "hangup",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

/**
 * The default heartbeat deadline: well above the minute a heartbeat takes
 * to restart a 240-agent town, far below "never".
 */
export const DEFAULT_HEARTBEAT_DEADLINE_MS = 5 * 60_000;

/** Runs the daemon until a stop signal; resolves with the exit outcome. */
export async function runDaemon(opts: RunDaemonOptions): Promise<RunOutcome> {
  const paths = townPaths(opts.town);
  const pid = ownPid();
  let dirResult: DaemonDirResult;
  try {
    dirResult = await ensureDaemonDir(paths.daemonDir);
  } catch (err) {
    return {
      code: 1,
      error: err instanceof DaemonDirError
        ? errorMessage(err)
        : `Cannot create daemon directory: ${errorMessage(err)}`,
    };
  }
  const fileLogOptions: ConstructorParameters<typeof FileLog>[1] = {};
  if (opts.logMaxBytes !== undefined) {
    fileLogOptions.maxBytes = opts.logMaxBytes;
  }
  if (opts.logKeep !== undefined) fileLogOptions.keep = opts.logKeep;
  if (opts.mirror !== undefined) fileLogOptions.mirror = opts.mirror;
  const log = new FileLog(paths.log, fileLogOptions);

  const queue = new SignalQueue();
  const aborter = new AbortController();
  const unsubscribe = onSignals((sig) => {
    if (sig === "SIGTERM" || sig === "SIGINT") {
      if (!queue.stopping) {
        log.log(`Received signal ${SIGNAL_NAMES[sig]}, shutting down`);
      }
      queue.push("stop");
      aborter.abort();
    } else if (sig === "SIGUSR1") {
      log.log("Received SIGUSR1, processing lifecycle requests immediately");
      queue.push("lifecycle");
    } else {
      log.log(`Received signal ${SIGNAL_NAMES[sig]}, running a heartbeat now`);
      queue.push("heartbeat");
    }
  });

  log.log(`Daemon starting (PID ${pid})`);
  const dirNote = daemonDirNote(paths.daemonDir, dirResult);
  if (dirNote) log.log(dirNote);
  let lock;
  try {
    lock = await tryLockFile(paths.lock);
  } catch (err) {
    unsubscribe();
    const error = `opening lock file: ${errorMessage(err)}`;
    log.log(`Daemon startup failed (PID ${pid}): ${error}`);
    return { code: 1, error };
  }
  if (!lock) {
    unsubscribe();
    const error = `daemon already running (lock held by ${await lockHolder(
      paths.lock,
    )})`;
    log.log(`Daemon startup failed (PID ${pid}): ${error}`);
    return { code: 1, error };
  }

  const keeper = new LockKeeper(lock, { paths, pid, log });
  const recreate = async () => {
    if (!(await keeper.ensure())) {
      queue.push("stop");
      aborter.abort();
    }
  };
  let engine: Engine | null = null;
  let state: DaemonState | null = null;
  try {
    try {
      await realFs.writeAtomic(paths.pid, String(pid), 0o644);
    } catch (err) {
      const error = `writing PID file: ${errorMessage(err)}`;
      log.log(`Daemon startup failed (PID ${pid}): ${error}`);
      return { code: 1, error };
    }
    const previous = await readState(paths.state, log);
    const warning = runtimeWarning(opts.denoVersion);
    state = {
      running: true,
      pid,
      startedAt: new Date(),
      lastHeartbeat: null,
      heartbeatCount: 0,
      intervalMs: opts.intervalMs,
      version: VERSION,
      deno: opts.denoVersion,
      execPath: opts.execPath,
      warnings: warning ? [warning] : [],
    };
    await saveState(paths.state, state, log, "Warning: failed to save state");
    log.log(
      `Daemon running, recovery heartbeat interval ${
        goDuration(opts.intervalMs)
      }`,
    );
    if (warning) log.log(warning);
    for (const note of opts.startupNotes ?? []) log.log(note);

    engine = await opts.engine({
      log,
      queue,
      signal: aborter.signal,
      previous,
    });
    await engine.start();
    await loop(engine, state, {
      queue,
      aborter,
      log,
      intervalMs: opts.intervalMs,
      deadlineMs: opts.heartbeatDeadlineMs ?? DEFAULT_HEARTBEAT_DEADLINE_MS,
      statePath: paths.state,
      recreate,
    });
  } catch (err) {
    log.log(`Error: daemon loop failed: ${errorMessage(err)}`);
  } finally {
    log.log("Daemon shutting down");
    if (engine) {
      try {
        await engine.stop();
      } catch (err) {
        log.log(`Warning: stopping helpers failed: ${errorMessage(err)}`);
      }
    }
    if (state) {
      state.running = false;
      if (engine) applyExtras(state, engine);
      await saveState(
        paths.state,
        state,
        log,
        "Warning: failed to save final state",
      );
      log.log("Daemon stopped");
    }
    try {
      const current = await realFs.readText(paths.pid);
      if (current?.trim() === String(pid)) await realFs.remove(paths.pid);
    } catch {
      // best effort
    }
    unsubscribe();
    keeper.release();
  }
  return { code: 0 };
}

/**
 * Who holds the town lock, for the loser's message: `PID n: <command line>`
 * (a gt-daemon or the Go `gt daemon run`), or "another process".
 */
async function lockHolder(lockPath: string): Promise<string> {
  const probe = await probeLock(lockPath).catch(() => null);
  const pid = probe?.holderPid ?? null;
  if (pid === null) return "another process";
  const argv = await pidCmdline(pid);
  return argv && argv.length > 0
    ? `PID ${pid}: ${argv.join(" ")}`
    : `PID ${pid}`;
}
