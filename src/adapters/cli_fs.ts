/**
 * The small file-system ports of the CLI commands: town discovery asks
 * whether paths exist, `status` removes a stale PID file, `service` writes
 * and removes unit files.
 *
 * @module
 */

/** Existence checks for town discovery. */
export const discoverFs = {
  /** True when `path` exists (symlinks followed). */
  async exists(path: string): Promise<boolean> {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      return false;
    }
  },
  /** True when `path` is a directory (symlinks followed). */
  async isDir(path: string): Promise<boolean> {
    try {
      return (await Deno.stat(path)).isDirectory;
    } catch {
      return false;
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
