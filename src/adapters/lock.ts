/**
 * The daemon lock: an exclusive, non-blocking BSD `flock` on
 * `<town>/daemon/daemon.lock`, the same lock the Go daemon and `flock(1)`
 * take. The lock file is never deleted. The one open file is kept for the
 * life of the process; the kernel releases the lock when the process dies.
 *
 * Probing ("who holds it?") reads `/proc/<pid>/fdinfo` of the PID file's
 * process, then `/proc/locks`, on Linux; neither touches the lock, so a
 * `status` or `start` probe can never make a starting daemon lose its lock
 * race. Elsewhere the probe takes and releases the lock.
 *
 * @module
 */

/** A held lock; release it with {@link HeldLock.release}. */
export interface HeldLock {
  /** Unlocks and closes the file. */
  release(): void;
  /** True when `path` is still the locked file (not removed or replaced). */
  isAt(path: string): Promise<boolean>;
}

/**
 * Opens (creating, mode 0600) and tries to lock `path`; null when held. Once
 * held, a lock file of ours that others can open is made 0600: `flock`
 * needs only read access, so a lock file others can read is one they can
 * hold.
 */
export async function tryLockFile(path: string): Promise<HeldLock | null> {
  // A symlink planted at the lock path is not our lock file: locking its
  // target (or creating it) would let someone else's file decide.
  try {
    if ((await Deno.lstat(path)).isSymlink) await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const file = await Deno.open(path, {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } finally {
    if (!locked) file.close();
  }
  if (!locked) return null;
  const held = await file.stat();
  // A lock file others can open is tightened (never via a symlink).
  try {
    const info = await Deno.lstat(path);
    if (
      info.isFile && info.mode !== null && (info.mode & 0o077) !== 0 &&
      info.uid === Deno.uid()
    ) {
      await Deno.chmod(path, 0o600);
    }
  } catch {
    // best effort: holding the lock is what matters
  }
  return {
    async isAt(p) {
      try {
        const now = await Deno.lstat(p);
        return now.ino === held.ino && now.dev === held.dev;
      } catch {
        return false;
      }
    },
    release() {
      try {
        file.unlockSync();
      } catch {
        // closing releases it anyway
      }
      try {
        file.close();
      } catch {
        // already closed
      }
    },
  };
}

/** What a probe found out about a lock file. */
export interface LockProbe {
  /** True when some process holds an exclusive lock on the file. */
  held: boolean;
  /** The holder's PID when the kernel tells it (Linux); else null. */
  holderPid: number | null;
}

/**
 * Finds out whether `path` is locked without disturbing the holder.
 * `pidHint` (the PID file's PID) is asked first, through that process's
 * `/proc/<pid>/fdinfo`, which is exact and cheap. `/proc/locks` comes next:
 * its first read in a process is slow (5 to 20 ms here, a second one
 * 0.1 ms: more than all the rest of `status`). It is handed out a page at a
 * time, so while other locks come and go (every Deno process holds a few
 * hundred SQLite locks on its cache) a listing of several pages can miss an
 * entry; such a listing without the lock is read again before the lock
 * counts as not held.
 */
export async function probeLock(
  path: string,
  pidHint: number | null = null,
): Promise<LockProbe> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { held: false, holderPid: null };
    }
    throw err;
  }
  const viaProc = await probeProcLocks(info, pidHint);
  if (viaProc) return viaProc;
  const held = await tryLockFile(path);
  if (held) {
    held.release();
    return { held: false, holderPid: null };
  }
  return { held: true, holderPid: null };
}

/** A `/proc/locks` shorter than this came in one read: a consistent listing. */
const ONE_READ_BYTES = 3_500;

async function probeProcLocks(
  info: Deno.FileInfo,
  pidHint: number | null,
): Promise<LockProbe | null> {
  if (Deno.build.os !== "linux" || info.ino === null || info.dev === null) {
    return null;
  }
  if (pidHint !== null && fdinfoHoldsLock(pidHint, info)) {
    return { held: true, holderPid: pidHint };
  }
  let found: LockProbe = { held: false, holderPid: null };
  for (let attempt = 0; attempt < 5; attempt++) {
    let text: string;
    try {
      text = await Deno.readTextFile("/proc/locks");
    } catch {
      return null;
    }
    found = parseProcLocks(text, info.dev, info.ino);
    // A listing of several pages may have skipped the line: read it again.
    if (found.held || text.length < ONE_READ_BYTES) return found;
  }
  return found;
}

/**
 * True when process `pid` holds an exclusive FLOCK on the file `info`
 * describes: its `/proc/<pid>/fdinfo/<fd>` entries list the locks taken
 * through each open file, one `lock:\t<line as in /proc/locks>` each. The
 * reads are synchronous: these files are made in memory from the process's
 * fd table (nothing of the files behind the fds is touched), and a daemon
 * has a few dozen, which one by one through the thread pool took longer.
 */
export function fdinfoHoldsLock(
  pid: number,
  info: Deno.FileInfo,
): boolean {
  if (
    Deno.build.os !== "linux" || info.ino === null || info.dev === null ||
    !Number.isInteger(pid) || pid <= 0
  ) return false;
  const dir = `/proc/${pid}/fdinfo`;
  try {
    for (const e of Deno.readDirSync(dir)) {
      let text: string;
      try {
        text = Deno.readTextFileSync(`${dir}/${e.name}`);
      } catch {
        continue;
      }
      if (!text.includes("FLOCK")) continue;
      const lines = text.split("\n").filter((l) => l.startsWith("lock:"))
        .map((l) => l.slice("lock:".length));
      const probe = parseProcLocks(lines.join("\n"), info.dev, info.ino);
      if (probe.held && probe.holderPid === pid) return true;
    }
  } catch {
    // no such process, or its fds are not ours to read
  }
  return false;
}

/**
 * Finds an exclusive FLOCK on (dev, ino) in the text of `/proc/locks`.
 * Lines look like `1: FLOCK  ADVISORY  WRITE 4242 fd:01:131 0 EOF`.
 */
export function parseProcLocks(
  text: string,
  dev: number,
  ino: number,
): LockProbe {
  const major = Number((BigInt(dev) >> 8n) & 0xfffn) |
    Number((BigInt(dev) >> 32n) & ~0xfffn);
  const minor = Number(BigInt(dev) & 0xffn) |
    Number((BigInt(dev) >> 12n) & ~0xffn);
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    // "N:" FLOCK ADVISORY WRITE pid maj:min:ino start end; blocked waiters
    // carry an extra "->" field after the index.
    const i = parts[1] === "->" ? 2 : 1;
    if (parts[i] !== "FLOCK" || parts[i + 2] !== "WRITE") continue;
    const pid = Number(parts[i + 3]);
    const id = parts[i + 4]?.split(":");
    if (!id || id.length !== 3 || parts[1] === "->") continue;
    const [ma, mi, inode] = id;
    if (
      Number(inode) === ino && parseInt(ma ?? "", 16) === major &&
      parseInt(mi ?? "", 16) === minor
    ) {
      return { held: true, holderPid: Number.isFinite(pid) ? pid : null };
    }
  }
  return { held: false, holderPid: null };
}
