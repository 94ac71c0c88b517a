/**
 * Processes in the adversarial suite: the daemon run in the foreground (so
 * a test owns its PID, its stderr and its exit status), the stand-in
 * processes a harness started, children and command lines from /proc, and
 * lock owners from /proc/locks.
 *
 * @module
 */

import { alive, MAIN } from "../helpers/cli.ts";
import type { Harness } from "../helpers/harness.ts";

/** A daemon (`main.ts run`) started by a test in the foreground. */
export interface DaemonProc {
  pid: number;
  /** Resolves when it exits, with its code, signal and whole stderr. */
  exited: Promise<{ code: number; signal: string | null; stderr: string }>;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Sends a signal (ignores a process that is gone). */
  signal(sig: Deno.Signal): void;
  /** SIGKILLs it if still running and waits for it. */
  close(): Promise<void>;
  /** Ends it as shutdown does, with SIGTERM, and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts `main.ts run --town <town> --interval <interval>` with the
 * harness environment (plus `env`), optionally under `prefix` (e.g.
 * `asPlainUser()` from `support.ts`).
 */
export function spawnDaemon(
  h: Harness,
  options: {
    interval?: string;
    env?: Record<string, string>;
    prefix?: string[];
    args?: string[];
  } = {},
): DaemonProc {
  const argv = [
    ...(options.prefix ?? []),
    Deno.execPath(),
    "run",
    "--allow-all",
    "--quiet",
    MAIN,
    "run",
    "--town",
    h.town,
    "--interval",
    options.interval ?? "100ms",
    ...(options.args ?? []),
  ];
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd: h.town,
    env: { ...h.env, ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const stderr = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += dec.decode(chunk, { stream: true });
    }
    return text;
  })();
  const exited = (async () => {
    const s = await child.status;
    return { code: s.code, signal: s.signal, stderr: await stderr };
  })();
  return {
    pid: child.pid,
    exited,
    stderr: () => text,
    signal(sig) {
      try {
        child.kill(sig);
      } catch {
        // gone
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await exited;
    },
    async close() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await exited;
    },
  };
}

/**
 * Live processes started for this harness (their environment holds its
 * `GT_FAKE_DIR`) whose command line contains `part`, e.g. `bin/bd`.
 */
export function fakeProcs(h: Harness, part: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (!cmd.includes(part)) continue;
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0");
      if (env.includes(`GT_FAKE_DIR=${h.fake}`) && alive(Number(e.name))) {
        out.push(Number(e.name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** PIDs of the current children of `pid` (every thread's). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        const text = Deno.readTextFileSync(
          `/proc/${pid}/task/${t.name}/children`,
        );
        for (const p of text.trim().split(/\s+/)) if (p) out.push(Number(p));
      } catch {
        // thread gone
      }
    }
  } catch {
    // process gone
  }
  return out;
}

/** The command line of `pid` with spaces between arguments ("" when gone). */
export function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/**
 * PIDs holding a lock (FLOCK, POSIX or OFD) on `path`, matched by device and
 * inode in /proc/locks; blocked waiters are not holders. The kernel builds
 * /proc/locks while it is read, so an entry can show up twice when locks
 * change meanwhile: compare distinct PIDs.
 */
export function lockOwners(path: string): number[] {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(path);
  } catch {
    return [];
  }
  const dev = BigInt(st.dev ?? 0);
  const major = Number((dev >> 8n) & 0xfffn) | Number((dev >> 32n) & ~0xfffn);
  const minor = Number(dev & 0xffn) | Number((dev >> 12n) & ~0xffn);
  const out: number[] = [];
  for (const line of Deno.readTextFileSync("/proc/locks").split("\n")) {
    const p = line.trim().split(/\s+/);
    if (p[1] === "->" || p.length < 6) continue;
    const [ma, mi, ino] = (p[5] ?? "").split(":");
    if (
      Number(ino) === st.ino && parseInt(ma ?? "", 16) === major &&
      parseInt(mi ?? "", 16) === minor
    ) {
      out.push(Number(p[4]));
    }
  }
  return out;
}

/** The distinct PIDs holding a lock on `path`, sorted (see {@link lockOwners}). */
export function owners(path: string): number[] {
  return [...new Set(lockOwners(path))].sort((a, b) => a - b);
}
