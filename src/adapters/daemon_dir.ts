/**
 * `<town>/daemon/`, the daemon's private directory: created 0700 whatever
 * the umask, and used only when it is a real directory owned by this user.
 * One that is group- or world-accessible loses those bits (the owner's
 * stay); one owned by
 * another user (or a symlink) is refused with an error that says so, since
 * whoever owns it decides the lock, the PID file and the restored state.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** The mode of the daemon directory. */
export const DAEMON_DIR_MODE = 0o700;

/** What {@link ensureDaemonDir} did. */
export interface DaemonDirResult {
  /** True when the directory was created. */
  created: boolean;
  /** The loose mode it had when group and other bits were removed, else null. */
  tightenedFrom: number | null;
}

/** The directory cannot be used safely. */
export class DaemonDirError extends AppError {}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * Creates `dir` (mode 0700; its parent, the town, must exist) or checks
 * the existing one: a directory, not a symlink, owned by this process's
 * user; group and other permissions are removed. Throws
 * {@link DaemonDirError} when it cannot be used.
 */
export async function ensureDaemonDir(dir: string): Promise<DaemonDirResult> {
  let created = false;
  try {
    await Deno.mkdir(dir, { mode: DAEMON_DIR_MODE });
    created = true;
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  const info = await Deno.lstat(dir);
  if (info.isSymlink) {
    throw new DaemonDirError(
      `Refusing daemon directory "${dir}": it is a symlink; replace it with a directory`,
    );
  }
  if (!info.isDirectory) {
    throw new DaemonDirError(
      `Refusing daemon directory "${dir}": it is not a directory`,
    );
  }
  const uid = Deno.uid();
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    throw new DaemonDirError(
      `Refusing daemon directory "${dir}": it is owned by uid ${info.uid}, not by this user (uid ${uid}); whoever owns it controls the daemon's lock and state: remove it or give it to this user`,
    );
  }
  const mode = info.mode ?? DAEMON_DIR_MODE;
  if (created) {
    await Deno.chmod(dir, DAEMON_DIR_MODE);
  } else if ((mode & 0o077) !== 0) {
    // Only the group and other bits go: the owner's stay as they are.
    await Deno.chmod(dir, mode & 0o700);
  }
  return {
    created,
    tightenedFrom: !created && (mode & 0o077) !== 0 ? mode & 0o777 : null,
  };
}

/** A log line for a directory that was tightened, or null. */
export function daemonDirNote(
  dir: string,
  result: DaemonDirResult,
): string | null {
  if (result.tightenedFrom === null) return null;
  return `Warning: daemon directory "${dir}" was ${
    octal(result.tightenedFrom)
  }; removed the group and other permissions (other users could reach the lock and state files)`;
}
