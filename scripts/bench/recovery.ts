/**
 * Crash → live agent latency with a real daemon (`main.ts start`) on a
 * private tmux server. One agent at a time, each a different polecat (restart
 * backoff is per agent), the agent process is killed with SIGKILL: the pane
 * dies, tmux runs the pane-died hook (`gt log crash …; : > pane-died.<s>`)
 * and the daemon runs its recovery checks. The clock runs from the kill to a
 * live `claude` pane with a new PID in that session.
 *
 * tmux ≤ 3.4 built with libutempter can lose the SIGCHLD of a pane: the pane
 * reads dead but the hook never runs until some later child of the server
 * exits; the daemon therefore sends the server SIGCHLD every 100 ms. The
 * first series runs the daemon as it ships; the optional raw series turns
 * that nudge off (`GT_DAEMON_TMUX_NUDGE_MS=0`) to show tmux's own delivery.
 * A kill not recovered within `capMs` is counted as lost; the bench then
 * sends the server SIGCHLD itself so the next kill starts clean.
 *
 * Heartbeat-only recovery runs on the same town with the daemon restarted at
 * a short interval; before each kill the victim session's pane-died hook is
 * removed (`set-hook -u`), so the same death (agent killed, pane dead) is
 * seen only by the next heartbeat. Each kill happens at a random phase of
 * the heartbeat cycle.
 *
 * @module
 */

import { DEFAULT_MIN_UPTIME_MS } from "../../src/heartbeat/backoff.ts";
import { crashLogTimes, type Kill, killOnce } from "./kill.ts";
import { waitAllLive } from "./panes.ts";
import { sleep, waitFor } from "./proc.ts";
import type { LatencyRun, RecoveryResult } from "./results.ts";
import {
  heartbeatOnlyModel,
  lostEventModel,
  seededRandom,
  shuffle,
  summarize,
} from "./stats.ts";
import {
  type BenchTown,
  createTown,
  startDaemon,
  stopDaemon,
  tmux,
} from "./town.ts";

/** Options for {@link benchRecovery}. */
export interface RecoveryOptions {
  rigs: number;
  polecatsPerRig: number;
  kills: number;
  rawKills: number;
  /** Added to every daemon's environment. */
  daemonEnv: Record<string, string>;
  heartbeatKills: number;
  shortInterval: string;
  shortIntervalMs: number;
  defaultIntervalMs: number;
  /** A kill not recovered within this is counted as a lost event. */
  capMs: number;
  /** Pause after an agent is back before the next kill. */
  gapMs: number;
  seed: number;
  progress: (line: string) => void;
}

/**
 * Open restart-backoff windows. After a restart the daemon wakes when the
 * agent's backoff runs out (1 s, 2 s, 4 s … after it) and re-checks every
 * session; a kill made before that wake-up could be found by it instead of
 * by its own crash hook. Each kill therefore waits until no window is open,
 * and the first until the cold-started agents have run for the minimum
 * uptime (a quicker death is held back by design).
 */
export class BackoffWindows {
  #restarts = new Map<string, number>();
  #quietAt = 0;

  /** Every session has been started once (the cold start). */
  constructor(sessions: readonly string[]) {
    for (const s of sessions) this.#restarts.set(s, 1);
    // An agent that dies before its minimum uptime is held back by its
    // backoff: every agent has just started, so the first kill waits.
    this.#quietAt = performance.now() + DEFAULT_MIN_UPTIME_MS + 500;
  }

  /** Records that the agent of `session` was just restarted. */
  restarted(session: string): void {
    const n = (this.#restarts.get(session) ?? 0) + 1;
    this.#restarts.set(session, n);
    const backoff = Math.min(300_000, 1_000 * 2 ** (n - 1));
    this.#quietAt = Math.max(this.#quietAt, performance.now() + backoff + 300);
  }

  /** Waits until every window has closed. */
  async wait(): Promise<void> {
    const ms = this.#quietAt - performance.now();
    if (ms > 0) await sleep(ms);
  }
}

/** A hook that ran later than this after the kill was held up by tmux. */
export const DELAYED_HOOK_MS = 1_000;

async function series(
  t: BenchTown,
  victims: string[],
  beforeKill: (session: string) => Promise<void>,
  o: RecoveryOptions,
  label: string,
  windows: BackoffWindows,
  capMs = o.capMs,
): Promise<LatencyRun> {
  const kills: Kill[] = [];
  for (const [i, s] of victims.entries()) {
    await windows.wait();
    await beforeKill(s);
    kills.push(await killOnce(t, s, capMs));
    windows.restarted(s);
    if ((i + 1) % 10 === 0) {
      o.progress(`recovery ${label}: ${i + 1}/${victims.length} kills`);
    }
    await sleep(o.gapMs);
  }
  const logs = await crashLogTimes(t);
  const detail = kills.map((k) => {
    const at = (logs.get(k.session) ?? []).find((x) => x >= k.killedAt - 50);
    const round = (x: number | null) =>
      x === null ? null : Math.round(x * 10) / 10;
    return {
      session: k.session,
      ms: round(k.ms),
      hookMs: at === undefined ? null : at - k.killedAt,
    };
  });
  const samples = kills.flatMap((k) => (k.ms === null ? [] : [k.ms]));
  return {
    kills: kills.length,
    lost: kills.length - samples.length,
    delayed:
      detail.filter((d) =>
        d.ms !== null && d.hookMs !== null && d.hookMs > DELAYED_HOOK_MS
      ).length,
    capMs,
    latencyMs: summarize(samples),
    paneSeenMs: summarize(kills.flatMap((k) => k.paneMs ?? [])),
    samplesMs: samples.map((x) => Math.round(x * 10) / 10),
    hookMs: summarize(
      detail.flatMap((
        d,
      ) => (d.ms !== null && d.hookMs !== null ? [d.hookMs] : [])),
    ),
    detail,
  };
}

async function heartbeatStamp(
  t: BenchTown,
): Promise<{ count: number; at: number } | null> {
  try {
    const s = JSON.parse(
      await Deno.readTextFile(`${t.town}/daemon/state.json`),
    );
    return { count: s.heartbeat_count, at: Date.parse(s.last_heartbeat) };
  } catch {
    return null;
  }
}

async function waitHeartbeats(t: BenchTown, n: number): Promise<void> {
  if (
    !(await waitFor(
      async () => ((await heartbeatStamp(t))?.count ?? 0) >= n,
      300_000,
      100,
    ))
  ) throw new Error(`daemon did not complete ${n} heartbeat(s)`);
}

/** Runs the recovery series on one town. */
export async function benchRecovery(
  o: RecoveryOptions,
): Promise<RecoveryResult> {
  const t = await createTown({
    rigs: o.rigs,
    polecatsPerRig: o.polecatsPerRig,
    tmuxServer: true,
  });
  try {
    const rand = seededRandom(o.seed);
    const polecats = t.sessions.filter((s) => /^gt-r\d+-p\d+$/.test(s));
    o.progress(`recovery: daemon cold start of ${t.sessions.length} agents`);
    const t0 = performance.now();
    await startDaemon(t, "3m", o.daemonEnv);
    if (!(await waitAllLive(t, 300_000))) {
      throw new Error("not every agent came up under the daemon");
    }
    const coldStartMs = performance.now() - t0;
    await waitHeartbeats(t, 1);
    const windows = new BackoffWindows(t.sessions);
    const eventDriven = await series(
      t,
      shuffle(polecats, rand).slice(0, o.kills),
      async () => {},
      o,
      "event-driven",
      windows,
    );
    await stopDaemon(t);
    let eventDrivenRaw: RecoveryResult["eventDrivenRaw"] = null;
    if (o.rawKills > 0) {
      await startDaemon(t, "3m", {
        ...o.daemonEnv,
        GT_DAEMON_TMUX_NUDGE_MS: "0",
      });
      await waitHeartbeats(t, 1);
      eventDrivenRaw = await series(
        t,
        shuffle(polecats, rand).slice(0, o.rawKills),
        async () => {},
        o,
        "event-driven, nudge off",
        windows,
      );
      await stopDaemon(t);
    }

    let cycleMs = o.shortIntervalMs;
    let short: LatencyRun = {
      kills: 0,
      lost: 0,
      capMs: 0,
      delayed: 0,
      latencyMs: summarize([]),
      paneSeenMs: summarize([]),
      samplesMs: [],
      hookMs: summarize([]),
      detail: [],
    };
    if (o.heartbeatKills > 0) {
      await startDaemon(t, o.shortInterval, o.daemonEnv);
      await waitHeartbeats(t, 2);
      const first = await heartbeatStamp(t);
      short = await series(
        t,
        shuffle(polecats, rand).slice(0, o.heartbeatKills),
        async (session) => {
          // No hook, no event: only the heartbeat can notice this death.
          await tmux(t, ["set-hook", "-u", "-t", `=${session}:`, "pane-died"]);
          const left = await tmux(t, ["show-hooks", "-t", `=${session}:`]);
          if (left.includes("pane-died")) {
            throw new Error(`cannot remove the pane-died hook of ${session}`);
          }
          await sleep(rand() * (o.shortIntervalMs + 500));
        },
        o,
        "heartbeat-only",
        windows,
        o.shortIntervalMs + 60_000,
      );
      const last = await heartbeatStamp(t);
      if (first && last && last.count > first.count) {
        cycleMs = (last.at - first.at) / (last.count - first.count);
      }
      short.heartbeatMs = Math.max(0, cycleMs - o.shortIntervalMs);
      await stopDaemon(t);
    }
    // Hooks tmux ran on time; late ones were rescued here only by another
    // pane's death, which a quiet town may not have for minutes.
    const onTime = eventDriven.detail.flatMap((d) =>
      d.ms !== null && (d.hookMs === null || d.hookMs <= DELAYED_HOOK_MS)
        ? [d.ms]
        : []
    );
    const delivered = onTime.length > 0 ? onTime : eventDriven.samplesMs;
    const defaultCycle = o.defaultIntervalMs +
      Math.max(0, cycleMs - o.shortIntervalMs);
    return {
      rigs: o.rigs,
      polecatsPerRig: o.polecatsPerRig,
      coldStartMs,
      eventDriven: {
        ...eventDriven,
        withLostModel: lostEventModel(
          delivered,
          eventDriven.kills
            ? (eventDriven.lost + eventDriven.delayed) / eventDriven.kills
            : 0,
          defaultCycle,
        ),
      },
      eventDrivenRaw,
      heartbeatShort: {
        ...short,
        intervalMs: o.shortIntervalMs,
        model: heartbeatOnlyModel(cycleMs, delivered),
      },
      heartbeatDefault: {
        intervalMs: o.defaultIntervalMs,
        cycleMs: defaultCycle,
        model: heartbeatOnlyModel(defaultCycle, delivered),
      },
    };
  } finally {
    await t.close();
  }
}
