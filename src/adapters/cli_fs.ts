/**
 * The small file-system ports of the CLI commands: town discovery asks
 * whether paths exist (synchronous calls: a command waits on each anyway,
 * and they skip the runtime's thread-pool round trips), `status` removes a stale PID file, `service` writes
 * and removes unit files.
 *
 * @module
 */

/** Existence checks for town discovery. */
export const discoverFs = {
  /** True when `path` exists (symlinks followed). */
  exists(path: string): Promise<boolean> {
    try {
      Deno.statSync(path);
      return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
  },
  /** True when `path` is a directory (symlinks followed). */
  isDir(path: string): Promise<boolean> {
    try {
      return Promise.resolve(Deno.statSync(path).isDirectory);
    } catch {
      return Promise.resolve(false);
    }
  },
};

/** Removes `path`; false when it did not exist. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Unit-file writes for `service install|uninstall`. */
export const serviceFs = {
  /** Writes `text` to `path`, creating its directory. */
  async writeFile(path: string, text: string): Promise<void> {
    await Deno.mkdir(path.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(path, text);
  },
  /** Removes `path`; false when it did not exist. */
  removeFile,
  /** `mkdir -p`. */
  async ensureDir(path: string): Promise<void> {
    await Deno.mkdir(path, { recursive: true });
  },
};
