/**
 * Opening town files only when they are regular files. The last path
 * component is opened with `O_NOFOLLOW` (a symlink is refused, never
 * followed) and `O_NONBLOCK` (a FIFO without a writer does not block the
 * open), then checked with `fstat` on the open handle, so what was checked
 * is what gets read or written. Everything after that goes through the
 * handle; reads stop at a byte cap.
 *
 * @module
 */

import { constants, type FileHandle, open } from "node:fs/promises";
import {
  DEFAULT_MAX_READ,
  isNotFound,
  isSymlinkLoop,
  notRegularFile,
  readCapped,
  specialKind,
} from "./regular_checks.ts";

export { DEFAULT_MAX_READ, isNotFound };

const BASE_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK |
  (constants.O_NOCTTY ?? 0);

const FLAGS = {
  read: constants.O_RDONLY | BASE_FLAGS,
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT |
    BASE_FLAGS,
} as const;

/**
 * Opens the regular file at `path` for reading, or for appending (created
 * with `mode` when missing). Throws `Not a regular file: …` for a symlink,
 * FIFO, socket, device or directory; a missing file for reading throws the
 * platform's ENOENT error (see {@link isNotFound}).
 */
export async function openRegular(
  path: string,
  how: "read" | "append",
  mode = 0o644,
): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS[how], mode);
  } catch (err) {
    if (isSymlinkLoop(err)) throw notRegularFile(path, "a symlink", err);
    throw err;
  }
  try {
    const info = await handle.stat();
    if (info.isFile()) return handle;
    throw notRegularFile(
      path,
      specialKind({
        isDirectory: info.isDirectory(),
        isFifo: info.isFIFO(),
        isSocket: info.isSocket(),
        isSymlink: false,
      }),
    );
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Reads the regular file at `path`, at most `maxBytes` bytes; null when it
 * does not exist. Throws when the path is not a regular file (see
 * {@link openRegular}) or holds more than `maxBytes` bytes, also when it
 * grows past the cap while being read.
 */
export async function readRegularFile(
  path: string,
  maxBytes: number = DEFAULT_MAX_READ,
): Promise<Uint8Array | null> {
  let handle: FileHandle;
  try {
    handle = await openRegular(path, "read");
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    return await readCapped(
      path,
      size,
      maxBytes,
      async (buf, offset) =>
        (await handle.read(buf, offset, buf.length - offset, null)).bytesRead,
    );
  } finally {
    await handle.close();
  }
}
