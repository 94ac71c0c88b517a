/**
 * Keeping the town lock meaningful while the daemon runs. A lock on a file
 * that was removed (with `daemon/` or on its own) excludes nobody: a second
 * daemon would lock the new file. Before each state save the keeper checks
 * that the held file is still the one at the lock path; when it is not, it
 * re-creates `daemon/` (0700), locks the new file and rewrites the PID file.
 *
 * @module
 */

import { ensureDaemonDir } from "../adapters/daemon_dir.ts";
import { realFs } from "../adapters/fs.ts";
import { type HeldLock, tryLockFile } from "../adapters/lock.ts";
import type { Log } from "../log.ts";
import type { TownPaths } from "../town/paths.ts";

/** Holds the daemon's lock (and any taken again) until released. */
export class LockKeeper {
  readonly #locks: HeldLock[];
  readonly #paths: TownPaths;
  readonly #pid: number;
  readonly #log: Log;

  /** Starts from the lock taken at startup. */
  constructor(
    first: HeldLock,
    opts: { paths: TownPaths; pid: number; log: Log },
  ) {
    this.#locks = [first];
    this.#paths = opts.paths;
    this.#pid = opts.pid;
    this.#log = opts.log;
  }

  /**
   * Re-creates what was removed; false when another process got the new
   * lock file first (the daemon must stop).
   */
  async ensure(): Promise<boolean> {
    const paths = this.#paths;
    if (await this.#locks[this.#locks.length - 1]!.isAt(paths.lock)) {
      return true;
    }
    const dir = await ensureDaemonDir(paths.daemonDir);
    this.#log.log(
      dir.created
        ? `Warning: daemon directory "${paths.daemonDir}" was removed; re-created it`
        : `Warning: lock file "${paths.lock}" was removed or replaced; locking it again`,
    );
    const again = await tryLockFile(paths.lock);
    if (again === null) {
      this.#log.log("Error: another process holds the new lock file; stopping");
      return false;
    }
    this.#locks.push(again);
    await realFs.writeAtomic(paths.pid, String(this.#pid), 0o644);
    return true;
  }

  /** Releases every lock held. */
  release(): void {
    for (const l of this.#locks) l.release();
  }
}
