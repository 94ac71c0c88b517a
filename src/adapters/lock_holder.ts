/**
 * Who holds the daemon lock, from `/proc/<pid>/` (Linux): the real uid (the
 * `Uid:` line of `status`), the start time (field 22 of `stat`) and the
 * command line. `status`, `start` and `stop` use it to name a holder that
 * is not this user's daemon, and `stop` re-reads it right before each
 * signal so that a PID that was reused meanwhile is never signalled. The
 * reads are synchronous: `/proc` files are made in memory on each read.
 *
 * @module
 */

import { procStatFields } from "./os.ts";

/** A process's identity. */
export interface ProcessIdentity {
  pid: number;
  /** Real uid; null when it cannot be read. */
  uid: number | null;
  /** Start time in clock ticks since boot (field 22 of stat). */
  startTime: string | null;
  /** Command line; empty when it cannot be read. */
  argv: string[];
}

/** Reads the identity of `pid`; null when no such process exists. */
export function readIdentity(pid: number): ProcessIdentity | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let stat;
  try {
    stat = procStatFields(pid);
  } catch {
    stat = undefined;
  }
  if (stat === null) return null;
  let uid: number | null = null;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /^Uid:\s+(\d+)/m.exec(status);
    if (m) uid = Number(m[1]);
  } catch {
    // gone or unreadable: unknown
  }
  let argv: string[] = [];
  try {
    argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")
      .filter((a) => a !== "");
  } catch {
    // unknown
  }
  return { pid, uid, startTime: stat?.fields[19] ?? null, argv };
}

/** True when `b` is the same process as `a` (PID, uid, start time, argv). */
export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.uid === b.uid && a.startTime !== null &&
    a.startTime === b.startTime && a.argv.join("\0") === b.argv.join("\0");
}

/**
 * Why the lock holder `h` is not this user's daemon, or null when it is:
 * it must run as `ownUid` and be a daemon command line (`… run …` or
 * `… heartbeat --once …`, as this program or the Go `gt daemon run` has).
 */
export function foreignReason(
  h: ProcessIdentity,
  ownUid: number | null,
): string | null {
  if (ownUid !== null && h.uid !== null && h.uid !== ownUid) {
    return `it runs as uid ${h.uid}, not as this user (uid ${ownUid})`;
  }
  if (h.argv.length === 0) return null;
  const daemonLike = h.argv.includes("run") ||
    (h.argv.includes("heartbeat") && h.argv.includes("--once"));
  if (!daemonLike) return "its command is not a daemon";
  return null;
}

/** `PID 42 (uid 65534, command "flock daemon.lock sleep 600")`. */
export function describeProcess(h: ProcessIdentity): string {
  let cmd = JSON.stringify(h.argv.join(" "));
  if (cmd.length > 160) cmd = cmd.slice(0, 157) + '..."';
  return `PID ${h.pid} (uid ${h.uid ?? "unknown"}, command ${
    h.argv.length > 0 ? cmd : "unknown"
  })`;
}

/**
 * Sends `sig` to `identity.pid` only if that PID is still the same process
 * (see {@link sameProcess}); false when it is gone or another process now.
 */
export function signalIfSame(
  identity: ProcessIdentity,
  sig: Deno.Signal,
): boolean {
  const now = readIdentity(identity.pid);
  if (now === null || !sameProcess(identity, now)) return false;
  try {
    Deno.kill(identity.pid, sig);
    return true;
  } catch {
    return false;
  }
}
