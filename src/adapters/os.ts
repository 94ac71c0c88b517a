/**
 * Process-level facts and actions: liveness of a PID (`/proc/<pid>` on
 * Linux, `kill -0` elsewhere), signalling a PID, signal subscription,
 * exiting, the environment, and the daemon's own identity.
 *
 * @module
 */

import { systemClock } from "./clock.ts";
import { fileUrlToPath } from "../posix_path.ts";

/** Signals the daemon reacts to. */
export type DaemonSignal =
  | "SIGTERM"
  | "SIGINT"
  | "SIGHUP"
  | "SIGUSR1"
  | "SIGUSR2";

const DAEMON_SIGNALS: DaemonSignal[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGUSR1",
  "SIGUSR2",
];

/** Subscribes `handler` to every daemon signal; returns an unsubscribe. */
export function onSignals(handler: (sig: DaemonSignal) => void): () => void {
  const listeners = DAEMON_SIGNALS.map((sig) => {
    const fn = () => handler(sig);
    Deno.addSignalListener(sig, fn);
    return [sig, fn] as const;
  });
  return () => {
    for (const [sig, fn] of listeners) {
      try {
        Deno.removeSignalListener(sig, fn);
      } catch {
        // already removed
      }
    }
  };
}

/** True when a process with this PID exists (zombies count as gone). */
export async function pidAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (Deno.build.os === "linux") {
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
      const state = stat.slice(
        stat.lastIndexOf(")") + 2,
        stat.lastIndexOf(")") + 3,
      );
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** The command line of a process (Linux), or null. */
export async function pidCmdline(pid: number): Promise<string[] | null> {
  try {
    const raw = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return raw.split("\0").filter((s) => s !== "");
  } catch {
    return null;
  }
}

/** Sends `signal` to `pid`; false when the process is gone or not ours. */
export function sendSignal(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Ends the process with `code`. */
export function exit(code: number): never {
  Deno.exit(code);
}

/** The version of the Deno runtime running this process. */
export function denoVersion(): string {
  return Deno.version.deno;
}

/** This process's real uid (null where there is none). */
export function ownUid(): number | null {
  return Deno.uid();
}

/** This process's PID. */
export function ownPid(): number {
  return Deno.pid;
}

/** A copy of the whole environment. */
export function envObject(): Record<string, string> {
  return Deno.env.toObject();
}

/** The current directory, preferring `$PWD` when it names the same place. */
export function currentDir(): string {
  const cwd = Deno.cwd();
  const pwd = Deno.env.get("PWD");
  if (pwd && pwd.startsWith("/")) {
    try {
      const a = Deno.statSync(pwd);
      const b = Deno.statSync(".");
      if (a.ino !== null && a.ino === b.ino && a.dev === b.dev) return pwd;
    } catch {
      // fall back to the physical path
    }
  }
  return cwd;
}

/** True when stdout is a terminal and colour is allowed. */
export function stdoutIsTty(): boolean {
  return Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
}

/** Writes text to stdout. */
export function writeStdout(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

/** Writes text to stderr. */
export function writeStderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/** Resolves after `ms` milliseconds, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return systemClock.sleep(ms, signal);
}

/**
 * The file an upgrade replaces: the compiled binary, or the main module
 * under `deno run`.
 */
export function programPath(): string {
  return Deno.build.standalone || !Deno.mainModule.startsWith("file:")
    ? Deno.execPath()
    : fileUrlToPath(Deno.mainModule);
}

/** Modification time of {@link programPath}, or null when it cannot be read. */
export function programMtime(): Date | null {
  try {
    return Deno.statSync(programPath()).mtime;
  } catch {
    return null;
  }
}

/** mtime of the running executable (the compiled binary or `deno`). */
export async function executableMtime(): Promise<Date | null> {
  try {
    return (await Deno.stat(Deno.execPath())).mtime;
  } catch {
    return null;
  }
}

/** This process's memory use in bytes (resident set and V8 heap in use). */
export function memoryUsage(): { rss: number; heapUsed: number } {
  const m = Deno.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

/**
 * Reads `/proc/<pid>/stat`: the process name and the fields after it
 * (`fields[0]` is field 3, the state; field 22, the start time, is
 * `fields[19]`). Null when the process does not exist (or there is no
 * `/proc`); throws when the file exists but cannot be read.
 */
export function procStatFields(
  pid: number,
): { comm: string; fields: string[] } | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  return {
    comm: text.slice(open + 1, close),
    fields: text.slice(close + 2).trim().split(" "),
  };
}
