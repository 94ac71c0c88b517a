/**
 * Reading a town file in a one-shot command (`status`, `stop`, `start`)
 * with Deno's own file API: the same refusals as `regular_file.ts`, which
 * the daemon uses, without loading the Node layer that `O_NOFOLLOW` and
 * `O_NONBLOCK` need (`node:fs/promises` alone costs more than `status` does
 * itself; docs/performance.md). `Deno.open` takes no such flags, so:
 *
 * 1. `lstat` the path: anything but a regular file (symlink, FIFO, socket,
 *    device, directory) is refused with the `Not a regular file: …` message
 *    of `regular_file.ts`, before any open.
 * 2. Open it read-only.
 * 3. `fstat` the handle: it must be a regular file with the device and inode
 *    the `lstat` saw. A different inode means the path was replaced between
 *    the two; a regular file there (the daemon renames `state.json` over
 *    itself each heartbeat) is checked again from step 1, up to three times;
 *    anything else is refused. What was checked is what gets read.
 * 4. Read through the handle, at most `maxBytes` bytes.
 *
 * Only the open is asynchronous, so that it can be bounded; the rest are
 * synchronous calls, which for a command that does nothing else meanwhile
 * save the runtime's thread-pool round trips.
 *
 * What is left is a swap in the gap between steps 1 and 2: the open then
 * follows whatever was put there. A symlink or a device is opened but
 * refused at step 3 unread. A FIFO without a writer would block the open, so
 * the open is raced against a timer on the injected clock and given up on
 * after {@link OPEN_TIMEOUT_MS} (a V8 timer, `boundingTimers`, as the
 * global `setTimeout` is Node's in Deno 2.9); the blocked open keeps one thread of the
 * runtime's pool until a writer comes or the command exits (its file, if it
 * ever opens, is closed). Opening read-write instead would not block on a
 * FIFO, but it needs write permission on files these commands only read
 * (the PID and state files of another user's town, read-only copies), so
 * it is not used. The daemon itself, which runs for months, keeps the
 * `O_NONBLOCK` open of `regular_file.ts` and never leaves a thread blocked.
 *
 * @module
 */

import { boundingTimers, type Clock } from "./clock.ts";
import {
  DEFAULT_MAX_READ,
  isNotFound,
  notRegularFile,
  readCapped,
  specialKind,
} from "./regular_checks.ts";

/** How long the open may take before it is given up on. */
export const OPEN_TIMEOUT_MS = 2_000;

/** Attempts when the path is replaced by another regular file mid-read. */
const ATTEMPTS = 3;

/** Options of {@link readChecked}. */
export interface CheckedReadOptions {
  /** Byte cap; {@link DEFAULT_MAX_READ} by default. */
  maxBytes?: number;
  /**
   * The clock of the open's deadline; {@link boundingTimers} by default
   * (the global `setTimeout` would load the Node layer).
   */
  clock?: Pick<Clock, "timer">;
  /** The open's deadline; {@link OPEN_TIMEOUT_MS} by default. */
  openTimeoutMs?: number;
  /** Runs between the `lstat` and the open (tests replace the file there). */
  beforeOpen?: () => void | Promise<void>;
  /**
   * Told of an open given up on at the deadline, with a promise that
   * settles once that open does and its file, if any, is closed.
   */
  onAbandoned?: (settled: Promise<void>) => void;
}

function kindOf(info: Deno.FileInfo) {
  return specialKind({
    isDirectory: info.isDirectory,
    isFifo: info.isFifo === true,
    isSocket: info.isSocket === true,
    isSymlink: info.isSymlink,
  });
}

/** `Deno.open(path)` read-only, or an error once `ms` have passed. */
function openWithin(
  path: string,
  ms: number,
  clock: Pick<Clock, "timer">,
  onAbandoned: CheckedReadOptions["onAbandoned"],
): Promise<Deno.FsFile> {
  const opening = Deno.open(path, { read: true });
  return new Promise((resolve, reject) => {
    let decided = false;
    const timer = clock.timer(ms, () => {
      if (decided) return;
      decided = true;
      const settled = opening.then((f) => f.close(), () => {});
      onAbandoned?.(settled);
      reject(
        new Error(
          `Timed out opening "${path}" after ${ms} ms: it was a regular file when checked, so it was replaced (a FIFO blocks an open) or the file system hangs`,
        ),
      );
    });
    opening.then((file) => {
      if (decided) return;
      decided = true;
      timer.cancel();
      resolve(file);
    }, (err) => {
      if (decided) return;
      decided = true;
      timer.cancel();
      reject(err);
    });
  });
}

/**
 * Reads the regular file at `path` as the module doc describes; null when
 * it does not exist. Throws `Not a regular file: …` for anything else,
 * `File too large: …` past the cap, and when the open does not finish in
 * time.
 */
export async function readChecked(
  path: string,
  options: CheckedReadOptions = {},
): Promise<Uint8Array | null> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ;
  const clock = options.clock ?? boundingTimers;
  const timeout = options.openTimeoutMs ?? OPEN_TIMEOUT_MS;
  for (let attempt = 1;; attempt++) {
    let checked: Deno.FileInfo;
    try {
      checked = Deno.lstatSync(path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    if (!checked.isFile) throw notRegularFile(path, kindOf(checked));
    await options.beforeOpen?.();
    let file: Deno.FsFile;
    try {
      file = await openWithin(path, timeout, clock, options.onAbandoned);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      const opened = file.statSync();
      if (!opened.isFile) throw notRegularFile(path, kindOf(opened));
      if (opened.dev !== checked.dev || opened.ino !== checked.ino) {
        if (attempt < ATTEMPTS) continue;
        throw new Error(
          `File kept changing: "${path}" was replaced between its check and its open ${ATTEMPTS} times in a row`,
        );
      }
      return await readCapped(
        path,
        opened.size,
        maxBytes,
        (buf, offset) =>
          Promise.resolve(file.readSync(buf.subarray(offset)) ?? 0),
      );
    } finally {
      file.close();
    }
  }
}

/** {@link readChecked} decoded as UTF-8. */
export async function readCheckedText(
  path: string,
  options: CheckedReadOptions = {},
): Promise<string | null> {
  const bytes = await readChecked(path, options);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}
