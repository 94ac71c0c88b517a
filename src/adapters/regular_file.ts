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

/** The default byte cap of {@link readRegularFile}. */
export const DEFAULT_MAX_READ = 64 * 1024 * 1024;

const BASE_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK |
  (constants.O_NOCTTY ?? 0);

const FLAGS = {
  read: constants.O_RDONLY | BASE_FLAGS,
  append: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT |
    BASE_FLAGS,
} as const;

function nodeCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for the error of opening a path that does not exist. */
export function isNotFound(err: unknown): boolean {
  return nodeCode(err) === "ENOENT" || err instanceof Deno.errors.NotFound;
}

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
    if (nodeCode(err) === "ELOOP") {
      throw new Error(`Not a regular file: "${path}" is a symlink`, {
        cause: err,
      });
    }
    throw err;
  }
  try {
    const info = await handle.stat();
    if (info.isFile()) return handle;
    const kind = info.isFIFO()
      ? "a FIFO"
      : info.isDirectory()
      ? "a directory"
      : info.isSocket()
      ? "a socket"
      : "a device";
    throw new Error(`Not a regular file: "${path}" is ${kind}`);
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
    const tooLarge = (n: number) =>
      new Error(
        `File too large: "${path}" is ${
          n === size ? "" : "at least "
        }${n} bytes (limit ${maxBytes})`,
      );
    if (size > maxBytes) throw tooLarge(size);
    // One byte past the cap tells a file that grew meanwhile.
    let buf = new Uint8Array(Math.min(size, maxBytes) + 1);
    let n = 0;
    while (true) {
      if (n === buf.length) {
        if (n > maxBytes) throw tooLarge(n);
        const bigger = new Uint8Array(
          Math.min(maxBytes + 1, Math.max(n * 2, 4096)),
        );
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) return buf.subarray(0, n);
      n += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
