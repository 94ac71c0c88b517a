/**
 * "Is a daemon running on this town?" The lock decides; the PID file only
 * says which PID. A PID file that names a dead or unrelated process never
 * makes the answer "running".
 *
 * @module
 */

import { readCheckedText } from "../adapters/checked_read.ts";
import { removeFile } from "../adapters/cli_fs.ts";
import { probeLock } from "../adapters/lock.ts";
import {
  describeProcess,
  foreignReason,
  type ProcessIdentity,
  readIdentity,
} from "../adapters/lock_holder.ts";
import { ownUid } from "../adapters/os.ts";
import { parsePid } from "../daemon/state.ts";
import { errorMessage } from "../errors.ts";
import { townPaths } from "../town/paths.ts";

/** The truth about a town's daemon. */
export interface DaemonProbe {
  /** True when this user's daemon holds the lock. */
  running: boolean;
  /** The lock holder's identity, when the kernel names it. */
  holder: ProcessIdentity | null;
  /**
   * When the lock is held by something that is not this user's daemon
   * (another user, a foreign command): a sentence naming it. `running` is
   * then false.
   */
  foreignHolder: string | null;
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
    pidText = await readCheckedText(paths.pid, { maxBytes: 4096 });
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
  const none = { holder: null, foreignHolder: null };
  if (!lock.held) {
    return { running: false, pid: null, pidFilePid, pidFileProblem, ...none };
  }
  const pid = lock.holderPid ?? pidFilePid;
  const holder = pid === null ? null : readIdentity(pid);
  const reason = holder ? foreignReason(holder, ownUid()) : null;
  if (holder && reason) {
    return {
      running: false,
      pid: null,
      pidFilePid,
      pidFileProblem,
      holder,
      foreignHolder: `The lock "${paths.lock}" is held by ${
        describeProcess(holder)
      }, which is not this user's daemon: ${reason}`,
    };
  }
  return {
    running: true,
    pid,
    pidFilePid,
    pidFileProblem,
    holder,
    foreignHolder: null,
  };
}

/** Removes a PID file that no running daemon stands behind. */
export async function removeStalePidFile(town: string): Promise<void> {
  try {
    await removeFile(townPaths(town).pid);
  } catch {
    // best effort: a directory or unwritable file stays
  }
}
