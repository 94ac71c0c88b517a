/**
 * The shape of `bench-results/latest.json`: one optional section per
 * benchmark, plus the machine, the options and the command that reproduces
 * the run.
 *
 * @module
 */

import type { ProcessIncident } from "./chaos_processes.ts";
import type { FormulaPart } from "./formula.ts";
import type { Summary } from "./stats.ts";
import type { VsGoResults } from "./vs_go.ts";

/** Schema version of the results file. */
export const RESULTS_VERSION = 1;

/** The machine the numbers come from. */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalMb: number;
  kernel: string;
  deno: string;
  tmux: string;
  node: string;
  /** /proc/loadavg at the start of the run. */
  loadAvg: string;
}

/** Subprocesses and wall time of one heartbeat size. */
export interface HeartbeatResult {
  rigs: number;
  polecatsPerRig: number;
  /** Supervised agents: Deacon, Boot, 2 per rig, the polecats. */
  agents: number;
  steady: {
    runs: number;
    /** Subprocesses of each steady heartbeat. */
    subprocesses: number[];
    /** Program name → calls in the last steady heartbeat. */
    byProgram: Record<string, number>;
    ms: Summary;
  };
  reference: { formula: string; total: number; parts: FormulaPart[] };
  /** The reference's calls run one after another here; null when skipped. */
  replay: { subprocesses: number; ms: number } | null;
}

/** Crash → live agent latencies. */
export interface RecoveryResult {
  rigs: number;
  polecatsPerRig: number;
  /** From `start` until every agent was live. */
  coldStartMs: number;
  /** As measured; `withLostModel` lets late and lost hooks wait for the heartbeat. */
  eventDriven: LatencyRun & { withLostModel: Summary };
  /** The same with the daemon's SIGCHLD nudge off (null: skipped). */
  eventDrivenRaw: LatencyRun | null;
  heartbeatShort: LatencyRun & { intervalMs: number; model: Summary };
  heartbeatDefault: { intervalMs: number; cycleMs: number; model: Summary };
}

/** One series of kills. */
export interface LatencyRun {
  kills: number;
  /** Kills whose agent was not back within `capMs` (tmux never ran the hook). */
  lost: number;
  /** Kills back within the cap whose hook tmux ran only after 1 s. */
  delayed: number;
  capMs: number;
  /** Kill → the new agent's start record, over the kills back within the cap. */
  latencyMs: Summary;
  /** Kill → a 50 ms tmux poll saw the live `claude` pane (upper bound). */
  paneSeenMs: Summary;
  samplesMs: number[];
  /** Kill → the hook's `gt log crash` starting (delivered hooks only). */
  hookMs: Summary;
  /** Mean wall time of one daemon heartbeat in this town (ms), if known. */
  heartbeatMs?: number;
  /** Each kill: ms to the new agent (null: lost) and to the hook running. */
  detail: { session: string; ms: number | null; hookMs: number | null }[];
}

/** `status` against an empty script. */
export interface StatusResult {
  runs: number;
  statusMs: Summary;
  emptyMs: Summary;
  ratioMedian: number;
  ratioP95: number;
}

/** One idle-daemon sample. */
export interface IdleSample {
  s: number;
  ticks: number;
  rssKb: number;
  /** RssAnon: the process's own (private, anonymous) pages. */
  anonKb: number;
  /** RssFile: mapped files, mostly the deno executable (shared). */
  fileKb: number;
  /** utime + stime so far, seconds. */
  cpuS: number;
  /** stime so far, seconds. */
  sysS: number;
}

/** Idle daemon memory and CPU. */
export interface IdleResult {
  ticksTarget: number;
  ticks: number;
  intervalMs: number;
  wallS: number;
  standins: "minimal" | "fixture";
  rssKb: { start: number; end: number; max: number; slopePer1000Ticks: number };
  anonKb: {
    start: number;
    end: number;
    max: number;
    slopePer1000Ticks: number;
  };
  fileKb: { start: number; end: number };
  /** Of one CPU: the daemon (and its kernel share), and its reaped children. */
  cpuPct: { self: number; selfSys: number; children: number };
  msPerTick: number;
  samples: IdleSample[];
}

/** The chaos run. */
export interface ChaosResult {
  seconds: number;
  agents: number;
  intervalMs: number;
  faults: { agentKill: number; sessionKill: number; hang: number };
  samples: number;
  /** Share of agent-seconds with a live agent pane (hung agents count). */
  availability: number;
  /** Same, counting agents as down while a hang is injected. */
  availabilityResponsive: number;
  /** Agent-seconds down, by the fault that caused it. */
  downSeconds: { agentKill: number; sessionKill: number; other: number };
  /**
   * A session with two live agent panes; two live agent processes of one
   * actor at work; an older one of two that had lost its pane and was gone
   * within a second (an exiting leftover, not counted in `process`). Each
   * process incident's details are in `processIncidents`.
   */
  doubleStarts: {
    tmux: number;
    process: number;
    exitingLeftovers?: number;
    processIncidents?: ProcessIncident[];
  };
  agentStarts: number;
  maxKillsPerAgent: number;
  /** Seconds from an agent going down to being back, by the fault that did it. */
  outageS: { agentKill: Summary; sessionKill: Summary };
  /** Agent kills whose pane-died hook ran > 1 s late or not at all. */
  lateHooks: number;
  /** GT_DAEMON_TMUX_NUDGE_MS of the run's daemon (null: the default). */
  daemonNudgeMs: number | null;
  /** Each sample: seconds into the run, share of agents up. */
  timeline?: { s: number; up: number }[];
}

/** The whole results file. */
export interface BenchResults {
  version: number;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  options: Record<string, unknown>;
  machine: MachineInfo;
  heartbeat?: HeartbeatResult[];
  recovery?: RecoveryResult;
  status?: StatusResult;
  idle?: IdleResult;
  chaos?: ChaosResult;
  /** The side-by-side run with the reference daemon on real towns. */
  vsGo?: VsGoResults;
  /** Why the side-by-side run was skipped. */
  vsGoSkipped?: string;
  notes: string[];
}

/** The top-level keys every results file has. */
export const REQUIRED_KEYS: readonly (keyof BenchResults)[] = [
  "version",
  "startedAt",
  "finishedAt",
  "durationS",
  "command",
  "options",
  "machine",
  "notes",
];

/** Returns what is wrong with a parsed results file (empty when fine). */
export function checkResultsShape(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== "object" || value === null) return ["not an object"];
  const r = value as Record<string, unknown>;
  for (const k of REQUIRED_KEYS) {
    if (!(k in r)) problems.push(`missing "${k}"`);
  }
  if (r.version !== RESULTS_VERSION) problems.push("wrong version");
  const m = r.machine as Record<string, unknown> | undefined;
  if (m && typeof m.nproc !== "number") problems.push("machine.nproc");
  if (r.heartbeat !== undefined && !Array.isArray(r.heartbeat)) {
    problems.push("heartbeat is not a list");
  }
  return problems;
}
