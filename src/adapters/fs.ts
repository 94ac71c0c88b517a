/**
 * File-system access for the daemon. Contract: writes that other tools read
 * (`state.json`, `daemon.pid`, `pending.json`, the Boot status file) go to
 * `<path>.tmp` and are renamed over the target, so a reader never sees half a
 * file; a planted symlink at the temp path or the target is replaced, never
 * followed.
 *
 * Reads take regular files only: the file is opened with `O_NOFOLLOW` and
 * `O_NONBLOCK` (so neither a symlink nor a FIFO without a writer is
 * followed or waited on), checked with `fstat` on the open handle, and read
 * through that handle up to a byte cap. A symlink, FIFO, socket or device
 * at a town file is an error that names the path, never a hang or an
 * endless read.
 *
 * @module
 */

import { DEFAULT_MAX_READ, readRegularFile } from "./regular_file.ts";

/** File metadata the daemon uses. */
export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtimeMs: number | null;
}

/** The file-system port. */
export interface Fs {
  /** Reads a text file; null when it does not exist. Other errors throw. */
  readText(path: string, maxBytes?: number): Promise<string | null>;
  /** Writes `data` atomically (temp file + rename) with `mode`. */
  writeAtomic(path: string, data: string, mode?: number): Promise<void>;
  /** Appends text, creating the file with `mode` when missing. */
  append(path: string, data: string, mode?: number): Promise<void>;
  /** lstat; null when the path does not exist. */
  stat(path: string): Promise<FileInfo | null>;
  /** True when `path` is a directory, symlinks followed. */
  isDir(path: string): Promise<boolean>;
  /** Names of the entries of a directory, with their kinds; null if missing. */
  readDir(
    path: string,
  ): Promise<
    { name: string; isDirectory: boolean; isSymlink: boolean }[] | null
  >;
  /** `mkdir -p` with `mode`. */
  mkdirp(path: string, mode?: number): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
}

function toInfo(i: Deno.FileInfo): FileInfo {
  return {
    isFile: i.isFile,
    isDirectory: i.isDirectory,
    isSymlink: i.isSymlink,
    size: i.size,
    mtimeMs: i.mtime ? i.mtime.getTime() : null,
  };
}

/** The real file system. */
export const realFs: Fs = {
  async readText(path, maxBytes = DEFAULT_MAX_READ) {
    const bytes = await readRegularFile(path, maxBytes);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  },
  async writeAtomic(path, data, mode = 0o644) {
    await writeAtomic(path, data, mode);
  },
  async append(path, data, mode = 0o644) {
    await Deno.writeTextFile(path, data, { append: true, create: true, mode });
  },
  async stat(path) {
    try {
      return toInfo(await Deno.lstat(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  },
  async readDir(path) {
    try {
      const out: { name: string; isDirectory: boolean; isSymlink: boolean }[] =
        [];
      for await (const e of Deno.readDir(path)) {
        out.push({
          name: e.name,
          isDirectory: e.isDirectory,
          isSymlink: e.isSymlink,
        });
      }
      return out;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  },
  async isDir(path) {
    try {
      return (await Deno.stat(path)).isDirectory;
    } catch {
      return false;
    }
  },
  async mkdirp(path, mode = 0o755) {
    await Deno.mkdir(path, { recursive: true, mode });
  },
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  },
};

/**
 * Writes `data` to `<path>.tmp` (created exclusively after removing whatever
 * was there, so a symlink planted there is not followed), then renames it
 * over `path`. The temp file is removed when anything fails.
 */
export async function writeAtomic(
  path: string,
  data: string,
  mode = 0o644,
): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await Deno.remove(tmp);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  try {
    await Deno.writeTextFile(tmp, data, { createNew: true, mode });
    await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, path);
  } catch (err) {
    try {
      await Deno.remove(tmp);
    } catch {
      // nothing to clean up
    }
    throw err;
  }
}
