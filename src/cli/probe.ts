/**
 * "Is a daemon running on this town?" The lock decides; the PID file only
 * says which PID. A PID file that names a dead or unrelated process never
 * makes the answer "running".
 *
 * @module
 */

import { realFs } from "../adapters/fs.ts";
import { probeLock } from "../adapters/lock.ts";
import { parsePid } from "../daemon/state.ts";
import { errorMessage } from "../errors.ts";
import { townPaths } from "../town/paths.ts";

/** The truth about a town's daemon. */
export interface DaemonProbe {
  running: boolean;
  /** The daemon's PID (lock holder, else the PID file) when running. */
  pid: number | null;
  /** What the PID file says, parsed; null when missing or unparsable. */
  pidFilePid: number | null;
  /** Why the PID file could not be used, when it could not. */
  pidFileProblem: string | null;
}

/** Probes the lock and reads the PID file. */
export async function probeDaemon(town: string): Promise<DaemonProbe> {
  const paths = townPaths(town);
  let pidText: string | null = null;
  let pidFileProblem: string | null = null;
  try {
    pidText = await realFs.readText(paths.pid, 4096);
  } catch (err) {
    pidFileProblem = `Cannot read PID file "${paths.pid}": ${
      errorMessage(err)
    }`;
  }
  const pidFilePid = parsePid(pidText);
  if (pidText !== null && pidFilePid === null) {
    pidFileProblem = `PID file "${paths.pid}" does not hold a PID: ${
      JSON.stringify(pidText.slice(0, 40))
    }`;
  }
  const lock = await probeLock(paths.lock, pidFilePid);
  if (!lock.held) {
    return { running: false, pid: null, pidFilePid, pidFileProblem };
  }
  return {
    running: true,
    pid: lock.holderPid ?? pidFilePid,
    pidFilePid,
    pidFileProblem,
  };
}

/** Removes a PID file that no running daemon stands behind. */
export async function removeStalePidFile(town: string): Promise<void> {
  try {
    await realFs.remove(townPaths(town).pid);
  } catch {
    // best effort: a directory or unwritable file stays
  }
}
