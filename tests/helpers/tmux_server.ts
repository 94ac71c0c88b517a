/**
 * A private tmux server for tests. It lives in a fresh temp dir
 * (`TMUX_TMPDIR`), loads its own config (`default-command` is
 * `bash --noprofile --norc`, `default-shell` is `/bin/bash`, `exit-empty`
 * off) and keeps a `keepalive` session, so it never touches the machine's
 * default server and survives the last test session ending.
 *
 * `TMUX` must be unset in the test process: the runner's `env` option can
 * add or override variables but not delete one, and a set `TMUX` would
 * point every tmux call at the caller's own server.
 * {@link assertNoTmuxEnv} checks this and {@link startPrivateTmux} calls it.
 *
 * @module
 */

import { createRunner } from "../../src/adapters/process.ts";
import { keepaliveServerArgs } from "../fixtures/tmux_config.ts";
import { readJsonLines } from "../fixtures/jsonl.ts";

export { readJsonLines };

/** Absolute path of the fixture programs (`claude`, `gt`, `bd`). */
export const FIXTURE_BIN = new URL("../fixtures/bin", import.meta.url).pathname;
/** Absolute path of the stub agent. */
export const STUB_AGENT = `${FIXTURE_BIN}/claude`;

/** A running private tmux server. */
export interface PrivateTmux {
  /** Variables for every tmux call: TMUX_TMPDIR, PATH, GT_FAKE_DIR. */
  env: Record<string, string>;
  /** The temp dir holding the socket, the config and `fake/`. */
  dir: string;
  /** Where the stub agent records itself (`GT_FAKE_DIR`). */
  fakeDir: string;
  /** The server's PID. */
  pid: number;
  /** Runs `tmux <args>`; stdout without its final newline; throws on failure. */
  run(args: string[]): Promise<string>;
  /**
   * Kills the server (by PID if `kill-server` fails), then any stub agent
   * recorded in `agents.jsonl` that is still alive, and removes the dir.
   */
  close(): Promise<void>;
}

/** Throws when `TMUX` is set in the test process's environment. */
export function assertNoTmuxEnv(): void {
  if (Deno.env.get("TMUX") !== undefined) {
    throw new Error(
      "Tests must run with TMUX unset: it would redirect tmux calls to the caller's server",
    );
  }
}

/** Starts a private tmux server with a `keepalive` session. */
export async function startPrivateTmux(): Promise<PrivateTmux> {
  assertNoTmuxEnv();
  const dir = await Deno.makeTempDir({ prefix: "gt-tmux-" });
  const fakeDir = `${dir}/fake`;
  await Deno.mkdir(fakeDir);
  const env = {
    TMUX_TMPDIR: dir,
    PATH: `${FIXTURE_BIN}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    GT_FAKE_DIR: fakeDir,
  };
  const runner = createRunner({ defaultTimeoutMs: 10_000 });
  const run = async (args: string[]): Promise<string> => {
    const r = await runner.run(["tmux", ...args], { env });
    if (r.code !== 0) {
      throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr.trim()}`);
    }
    return r.stdout.replace(/\n$/, "");
  };
  let pid = 0;
  try {
    await run(await keepaliveServerArgs(dir));
    pid = Number(await run(["display-message", "-p", "#{pid}"]));
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  const close = async () => {
    try {
      await run(["kill-server"]);
    } catch {
      // already gone or unresponsive: fall through to the PID
    }
    if (pid > 0 && await alive(pid)) kill(pid);
    const agents = await readJsonLines(`${fakeDir}/agents.jsonl`);
    for (const a of agents) {
      if (typeof a.pid === "number" && await alive(a.pid)) kill(a.pid);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return { env, dir, fakeDir, pid, run, close };
}

function kill(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
}

/** True when `pid` runs and is not a zombie (an unreaped zombie is dead). */
function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !==
      "Z";
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` still runs after a short grace period (0.5 s). */
async function alive(pid: number): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (!running(pid)) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Polls `check` every 50 ms until it returns a value or `ms` pass. */
export async function pollFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const deadline = performance.now() + ms;
  while (true) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
