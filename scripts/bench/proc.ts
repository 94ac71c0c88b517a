/**
 * Process helpers for the benchmarks: one shared runner, /proc readers
 * (liveness, CPU ticks, RSS, start time), signalling by PID, polling, and
 * the cleanup registry that also runs on Ctrl-C.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { createRunner, type RunOptions } from "../../src/adapters/process.ts";
import { procStatFields } from "../../src/adapters/tmux_reaper.ts";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(
  /\/$/,
  "",
);
/** The program's entry point. */
export const MAIN = `${REPO}/main.ts`;
/** The stand-in programs (`gt`, `bd`, `claude`). */
export const FIXTURE_BIN = `${REPO}/tests/fixtures/bin`;

/** The argv of `deno run -A <script> <args…>` with the running Deno. */
export function denoRun(script: string, ...args: string[]): string[] {
  return [Deno.execPath(), "run", "-A", script, ...args];
}

/** The argv of `main.ts status --town <town>`, as `deno run -A`. */
export function statusArgv(town: string): string[] {
  return denoRun(MAIN, "status", "--town", town);
}

/** The runner every benchmark subprocess goes through. */
export const runner = createRunner({ defaultTimeoutMs: 120_000 });

/** Runs argv; resolves with stdout, or throws with stderr on a non-zero exit. */
export async function run(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const r = await runner.run(argv, options);
  if (r.code !== 0) {
    throw new Error(
      `${argv.slice(0, 3).join(" ")} exited ${r.code}: ${
        (r.stderr || r.stdout).trim().slice(0, 300)
      }`,
    );
  }
  return r.stdout;
}

/** Fields of /proc/<pid>/stat the benchmarks use (CPU in clock ticks). */
export interface ProcStat {
  state: string;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  starttime: number;
}

/** Reads /proc/<pid>/stat, or null when the process is gone. */
export function procStat(pid: number): ProcStat | null {
  let st;
  try {
    st = procStatFields(pid);
  } catch {
    return null;
  }
  if (st === null) return null;
  const f = st.fields;
  const n = (i: number) => Number(f[i] ?? NaN);
  return {
    state: f[0] ?? "?",
    utime: n(11),
    stime: n(12),
    cutime: n(13),
    cstime: n(14),
    starttime: n(19),
  };
}

/** True when the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

/** VmRSS of a process in KiB, or null. */
export function rssKb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(
      Deno.readTextFileSync(`/proc/${pid}/status`),
    );
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** VmRSS split into anonymous (private) and file-backed pages, in KiB. */
export function rssParts(pid: number): { anon: number; file: number } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (k: string) =>
      Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
    return { anon: kb("RssAnon"), file: kb("RssFile") };
  } catch {
    return null;
  }
}

/** The command line of a process, or null. */
export function cmdline(pid: number): string[] | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(
      (s) => s !== "",
    );
  } catch {
    return null;
  }
}

/** Sends a signal to one PID; false when it is gone. */
export function signalPid(pid: number, sig: Deno.Signal = "SIGKILL"): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    Deno.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every `everyMs` until it holds or `ms` pass; returns whether it held. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await cond()) return true;
    await sleep(everyMs);
  }
  return await cond();
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 when unknown). */
export async function clockTicks(): Promise<number> {
  try {
    const n = Number((await run(["getconf", "CLK_TCK"])).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Teardown steps, run newest first, once, also on Ctrl-C. */
export class Cleanup {
  #tasks: { name: string; fn: () => Promise<void> | void }[] = [];
  #running: Promise<void> | null = null;

  /** Registers a step; returns a function that runs and unregisters it. */
  add(name: string, fn: () => Promise<void> | void): () => Promise<void> {
    const task = { name, fn };
    this.#tasks.push(task);
    return async () => {
      const i = this.#tasks.indexOf(task);
      if (i < 0) return;
      this.#tasks.splice(i, 1);
      await runStep(task);
    };
  }

  /** Runs every registered step, newest first. */
  runAll(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#tasks.length > 0) await runStep(this.#tasks.pop()!);
    })();
    return this.#running;
  }
}

async function runStep(task: {
  name: string;
  fn: () => Promise<void> | void;
}): Promise<void> {
  try {
    await task.fn();
  } catch (err) {
    console.error(`cleanup "${task.name}" failed: ${err}`);
  }
}

/** The process-wide cleanup registry. */
export const cleanup = new Cleanup();
