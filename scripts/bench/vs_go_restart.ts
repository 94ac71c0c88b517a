/**
 * Crash → live agent on a real town, both daemons.
 *
 * This daemon: the agent process of a polecat is killed with SIGKILL, one
 * different polecat at a time (as in the stand-in recovery bench), and the
 * clock runs to the new agent's own start record. The wrappers show which
 * subprocesses the daemon ran between the kill and that record: the
 * restart path's profile.
 *
 * The reference only looks at polecats in its heartbeat (every 3 minutes)
 * and only when their session is gone. Measured: a few polecat sessions
 * are killed within one heartbeat window, then a heartbeat (a fresh `gt
 * daemon start`) finds and restarts them; the clock runs from the
 * heartbeat's first call to each agent's start record. Modelled: a crash at
 * a uniformly random moment waits for the next heartbeat, then takes a
 * measured restart time. Also measured: an agent killed inside a session
 * the reference started (its shell stays) is not restarted by the next
 * heartbeat.
 *
 * @module
 */

import { startKind, stopKind, waitHeartbeat } from "./daemons.ts";
import { killOnce } from "./kill.ts";
import { liveAgents, precreateAgents, waitAllLive } from "./panes.ts";
import { signalPid, sleep, waitFor } from "./proc.ts";
import { createRealTown, type RealTools, type RealTown } from "./real_town.ts";
import { BackoffWindows, DELAYED_HOOK_MS } from "./recovery.ts";
import {
  heartbeatOnlyModel,
  seededRandom,
  shuffle,
  summarize,
  type Summary,
} from "./stats.ts";
import { agentRecords, isStubAgent, tmux } from "./town.ts";
import { clearSessions } from "./vs_go_heartbeat.ts";
import { type Call, countByTool, readCalls } from "./wrappers.ts";

/** The restart comparison. */
export interface VsGoRestart {
  rigs: number;
  polecatsPerRig: number;
  ours: {
    kills: number;
    lost: number;
    /** Kills whose crash hook (`gt log crash`) ran > 1 s after the kill. */
    late: number;
    samplesMs: number[];
    latencyMs: Summary;
    /** The daemon's own calls between a kill and the agent's start, mean per kill. */
    pathCalls: Record<string, number>;
    /** The first kills: the hook, the daemon's calls and the agent's start, ms after the kill. */
    pathExamples: string[][];
  };
  go: {
    /** Sessions killed within one heartbeat window. */
    kills: number;
    /** Of them, back after the heartbeat. */
    restarted: number;
    /** Heartbeat start → each agent's start record (measured). */
    fromHeartbeatMs: number[];
    /** Kill → live agent at the 3-minute interval (model). */
    model: Summary;
    /** Agents killed inside sessions the reference started: back after the next heartbeat. */
    agentKills: number;
    agentKillsRestarted: number;
  };
}

/** Options for {@link benchVsGoRestart}. */
export interface VsGoRestartOptions {
  rigs: number;
  polecatsPerRig: number;
  kills: number;
  goKills: number;
  capMs: number;
  gapMs: number;
  seed: number;
  tools: RealTools;
  progress: (line: string) => void;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Measures both daemons' restart paths on one real town. */
export async function benchVsGoRestart(
  o: VsGoRestartOptions,
): Promise<VsGoRestart> {
  const t = await createRealTown(o);
  try {
    const rand = seededRandom(o.seed);
    const polecats = t.sessions.filter((s) => /^gt-r\d+-p\d+$/.test(s));
    // This daemon, from a cold start.
    o.progress(`vs-go restart: cold start of ${t.sessions.length} agents`);
    const pid = await startKind("ours", t, "3m");
    if (!(await waitAllLive(t, 300_000))) {
      throw new Error("not every agent came up under the daemon");
    }
    await waitHeartbeat(t.town, 1, 300_000);
    const windows = new BackoffWindows(t.sessions);
    const samples: number[] = [];
    const path: Call[][] = [];
    const examples: string[][] = [];
    let lost = 0;
    let late = 0;
    const victims = shuffle(polecats, rand).slice(0, o.kills);
    for (const [i, s] of victims.entries()) {
      await windows.wait();
      const k = await killOnce(t, s, o.capMs);
      windows.restarted(s);
      if (k.ms === null) lost++;
      else samples.push(round(k.ms));
      const calls = await readCalls(t.callsFile);
      const hook = calls.find((c) =>
        c.tool === "gt" && c.args.startsWith("log crash") &&
        c.args.includes(`--session ${s}`) && c.t >= k.killedAt - 50
      );
      if (!hook || hook.t - k.killedAt > DELAYED_HOOK_MS) late++;
      if (k.ms !== null) {
        const end = k.killedAt + k.ms;
        path.push(
          calls.filter((c) => c.ppid === pid && c.t >= k.killedAt && c.t <= end)
            .map((c) => ({ ...c, t: c.t - k.killedAt })),
        );
        examples.push([
          ...(hook
            ? [`+${Math.round(hook.t - k.killedAt)} ms hook gt log crash`]
            : []),
          ...path[path.length - 1]!.map((c) =>
            `+${Math.round(c.t)} ms ${c.tool} ${c.args.split(" ")[0] ?? ""}`
          ),
          `+${Math.round(k.ms)} ms agent started`,
        ]);
      }
      if ((i + 1) % 10 === 0) {
        o.progress(`vs-go restart: ${i + 1}/${victims.length} kills`);
      }
      await sleep(o.gapMs);
    }
    await stopKind("ours", t);
    const pathCalls: Record<string, number> = {};
    for (const p of path) {
      for (const [k, v] of Object.entries(countByTool(p))) {
        pathCalls[k] = (pathCalls[k] ?? 0) + v / Math.max(1, path.length);
      }
    }
    const go = o.goKills > 0
      ? await referencePart(t, o, polecats, rand)
      : emptyGo();
    return {
      rigs: o.rigs,
      polecatsPerRig: o.polecatsPerRig,
      ours: {
        kills: victims.length,
        lost,
        late,
        samplesMs: samples,
        latencyMs: summarize(samples),
        pathCalls,
        pathExamples: examples.slice(0, 5),
      },
      go,
    };
  } finally {
    await t.close();
  }
}

function emptyGo(): VsGoRestart["go"] {
  return {
    kills: 0,
    restarted: 0,
    fromHeartbeatMs: [],
    model: summarize([]),
    agentKills: 0,
    agentKillsRestarted: 0,
  };
}

/** The reference's part: sessions killed within one heartbeat window. */
async function referencePart(
  t: RealTown,
  o: VsGoRestartOptions,
  polecats: string[],
  rand: () => number,
): Promise<VsGoRestart["go"]> {
  // The reference: sessions killed within one heartbeat window.
  o.progress(`vs-go restart: reference, ${o.goKills} sessions killed`);
  await clearSessions(t);
  await precreateAgents(t);
  if (!(await waitAllLive(t, 120_000))) {
    throw new Error("agents did not come up");
  }
  const reachable = polecats.filter((s) => s.startsWith("gt-r01-"));
  const goVictims = shuffle(reachable, rand).slice(0, o.goKills);
  for (const s of goVictims) await tmux(t, ["kill-session", "-t", `=${s}`]);
  const before = new Set((await agentRecords(t)).map((r) => r.pid));
  const from = Date.now();
  const goPid = await startKind("go", t, "3m");
  await waitHeartbeat(t.town, 1, 300_000);
  await stopKind("go", t);
  const first = (await readCalls(t.callsFile)).find((c) =>
    c.ppid === goPid && c.t >= from
  );
  const start = first?.t ?? from;
  const fromHeartbeat: number[] = [];
  for (const s of goVictims) {
    const actor = s.replace(/^gt-([^-]+)-(.+)$/, "$1/polecats/$2");
    const rec = (await agentRecords(t)).find((r) =>
      r.actor === actor && !before.has(r.pid)
    );
    if (rec) fromHeartbeat.push(round(rec.t - start));
  }
  // An agent killed inside a session the reference started.
  // The pane's process is the shell the reference typed the command
  // into; the agent is its child (the stub's newest start record).
  const live = await liveAgents(t);
  const inGo = goVictims.filter((s) => live.has(s)).slice(0, 2);
  const records = await agentRecords(t);
  for (const s of inGo) {
    const actor = s.replace(/^gt-([^-]+)-(.+)$/, "$1/polecats/$2");
    const agent = records.filter((r) => r.actor === actor && isStubAgent(r.pid))
      .pop();
    if (agent) signalPid(agent.pid, "SIGKILL");
  }
  await waitFor(async () => {
    const now = await liveAgents(t);
    return inGo.every((s) => !now.has(s));
  }, 5_000);
  await startKind("go", t, "3m");
  await waitHeartbeat(t.town, 1, 300_000);
  await stopKind("go", t);
  const after = await liveAgents(t);
  const cycle = 180_000 + Math.max(0, ...fromHeartbeat);
  return {
    kills: goVictims.length,
    restarted: fromHeartbeat.length,
    fromHeartbeatMs: fromHeartbeat,
    model: heartbeatOnlyModel(cycle, fromHeartbeat),
    agentKills: inGo.length,
    agentKillsRestarted: inGo.filter((s) => after.has(s)).length,
  };
}
