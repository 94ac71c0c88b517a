/**
 * Both daemons as the side-by-side benchmarks drive them: the reference
 * (`gt daemon start` / `gt daemon stop`, which runs `gt daemon run` as its
 * own process) and this one (`main.ts start` / `stop`), each started in a
 * town's environment, stopped, and killed by PID when a stop did not end
 * it. Heartbeats are read from `daemon/state.json`, which both write.
 *
 * @module
 */

import {
  alive,
  cleanup,
  cmdline,
  run,
  runner,
  signalPid,
  waitFor,
} from "./proc.ts";
import { type BenchTown, startDaemon, stopDaemon } from "./town.ts";

/** Which daemon. */
export type DaemonKind = "go" | "ours";

/** A heartbeat as `state.json` reports it. */
export interface HeartbeatStamp {
  count: number;
  /** `last_heartbeat`, ms since the epoch. */
  at: number;
}

/** Reads `heartbeat_count` and `last_heartbeat` (null while unreadable). */
export async function heartbeatStamp(
  town: string,
): Promise<HeartbeatStamp | null> {
  try {
    const s = JSON.parse(await Deno.readTextFile(`${town}/daemon/state.json`));
    const at = Date.parse(s.last_heartbeat);
    if (typeof s.heartbeat_count !== "number") return null;
    return { count: s.heartbeat_count, at: Number.isFinite(at) ? at : 0 };
  } catch {
    return null;
  }
}

/** Waits until `state.json` counts at least `n` heartbeats; the stamp. */
export async function waitHeartbeat(
  town: string,
  n: number,
  ms: number,
): Promise<HeartbeatStamp> {
  let last: HeartbeatStamp | null = null;
  const ok = await waitFor(
    async () => {
      last = await heartbeatStamp(town);
      return (last?.count ?? 0) >= n;
    },
    ms,
    10,
  );
  if (!ok || last === null) {
    throw new Error(`no heartbeat #${n} within ${Math.round(ms / 1000)} s`);
  }
  return last;
}

/** PID of the reference daemon of a town, while its `gt daemon run` lives. */
let goPid: number | null = null;

function isGoDaemon(pid: number): boolean {
  const argv = cmdline(pid) ?? [];
  return alive(pid) && argv.includes("daemon") && argv.includes("run");
}

/** Kills the reference daemon by PID (SIGTERM, then SIGKILL). */
async function killGo(pid: number): Promise<void> {
  if (!isGoDaemon(pid)) return;
  signalPid(pid, "SIGTERM");
  if (!(await waitFor(() => !alive(pid), 5_000)) && isGoDaemon(pid)) {
    signalPid(pid, "SIGKILL");
    await waitFor(() => !alive(pid), 5_000);
  }
}

/** Starts the reference daemon with `gt daemon start`; its PID. */
export async function startGoDaemon(t: BenchTown): Promise<number> {
  await Deno.remove(`${t.town}/daemon/state.json`).catch(() => {});
  await run(["gt", "daemon", "start"], {
    env: t.env,
    cwd: t.town,
    timeoutMs: 60_000,
  });
  let pid = NaN;
  await waitFor(async () => {
    pid = Number(
      (await Deno.readTextFile(`${t.town}/daemon/daemon.pid`).catch(() => ""))
        .trim(),
    );
    return Number.isInteger(pid) && pid > 1 && isGoDaemon(pid);
  }, 10_000);
  if (!isGoDaemon(pid)) throw new Error("gt daemon run is not running");
  goPid = pid;
  const mine = pid;
  cleanup.add(`gt daemon ${pid}`, () => killGo(mine));
  return pid;
}

/** Stops the reference daemon (`gt daemon stop`, then by PID). */
export async function stopGoDaemon(t: BenchTown): Promise<void> {
  const fromFile = Number(
    (await Deno.readTextFile(`${t.town}/daemon/daemon.pid`).catch(() => ""))
      .trim(),
  );
  const pid = Number.isInteger(fromFile) && fromFile > 1 ? fromFile : goPid;
  await runner.run(["gt", "daemon", "stop"], {
    env: t.env,
    cwd: t.town,
    timeoutMs: 30_000,
  }).catch(() => null);
  if (pid !== null) await killGo(pid);
  goPid = null;
}

/** Starts either daemon; its PID. */
export function startKind(
  kind: DaemonKind,
  t: BenchTown,
  interval: string,
  env: Record<string, string> = {},
): Promise<number> {
  return kind === "go" ? startGoDaemon(t) : startDaemon(t, interval, env);
}

/** Stops either daemon. */
export function stopKind(kind: DaemonKind, t: BenchTown): Promise<void> {
  return kind === "go" ? stopGoDaemon(t) : stopDaemon(t);
}
