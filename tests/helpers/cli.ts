/**
 * Test helpers for running the program as a subprocess against a temp town,
 * and for ending every daemon a test started by its PID.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { layTown } from "../fixtures/town_layout.ts";
import { type CommandOutput, runCommand } from "./command.ts";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(
  /\/$/,
  "",
);
/** The program's entry point. */
export const MAIN = `${REPO}/main.ts`;
/** The stand-in programs (`gt`, `bd`, `claude`). */
export const FIXTURE_BIN = `${REPO}/tests/fixtures/bin`;

/** What a finished CLI call printed. */
export type CliResult = CommandOutput;

/** A temporary town with `mayor/town.json`. */
export interface TempTown {
  root: string;
  town: string;
  close(): Promise<void>;
}

/**
 * Creates a temp town (and a sibling HOME without a `gt` town, a private
 * `TMUX_TMPDIR` and a `GT_FAKE_DIR` for the stand-ins). By default the town
 * is quiet: a fresh Boot marker and no rigs, so a heartbeat starts nothing.
 */
export async function makeTown(
  options: { rigs?: string[]; quiet?: boolean; name?: string } = {},
): Promise<TempTown> {
  const root = await Deno.makeTempDir({ prefix: "gtd-" });
  const { town } = await layTown(root, {
    ...(options.name !== undefined ? { dir: options.name } : {}),
    ...(options.rigs !== undefined ? { rigs: options.rigs } : {}),
    quiet: options.quiet ?? true,
  });
  return {
    root,
    town,
    async close() {
      await killTownDaemon(town);
      await killPrivateTmux(root);
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Base environment for CLI subprocesses: no TMUX, a private HOME and
 * TMUX_TMPDIR, the stand-ins first on PATH, GT_FAKE_DIR for their state.
 */
export function baseEnv(
  root: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "LANG", "TZ", "USER", "LOGNAME", "SHELL"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  env.PATH = `${FIXTURE_BIN}:${env.PATH ?? "/usr/bin:/bin"}`;
  env.HOME = `${root}/home`;
  env.TMUX_TMPDIR = `${root}/tmux`;
  env.GT_FAKE_DIR = `${root}/fake`;
  env.NO_COLOR = "1";
  return { ...env, ...extra };
}

/** Kills the tmux server of a temp town's private TMUX_TMPDIR, by its PID. */
export async function killPrivateTmux(root: string): Promise<void> {
  const out = await new Deno.Command("tmux", {
    args: ["display-message", "-p", "#{pid}"],
    env: { TMUX_TMPDIR: `${root}/tmux` },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  const pid = out && out.code === 0
    ? Number(new TextDecoder().decode(out.stdout).trim())
    : NaN;
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
  await waitFor(() => !alive(pid), 3_000);
}

/** Runs `main.ts <args>` and returns its exit code and output. */
export async function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  return await runCommand(
    [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, ...args],
    options,
  );
}

/** Reads the PID file of a town, or null. */
export async function readPid(town: string): Promise<number | null> {
  try {
    const t = await Deno.readTextFile(`${town}/daemon/daemon.pid`);
    return /^\d+$/.test(t.trim()) ? Number(t.trim()) : null;
  } catch {
    return null;
  }
}

/** True when the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(
      stat.lastIndexOf(")") + 2,
      stat.lastIndexOf(")") + 3,
    );
    return state !== "Z";
  } catch {
    return false;
  }
}

/** PIDs holding an exclusive flock on `path` (from /proc/locks). */
export function lockHolders(path: string): number[] {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(path);
  } catch {
    return [];
  }
  const text = Deno.readTextFileSync("/proc/locks");
  const dev = BigInt(st.dev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const out = new Set<number>();
  for (const line of text.split("\n")) {
    const p = line.trim().split(/\s+/);
    if (p[1] !== "FLOCK" || p[3] !== "WRITE") continue;
    const [ma = "", mi = "", ino = ""] = p[5]?.split(":") ?? [];
    if (
      Number(ino) === st.ino && parseInt(ma, 16) === major &&
      parseInt(mi, 16) === minor
    ) {
      out.add(Number(p[4]));
    }
  }
  return [...out];
}

/** Daemon processes (`main.ts run --town <town>`) found in /proc. */
export function daemonPids(town: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      const m = argv.indexOf(MAIN);
      if (
        m >= 0 && argv[m + 1] === "run" && argv[m + 2] === "--town" &&
        argv[m + 3] === town
      ) {
        if (alive(Number(e.name))) out.push(Number(e.name));
      }
    } catch {
      // process went away
    }
  }
  return out;
}

/** Kills every daemon of `town` by PID (SIGKILL) and waits for them to go. */
export async function killTownDaemon(town: string): Promise<void> {
  const pids = new Set(daemonPids(town));
  const p = await readPid(town);
  if (p !== null && alive(p) && isOurDaemon(p, town)) pids.add(p);
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await waitFor(() => [...pids].every((pid) => !alive(pid)), 5_000);
}

function isOurDaemon(pid: number, town: string): boolean {
  try {
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return argv.includes(MAIN) && argv.includes(town);
  } catch {
    return false;
  }
}

/** Polls `cond` every 25 ms until it holds or `ms` pass; returns whether it held. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return await cond();
}

/** Reads the daemon log of a town ("" when missing). */
export async function readLog(town: string): Promise<string> {
  try {
    return await Deno.readTextFile(`${town}/daemon/daemon.log`);
  } catch {
    return "";
  }
}

/** Parses state.json, or null. */
export async function readState(
  town: string,
): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${town}/daemon/state.json`));
  } catch {
    return null;
  }
}

/**
 * Runs `start` `n` times at once in `town`; asserts that every call exits 0
 * and names the same daemon, and that exactly one says it started it.
 * Returns that daemon's PID.
 */
export async function concurrentStarts(
  town: string,
  env: Record<string, string>,
  n: number,
): Promise<number> {
  const results = await Promise.all(
    Array.from({ length: n }, () => runCli(["start"], { cwd: town, env })),
  );
  assert(await waitFor(async () => (await readPid(town)) !== null));
  const pid = (await readPid(town))!;
  for (const r of results) {
    assertEquals(r.code, 0, r.stderr);
    assertMatch(
      r.stdout,
      new RegExp(
        `^(✓ Daemon started|● Daemon already running) \\(PID ${pid}\\)\\n$`,
      ),
    );
  }
  assertEquals(results.filter((r) => r.stdout.startsWith("✓")).length, 1);
  return pid;
}
