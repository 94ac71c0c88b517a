/**
 * `gt-daemon start`: spawn `run` fully detached, with the launch variables
 * of src/adapters/launch_env.ts, and wait, by polling, until the lock is held
 * and the PID file names the holder. Safe to run from cron every minute: an
 * already running daemon (or another `start` that won the race) is reported
 * with exit 0.
 *
 * @module
 */

import { systemClock } from "../adapters/clock.ts";
import { DaemonDirError, ensureDaemonDir } from "../adapters/daemon_dir.ts";
import { realFs } from "../adapters/fs.ts";
import { launchEnv } from "../adapters/launch_env.ts";
import { denoVersion, pidAlive, sleep } from "../adapters/os.ts";
import { spawnDetached } from "../adapters/spawn.ts";
import { AppError, errorMessage, UsageError } from "../errors.ts";
import { goDuration } from "../gotime.ts";
import { townPaths } from "../town/paths.ts";
import {
  ALLOW_UNSUPPORTED_ENV,
  ALLOW_UNSUPPORTED_FLAG,
  allowUnsupportedEnv,
  PROGRAM,
  runtimeGate,
} from "../version.ts";
import { type CliIo, resolveInterval, resolveTown, styler } from "./common.ts";
import { parseFlags } from "./flags.ts";
import { probeDaemon } from "./probe.ts";
import {
  RUN_FLAGS,
  runFlagArgv,
  type RunOptions,
  runOptionsFrom,
} from "./run_flags.ts";

/** Parsed `start` options: every `run` option, passed on, and its own. */
export interface StartOptions extends RunOptions {
  quiet: boolean;
  /** Readiness deadline in ms. */
  waitMs: number;
}

/** Parses `start` arguments. */
export function parseStartArgs(args: string[]): StartOptions {
  try {
    const { values } = parseFlags(args, {
      ...RUN_FLAGS,
      quiet: { type: "boolean", short: "q" },
      wait: { type: "string" },
    });
    const out: StartOptions = {
      ...runOptionsFrom(values),
      quiet: values.quiet ?? false,
      waitMs: 15_000,
    };
    if (values.wait !== undefined) {
      const n = Number(values.wait);
      if (!Number.isFinite(n) || n <= 0) {
        throw new Error(`--wait takes seconds, got "${values.wait}"`);
      }
      out.waitMs = n * 1000;
    }
    return out;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`Invalid arguments for "start": ${errorMessage(err)}`);
  }
}

/** How to re-run this program (`[deno, run, …flags, main.ts]` or `[binary]`). */
export type SelfCommand = () => string[];

/** Runs `start`; returns the exit code. */
export async function runStart(
  io: CliIo,
  opts: StartOptions,
  self: SelfCommand,
): Promise<number> {
  // The daemon started here runs on this same runtime (Deno.execPath()).
  const allow = opts.allowUnsupportedDeno ||
    allowUnsupportedEnv(io.env[ALLOW_UNSUPPORTED_ENV]);
  const gate = runtimeGate(denoVersion(), allow);
  if (gate.refusal !== null) throw new AppError(gate.refusal);
  const town = await resolveTown(io, opts.town);
  const intervalMs = resolveInterval(io, opts.interval);
  const s = styler(io);
  const say = (text: string) => {
    if (!opts.quiet) io.stdout(text + "\n");
  };

  const before = await probeDaemon(town);
  if (before.foreignHolder !== null) {
    throw new AppError(
      `${before.foreignHolder}; the daemon cannot start until it lets go: end that process, or remove "${
        townPaths(town).lock
      }" (no daemon of yours holds it) and start again`,
    );
  }
  if (before.running) {
    say(s.running(`Daemon already running (PID ${before.pid ?? "unknown"})`));
    return 0;
  }

  // The child's stderr is the null device: a daemon directory it cannot
  // write would fail without a word, so check it here first.
  const paths = townPaths(town);
  try {
    await ensureDaemonDir(paths.daemonDir);
  } catch (err) {
    if (err instanceof DaemonDirError) throw err;
    throw new AppError(
      `Cannot create the daemon directory "${paths.daemonDir}": ${
        errorMessage(err)
      }`,
      { cause: err },
    );
  }
  try {
    await realFs.append(paths.log, "", 0o600);
  } catch (err) {
    throw new AppError(
      `Cannot write the daemon log "${paths.log}": ${errorMessage(err)}`,
      { cause: err },
    );
  }
  const argv = [
    ...self(),
    "run",
    "--town",
    town,
    "--interval",
    goDuration(intervalMs),
    ...(allow ? [ALLOW_UNSUPPORTED_FLAG] : []),
    ...runFlagArgv(opts),
  ];
  let child;
  try {
    // The launch variables must be there when the process starts.
    child = spawnDetached(argv, { cwd: town, env: launchEnv(io.env) });
  } catch (err) {
    throw new AppError(`Cannot start the daemon: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let exitCode: number | null = null;
  child.exited.then((c) => (exitCode = c), () => (exitCode = -1));

  const deadline = systemClock.now() + opts.waitMs;
  while (systemClock.now() < deadline) {
    const probe = await probeDaemon(town);
    if (probe.running && probe.pid !== null && probe.pidFilePid === probe.pid) {
      if (probe.pid === child.pid) {
        say(s.ok(`Daemon started (PID ${probe.pid})`));
      } else {
        say(s.running(`Daemon already running (PID ${probe.pid})`));
      }
      return 0;
    }
    if (exitCode !== null && !probe.running) {
      // The child ended and nobody holds the lock: a real failure. Give a
      // concurrent winner a moment to appear before reporting it.
      await sleep(100);
      const again = await probeDaemon(town);
      if (again.running) continue;
      const reason = await startupFailure(town, child.pid);
      if (exitCode === 0 && reason === null) {
        // A clean exit: it ran, and a stop (or a signal) ended it first.
        throw new AppError(
          `Daemon (PID ${child.pid}) started but was stopped before it was seen ready; check '${PROGRAM} logs'`,
        );
      }
      throw new AppError(
        `Daemon failed to start (PID ${child.pid}, exit ${exitCode})` +
          (reason ? `: ${reason}` : `; check '${PROGRAM} logs'`),
      );
    }
    await sleep(25);
  }
  const alive = await pidAlive(child.pid);
  throw new AppError(
    `Daemon did not become ready within ${
      goDuration(opts.waitMs)
    } (PID ${child.pid}, ${
      alive ? "still running" : "exited"
    }); check '${PROGRAM} logs'`,
  );
}

/** The reason the daemon with `pid` logged for failing to start, if any. */
export async function startupFailure(
  town: string,
  pid: number,
): Promise<string | null> {
  let text: string | null = null;
  try {
    text = await realFs.readText(townPaths(town).log);
  } catch {
    return null;
  }
  if (text === null) return null;
  const marker = `Daemon startup failed (PID ${pid}): `;
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i]!.indexOf(marker);
    if (at >= 0) return lines[i]!.slice(at + marker.length);
  }
  return null;
}
