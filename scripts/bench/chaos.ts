/**
 * Chaos: a running daemon keeps a 5×10 town alive while faults arrive at
 * random (exponential gaps): an agent process killed with SIGKILL (the pane
 * dies, the pane-died hook fires), a whole session killed (`kill-session`:
 * tmux runs no pane-died hook, only a heartbeat notices), or every agent
 * hung for a while (`$GT_FAKE_DIR/agent-hang`: the stub stops reading input
 * but stays alive as `claude`, which is all a daemon can see; hung agents
 * count as available, and a second figure counts them as down).
 *
 * Every 250 ms the sampler lists the panes: an agent is available when its
 * session has a live `claude` pane. Double starts are looked for twice: a
 * session with two live agent panes, and two live stub processes (from
 * agents.jsonl, PID and start time checked) with the same BD_ACTOR; each
 * such incident is kept with its details (`chaos_processes.ts`).
 *
 * @module
 */

import { panes, waitAllLive } from "./panes.ts";
import { signalPid, sleep } from "./proc.ts";
import { ProcessBook } from "./chaos_processes.ts";
import type { ChaosResult } from "./results.ts";
import { crashLogTimes } from "./kill.ts";
import { DELAYED_HOOK_MS } from "./recovery.ts";
import { seededRandom, summarize } from "./stats.ts";
import {
  agentRecords,
  type BenchTown,
  createTown,
  isStubAgent,
  startDaemon,
  stopDaemon,
  tmux,
  touchDeaconHeartbeat,
} from "./town.ts";

/** Options for {@link benchChaos}. */
export interface ChaosOptions {
  rigs: number;
  polecatsPerRig: number;
  seconds: number;
  interval: string;
  intervalMs: number;
  /** Mean gap between faults. */
  meanGapMs: number;
  /** Relative weights of agent kill, session kill, hang. */
  mix: { agentKill: number; sessionKill: number; hang: number };
  hangMs: number;
  /** Added to the daemon's environment (e.g. GT_DAEMON_TMUX_NUDGE_MS). */
  daemonEnv: Record<string, string>;
  seed: number;
  progress: (line: string) => void;
  /** Builds the town (default: a stand-in town of rigs × polecatsPerRig). */
  makeTown?: () => Promise<BenchTown>;
}

type Fault = "agentKill" | "sessionKill" | "hang";

/** Runs the chaos test. */
export async function benchChaos(o: ChaosOptions): Promise<ChaosResult> {
  const t = o.makeTown ? await o.makeTown() : await createTown({
    rigs: o.rigs,
    polecatsPerRig: o.polecatsPerRig,
    tmuxServer: true,
  });
  const hangFile = `${t.fake}/agent-hang`;
  try {
    const rand = seededRandom(o.seed);
    const agents = t.sessions.filter((s) => s !== "gt-boot");
    o.progress(`chaos: daemon cold start of ${t.sessions.length} agents`);
    await startDaemon(t, o.interval, o.daemonEnv);
    if (!(await waitAllLive(t, 300_000))) {
      throw new Error("not every agent came up under the daemon");
    }
    await sleep(1_500);
    const book = new ProcessBook(o.progress);
    book.update(await agentRecords(t), await panes(t));
    const startsBefore = book.starts;
    const faults = { agentKill: 0, sessionKill: 0, hang: 0 };
    const down = { agentKill: 0, sessionKill: 0, other: 0 };
    const outages: Record<"agentKill" | "sessionKill" | "other", number[]> = {
      agentKill: [],
      sessionKill: [],
      other: [],
    };
    const downSince = new Map<
      string,
      { at: number; kind: keyof typeof down }
    >();
    const killLog: { session: string; killedAt: number }[] = [];
    const lastFault = new Map<string, Fault>();
    const killsPer = new Map<string, number>();
    let live = new Map<string, number>();
    let hungUntil = 0;
    let tmuxDup = 0;
    let dupSessions = new Set<string>();
    let upS = 0, respS = 0, totalS = 0, samples = 0;
    const timeline: { s: number; up: number }[] = [];
    const t0 = performance.now();
    book.t0Epoch = Date.now();
    const end = t0 + o.seconds * 1000;
    let running = true;

    const sampler = (async () => {
      let prev = performance.now();
      let lastBeat = prev;
      while (running) {
        const ps = await panes(t);
        const now = performance.now();
        const dt = (now - prev) / 1000;
        prev = now;
        const next = new Map<string, number>();
        const count = new Map<string, number>();
        for (const p of ps) {
          if (p.dead || p.command !== "claude") continue;
          next.set(p.session, p.pid);
          count.set(p.session, (count.get(p.session) ?? 0) + 1);
        }
        const dups = new Set(
          [...count].filter(([, n]) => n > 1).map(([s]) => s),
        );
        for (const s of dups) if (!dupSessions.has(s)) tmuxDup++;
        dupSessions = dups;
        live = next;
        const up = agents.filter((a) => next.has(a));
        upS += dt * up.length;
        respS += now < hungUntil ? 0 : dt * up.length;
        totalS += dt * agents.length;
        timeline.push({
          s: Math.round((now - t0) / 100) / 10,
          up: up.length / agents.length,
        });
        for (const a of agents) {
          const since = downSince.get(a);
          if (next.has(a)) {
            if (since) outages[since.kind].push((now - since.at) / 1000);
            downSince.delete(a);
            continue;
          }
          const f = lastFault.get(a);
          const kind = f === "agentKill" || f === "sessionKill" ? f : "other";
          down[kind] += dt;
          if (!since) downSince.set(a, { at: now, kind });
        }
        samples++;
        book.update(await agentRecords(t), ps);
        if (now - lastBeat > 30_000) {
          await touchDeaconHeartbeat(t.town);
          lastBeat = now;
        }
        await sleep(Math.max(0, 250 - (performance.now() - now)));
      }
    })();

    const total = o.mix.agentKill + o.mix.sessionKill + o.mix.hang;
    let note = t0;
    try {
      while (performance.now() < end) {
        await sleep(-Math.log(1 - rand()) * o.meanGapMs);
        if (performance.now() >= end) break;
        const r = rand() * total;
        const kind: Fault = r < o.mix.agentKill
          ? "agentKill"
          : r < o.mix.agentKill + o.mix.sessionKill
          ? "sessionKill"
          : "hang";
        if (kind === "hang") {
          await Deno.writeTextFile(hangFile, "");
          hungUntil = performance.now() + o.hangMs;
          book.noteHang(Date.now() + o.hangMs);
          faults.hang++;
          setTimeout(() => Deno.remove(hangFile).catch(() => {}), o.hangMs);
          continue;
        }
        const candidates = agents.filter((a) => live.has(a));
        const victim = candidates[Math.floor(rand() * candidates.length)];
        if (victim === undefined) continue;
        lastFault.set(victim, kind);
        book.noteFault(victim, kind);
        killsPer.set(victim, (killsPer.get(victim) ?? 0) + 1);
        faults[kind]++;
        if (kind === "agentKill") {
          killLog.push({ session: victim, killedAt: Date.now() });
          const pid = live.get(victim)!;
          if (isStubAgent(pid)) signalPid(pid, "SIGKILL");
        } else {
          await tmux(t, ["kill-session", "-t", `=${victim}`]).catch(() => "");
        }
        if (performance.now() - note > 30_000) {
          note = performance.now();
          o.progress(
            `chaos: ${Math.round((note - t0) / 1000)}/${o.seconds} s, ${
              faults.agentKill + faults.sessionKill + faults.hang
            } faults, ${live.size} live`,
          );
        }
      }
    } finally {
      running = false;
      await sampler;
      await book.settle();
      await Deno.remove(hangFile).catch(() => {});
    }
    await stopDaemon(t);
    const endAt = performance.now();
    for (const v of downSince.values()) {
      outages[v.kind].push((endAt - v.at) / 1000);
    }
    const logs = await crashLogTimes(t);
    let lateHooks = 0;
    for (const k of killLog) {
      const at = (logs.get(k.session) ?? []).find((x) => x >= k.killedAt - 50);
      if (at === undefined || at - k.killedAt > DELAYED_HOOK_MS) lateHooks++;
    }
    return {
      seconds: o.seconds,
      agents: agents.length,
      intervalMs: o.intervalMs,
      faults,
      samples,
      availability: totalS > 0 ? upS / totalS : NaN,
      availabilityResponsive: totalS > 0 ? respS / totalS : NaN,
      downSeconds: {
        agentKill: Math.round(down.agentKill * 10) / 10,
        sessionKill: Math.round(down.sessionKill * 10) / 10,
        other: Math.round(down.other * 10) / 10,
      },
      doubleStarts: {
        tmux: tmuxDup,
        process: book.incidents - book.leftovers,
        exitingLeftovers: book.leftovers,
        processIncidents: book.details,
      },
      agentStarts: book.starts - startsBefore,
      maxKillsPerAgent: Math.max(0, ...killsPer.values()),
      outageS: {
        agentKill: summarize(outages.agentKill),
        sessionKill: summarize(outages.sessionKill),
      },
      lateHooks,
      daemonNudgeMs: nudgeSetting(o.daemonEnv),
      timeline,
    };
  } finally {
    await Deno.remove(hangFile).catch(() => {});
    await t.close();
  }
}

/** The daemon's SIGCHLD nudge period in a run with `env` (null: default). */
export function nudgeSetting(env: Record<string, string>): number | null {
  const v = env.GT_DAEMON_TMUX_NUDGE_MS;
  return v === undefined ? null : Number(v);
}
