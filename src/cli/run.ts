/**
 * `gt-daemon run`: the daemon in the foreground (what `start` spawns and
 * what a systemd unit runs).
 *
 * @module
 */

import { type Engine, runDaemon } from "../daemon/daemon.ts";
import type { SignalQueue } from "../daemon/signal_queue.ts";
import type { DaemonState } from "../daemon/state.ts";
import { AppError, errorMessage, UsageError } from "../errors.ts";
import { parseDuration } from "../gotime.ts";
import { parseMinUptime } from "../heartbeat/backoff.ts";
import { parseFlags } from "./flags.ts";
import { RUN_FLAGS, type RunOptions, runOptionsFrom } from "./run_flags.ts";

export type { RunOptions };
import type { Log } from "../log.ts";
import {
  ALLOW_UNSUPPORTED_ENV,
  allowUnsupportedEnv,
  runtimeGate,
} from "../version.ts";
import {
  type CliIo,
  parseCount,
  resolveInterval,
  resolveTown,
} from "./common.ts";

/** Parses `run` arguments. */
export function parseRunArgs(args: string[]): RunOptions {
  try {
    const { values } = parseFlags(args, RUN_FLAGS);
    return runOptionsFrom(values);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`Invalid arguments for "run": ${errorMessage(err)}`);
  }
}

/** Builds the heartbeat engine for a town. */
export type EngineFactory = (ctx: {
  town: string;
  intervalMs: number;
  log: Log;
  queue: SignalQueue;
  signal: AbortSignal;
  previous: DaemonState | null;
  /** Minimum uptime of a healthy agent (flag or environment), if set. */
  minUptimeMs?: number;
}) => Promise<Engine> | Engine;

/** Runs `run`; returns the exit code once the daemon stops. */
export async function runRun(
  io: CliIo,
  opts: RunOptions,
  deps: {
    engine: EngineFactory;
    denoVersion: string;
    execPath: string;
    startupNotes?: () => string[];
  },
): Promise<number> {
  const env = io.env;
  const gate = runtimeGate(
    deps.denoVersion,
    opts.allowUnsupportedDeno === true ||
      allowUnsupportedEnv(env[ALLOW_UNSUPPORTED_ENV]),
  );
  if (gate.refusal !== null) throw new AppError(gate.refusal);
  const town = await resolveTown(io, opts.town);
  const intervalMs = resolveInterval(io, opts.interval);
  const logMaxBytes = opts.logMaxBytes ??
    (env.GT_DAEMON_LOG_MAX_BYTES
      ? parseCount(env.GT_DAEMON_LOG_MAX_BYTES, "GT_DAEMON_LOG_MAX_BYTES")
      : undefined);
  const logKeep = opts.logKeep ??
    (env.GT_DAEMON_LOG_KEEP
      ? parseCount(env.GT_DAEMON_LOG_KEEP, "GT_DAEMON_LOG_KEEP")
      : undefined);
  const minUptimeMs = opts.minUptimeMs ??
    resolveMinUptimeEnv(env.GT_DAEMON_MIN_UPTIME);
  const runOpts: Parameters<typeof runDaemon>[0] = {
    town,
    intervalMs,
    denoVersion: deps.denoVersion,
    execPath: deps.execPath,
    engine: (ctx) =>
      deps.engine({
        town,
        intervalMs,
        ...ctx,
        ...(minUptimeMs !== undefined ? { minUptimeMs } : {}),
      }),
  };
  const deadline = resolveDeadline(
    opts.heartbeatDeadline,
    env.GT_DAEMON_HEARTBEAT_DEADLINE,
  );
  if (deadline !== undefined) runOpts.heartbeatDeadlineMs = deadline;
  if (logMaxBytes !== undefined) runOpts.logMaxBytes = logMaxBytes;
  if (logKeep !== undefined) runOpts.logKeep = logKeep;
  if (deps.startupNotes) runOpts.startupNotes = deps.startupNotes();
  const outcome = await runDaemon(runOpts);
  if (outcome.code !== 0) {
    throw new AppError(outcome.error ?? "Daemon failed");
  }
  return 0;
}

/** The minimum uptime from `GT_DAEMON_MIN_UPTIME`, if set. */
function resolveMinUptimeEnv(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const ms = parseMinUptime(text);
  if (ms === null) {
    throw new UsageError(
      `Invalid GT_DAEMON_MIN_UPTIME: "${text}": use a duration such as "10s" (at most 1h)`,
    );
  }
  return ms;
}

/** The heartbeat deadline from `--heartbeat-deadline` or the environment. */
function resolveDeadline(
  flag: string | undefined,
  envText: string | undefined,
): number | undefined {
  const text = flag ?? (envText === "" ? undefined : envText);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null || ms < 100) {
    const source = flag !== undefined
      ? "--heartbeat-deadline"
      : "GT_DAEMON_HEARTBEAT_DEADLINE";
    throw new UsageError(
      `Invalid ${source}: "${text}": use a duration such as "90s" or "5m" (at least 100ms)`,
    );
  }
  return ms;
}
