/**
 * `gt-daemon stop [--timeout S]`: SIGTERM to the lock holder, poll the lock
 * until it is released, SIGKILL after the timeout. Not running is not an
 * error (exit 0), so service managers and scripts can call it blindly.
 *
 * @module
 */

import { systemClock } from "../adapters/clock.ts";
import { readIdentity, signalIfSame } from "../adapters/lock_holder.ts";
import { sendSignal, sleep } from "../adapters/os.ts";
import { AppError, errorMessage, UsageError } from "../errors.ts";
import { goDuration } from "../gotime.ts";
import { type CliIo, resolveTown, styler } from "./common.ts";
import { parseFlags } from "./flags.ts";
import { probeDaemon, removeStalePidFile } from "./probe.ts";

/** Parsed `stop` options. */
export interface StopOptions {
  town?: string;
  timeoutMs: number;
  quiet: boolean;
}

/** Parses `stop` arguments. */
export function parseStopArgs(args: string[]): StopOptions {
  try {
    const { values } = parseFlags(args, {
      town: { type: "string" },
      timeout: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    });
    const out: StopOptions = {
      timeoutMs: 10_000,
      quiet: values.quiet ?? false,
    };
    if (values.town !== undefined) out.town = values.town;
    if (values.timeout !== undefined) {
      const n = Number(values.timeout);
      if (!Number.isFinite(n) || n < 0) {
        throw new Error(`--timeout takes seconds, got "${values.timeout}"`);
      }
      out.timeoutMs = n * 1000;
    }
    return out;
  } catch (err) {
    throw new UsageError(`Invalid arguments for "stop": ${errorMessage(err)}`);
  }
}

/** Runs `stop`; returns the exit code. */
export async function runStop(io: CliIo, opts: StopOptions): Promise<number> {
  const town = await resolveTown(io, opts.town);
  const s = styler(io);
  const say = (text: string) => {
    if (!opts.quiet) io.stdout(text + "\n");
  };
  const probe = await probeDaemon(town);
  if (probe.foreignHolder !== null) {
    throw new AppError(`${probe.foreignHolder}; not signalling it`);
  }
  if (!probe.running) {
    if (probe.pidFilePid !== null) await removeStalePidFile(town);
    say(s.stopped("Daemon is not running"));
    return 0;
  }
  const pid = probe.pid;
  if (pid === null) {
    throw new AppError(
      "Daemon holds the lock but its PID is unknown: the PID file is missing or unreadable",
    );
  }
  // Signals go only to the process the probe saw: its uid, start time and
  // command are read again right before each one, so a PID that was
  // reused after the daemon exited is never signalled.
  const identity = probe.holder ?? readIdentity(pid);
  const signal = (sig: Deno.Signal): boolean =>
    identity === null
      ? sendSignal(pid, sig) // no /proc here
      : signalIfSame(identity, sig);
  signal("SIGTERM");
  const released = async (ms: number) => {
    const deadline = systemClock.now() + ms;
    while (systemClock.now() < deadline) {
      if (!(await probeDaemon(town)).running) return true;
      await sleep(25);
    }
    return !(await probeDaemon(town)).running;
  };
  if (await released(opts.timeoutMs)) {
    say(s.ok(`Daemon stopped (was PID ${pid})`));
    return 0;
  }
  if (!signal("SIGKILL")) {
    throw new AppError(
      `Daemon (PID ${pid}) did not release the lock within ${
        goDuration(opts.timeoutMs)
      }, and PID ${pid} is no longer that process; not signalling it`,
    );
  }
  if (await released(5_000)) {
    await removeStalePidFile(town);
    say(s.ok(`Daemon stopped (was PID ${pid})`));
    say(
      s.warn(
        `It did not exit within ${
          goDuration(opts.timeoutMs)
        } of SIGTERM and was killed`,
      ),
    );
    return 0;
  }
  throw new AppError(`Daemon (PID ${pid}) still holds the lock after SIGKILL`);
}
