/**
 * Subprocesses and wall time of a steady heartbeat, both daemons on the same
 * real town, counted by the wrappers (calls whose parent is the daemon's
 * PID; calls their children make, such as `gt` running `bd`, are counted
 * apart). The reference heartbeats once at start and then every 3 minutes,
 * so each of its measured heartbeats is the first of a fresh `gt daemon
 * start` on a town whose agents all run; this daemon runs at a 2 s interval
 * and its heartbeats after the cold start are measured. A heartbeat's wall
 * time runs from its first call to the `last_heartbeat` it writes.
 *
 * @module
 */

import {
  type DaemonKind,
  heartbeatStamp,
  startKind,
  stopKind,
  waitHeartbeat,
} from "./daemons.ts";
import { liveAgents, precreateAgents, waitAllLive } from "./panes.ts";
import { sleep, waitFor } from "./proc.ts";
import { createRealTown, type RealTools } from "./real_town.ts";
import { summarize, type Summary } from "./stats.ts";
import { tmux } from "./town.ts";
import { type Call, countByTool, readCalls } from "./wrappers.ts";

/** One daemon's steady heartbeats. */
export interface SideHeartbeat {
  /** Subprocesses the daemon started itself, per heartbeat. */
  subprocesses: number[];
  /** Per tool, mean per heartbeat. */
  byTool: Record<string, number>;
  /** Including its children's own calls (`gt` → `bd` …), per heartbeat. */
  withDescendants: number[];
  ms: Summary;
}

/** Both daemons on one town size. */
export interface VsGoHeartbeat {
  rigs: number;
  polecatsPerRig: number;
  agents: number;
  go: SideHeartbeat;
  ours: SideHeartbeat;
}

/** Options for {@link benchVsGoHeartbeat}. */
export interface VsGoHeartbeatOptions {
  rigs: number;
  polecatsPerRig: number;
  runs: number;
  tools: RealTools;
  progress: (line: string) => void;
}

function side(windows: { mine: Call[]; all: Call[]; ms: number }[]) {
  const by: Record<string, number> = {};
  for (const w of windows) {
    for (const [k, v] of Object.entries(countByTool(w.mine))) {
      by[k] = (by[k] ?? 0) + v / windows.length;
    }
  }
  return {
    subprocesses: windows.map((w) => w.mine.length),
    byTool: by,
    withDescendants: windows.map((w) => w.all.length),
    ms: summarize(windows.map((w) => w.ms)),
  };
}

async function callsSince(file: string, from: number): Promise<Call[]> {
  return (await readCalls(file)).filter((c) => c.t > from);
}

/** Kills every session but the keepalive one. */
export async function clearSessions(
  t: { env: Record<string, string> } & Parameters<typeof tmux>[0],
): Promise<void> {
  const names = (await tmux(t, ["list-sessions", "-F", "#{session_name}"])
    .catch(() => "")).split("\n").filter((s) => s && s !== "keepalive");
  for (const s of names) {
    await tmux(t, ["kill-session", "-t", `=${s}`]).catch(() => "");
  }
}

/** Measures one town size with both daemons. */
export async function benchVsGoHeartbeat(
  o: VsGoHeartbeatOptions,
): Promise<VsGoHeartbeat> {
  const t = await createRealTown(o);
  try {
    const result = {
      go: null as SideHeartbeat | null,
      ours: null as SideHeartbeat | null,
    };
    for (const kind of ["go", "ours"] as DaemonKind[]) {
      o.progress(`vs-go heartbeat ${o.rigs}×${o.polecatsPerRig}: ${kind}`);
      await clearSessions(t);
      await precreateAgents(t);
      if (!(await waitAllLive(t, 120_000))) {
        throw new Error("agents did not come up");
      }
      const windows: { mine: Call[]; all: Call[]; ms: number }[] = [];
      if (kind === "go") {
        for (let i = 0; i < o.runs; i++) {
          const from = Date.now();
          const pid = await startKind("go", t, "3m");
          const st = await waitHeartbeat(t.town, 1, 300_000);
          await stopKind("go", t);
          const all = (await callsSince(t.callsFile, from)).filter((c) =>
            c.t <= st.at
          );
          const mine = all.filter((c) => c.ppid === pid);
          windows.push({ mine, all, ms: st.at - (mine[0]?.t ?? st.at) });
        }
      } else {
        const pid = await startKind("ours", t, "2s");
        await waitHeartbeat(t.town, 1, 300_000);
        // Cold start done when every session runs; then let restart
        // backoff wake-ups pass before counting.
        await waitFor(
          async () => (await liveAgents(t)).size >= t.sessions.length,
          120_000,
          200,
        );
        await sleep(2_500);
        let prev = (await heartbeatStamp(t.town))!;
        prev = await waitHeartbeat(t.town, prev.count + 1, 60_000);
        for (let i = 0; i < o.runs; i++) {
          const st = await waitHeartbeat(t.town, prev.count + 1, 60_000);
          const all = (await callsSince(t.callsFile, prev.at)).filter((c) =>
            c.t <= st.at
          );
          const mine = all.filter((c) => c.ppid === pid);
          windows.push({ mine, all, ms: st.at - (mine[0]?.t ?? st.at) });
          prev = st;
        }
        await stopKind("ours", t);
      }
      result[kind] = side(windows);
    }
    return {
      rigs: o.rigs,
      polecatsPerRig: o.polecatsPerRig,
      agents: t.sessions.length,
      go: result.go!,
      ours: result.ours!,
    };
  } finally {
    await t.close();
  }
}
