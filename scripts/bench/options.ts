/**
 * Command-line options of `deno task bench`, with the full and the `--quick`
 * defaults.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../../src/gotime.ts";
import { VS_GO_PARTS, type VsGoPart } from "./vs_go.ts";

/** The benchmarks, in the order they run. */
export const BENCHES = [
  "heartbeat",
  "recovery",
  "status",
  "idle",
  "chaos",
  "vs-go",
] as const;

/** One benchmark's name. */
export type BenchName = typeof BENCHES[number];

/** Everything the run needs. */
export interface BenchOptions {
  only: BenchName[];
  quick: boolean;
  sizes: { rigs: number; polecatsPerRig: number }[];
  steadyRuns: number;
  /** Replay the reference's calls for sizes up to this many polecats. */
  replayMaxPolecats: number;
  recoveryRigs: number;
  recoveryPolecats: number;
  kills: number;
  rawKills: number;
  /** GT_DAEMON_TMUX_NUDGE_MS for every daemon started; null: unset. */
  daemonNudgeMs: number | null;
  heartbeatKills: number;
  shortInterval: string;
  capMs: number;
  gapMs: number;
  statusRuns: number;
  idleTicks: number;
  idleInterval: string;
  idleStandins: "minimal" | "fixture";
  chaosSeconds: number;
  chaosInterval: string;
  chaosGapMs: number;
  chaosMix: { agentKill: number; sessionKill: number; hang: number };
  hangMs: number;
  seed: number;
  out: string;
  /** Parts of the side-by-side run with the reference daemon. */
  vsGoParts: VsGoPart[];
  /** Side-by-side: town sizes, idle soak length. */
  vsGoSizes: { rigs: number; polecatsPerRig: number }[];
  vsGoIdleSeconds: number;
  /** Render the figures of this results file and exit (no run). */
  figuresOnly: string | null;
  /** Where the figures go. */
  figuresDir: string;
}

/** Usage text. */
export const USAGE = `Usage: deno task bench [options]

  --quick                 a short run (about 6 minutes): fewer sizes, kills, runs, ticks
  --only LIST             comma-separated subset of: ${BENCHES.join(", ")}
  --vs-go                 only the side-by-side run with the reference gt daemon on
                          real towns (needs the real gt and bd: GT_DAEMON_REAL_GT,
                          GT_DAEMON_REAL_BD, or deno task real-tools)
  --vs-go-parts LIST      subset of: ${VS_GO_PARTS.join(", ")}
  --vs-go-sizes LIST      side-by-side heartbeat sizes (default 1x1,5x10,20x10; quick 1x1,5x10)
  --vs-go-idle-s N        idle soak length in seconds (default 600; quick 60)
  --figures-only FILE     render the SVG figures of an existing results file, no run
  --figures-dir DIR       where figures go (default bench-results/figures)
  --sizes LIST            heartbeat town sizes, rigs×polecats (default 1x1,5x10,20x10)
  --steady-runs N         steady heartbeats per size (default 5)
  --replay-max N          replay the reference's calls up to N polecats (default 50; 0 = never)
  --kills N               event-driven kills (default 50, different polecats)
  --raw-kills N           kills with the daemon's SIGCHLD nudge off (default 20; 0 = skip)
  --hb-kills N            heartbeat-only kills at --short-interval (default 15)
  --short-interval D      (default 2s)
  --cap-ms MS             a kill not recovered within this counts as lost (default 5000)
  --gap-ms MS             extra pause after an agent is back (default 500)
  --status-runs N         runs of status and of the empty script (default 20)
  --idle-ticks N          idle heartbeats (default 10000)
  --idle-interval D       (default 50ms)
  --idle-standins KIND    minimal (sh scripts, default) or fixture (Node stand-ins)
  --chaos-seconds N       (default 180)
  --chaos-interval D      daemon interval during chaos (default 3m)
  --chaos-gap-ms MS       mean gap between faults (default 3000)
  --chaos-mix K,S,H       weights of agent kill, session kill, hang (default 70,20,10)
  --hang-ms MS            length of an injected hang (default 2000)
  --daemon-nudge-ms MS    GT_DAEMON_TMUX_NUDGE_MS of every daemon started (default: unset, 100)
  --seed N                random seed (default 1)
  --out FILE              results file (default bench-results/latest.json)
`;

function num(text: string | undefined, flag: string, fallback: number) {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`Invalid ${flag}: "${text}"`);
  return Number(text);
}

function duration(text: string | undefined, flag: string, fallback: string) {
  const t = text ?? fallback;
  if (parseDuration(t) === null) throw new Error(`Invalid ${flag}: "${t}"`);
  return t;
}

const STRING_FLAGS = [
  "only",
  "vs-go-parts",
  "vs-go-sizes",
  "vs-go-idle-s",
  "figures-only",
  "figures-dir",
  "sizes",
  "steady-runs",
  "replay-max",
  "kills",
  "raw-kills",
  "daemon-nudge-ms",
  "hb-kills",
  "short-interval",
  "cap-ms",
  "gap-ms",
  "status-runs",
  "idle-ticks",
  "idle-interval",
  "idle-standins",
  "chaos-seconds",
  "chaos-interval",
  "chaos-gap-ms",
  "chaos-mix",
  "hang-ms",
  "seed",
  "out",
];

/** Parses `2x10` / `2×10` lists. */
export function parseSizes(text: string): BenchOptions["sizes"] {
  return text.split(",").filter((s) => s.trim()).map((s) => {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(s);
    if (!m) throw new Error(`Invalid size: "${s}": use RIGSxPOLECATS`);
    return { rigs: Number(m[1]), polecatsPerRig: Number(m[2]) };
  });
}

/** Parses the arguments; throws with a message on a bad value. */
export function parseBenchArgs(args: string[]): BenchOptions | "help" {
  const options: Record<string, { type: "string" | "boolean" }> = {
    quick: { type: "boolean" },
    "vs-go": { type: "boolean" },
    help: { type: "boolean" },
  };
  for (const k of STRING_FLAGS) options[k] = { type: "string" };
  const { values: v } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options,
  }) as { values: Record<string, string | boolean | undefined> };
  if (v.help) return "help";
  const s = (k: string) => v[k] as string | undefined;
  const q = v.quick === true;
  const only = (s("only") ?? (v["vs-go"] ? "vs-go" : BENCHES.join(",")))
    .split(",").map((x) => x.trim()).filter((x) => x);
  const parts = (s("vs-go-parts") ?? VS_GO_PARTS.join(",")).split(",")
    .map((x) => x.trim()).filter((x) => x);
  for (const x of parts) {
    if (!(VS_GO_PARTS as readonly string[]).includes(x)) {
      throw new Error(`Unknown --vs-go-parts entry: "${x}"`);
    }
  }
  for (const b of only) {
    if (!(BENCHES as readonly string[]).includes(b)) {
      throw new Error(`Unknown benchmark: "${b}"`);
    }
  }
  const mix = (s("chaos-mix") ?? "70,20,10").split(",").map(Number);
  if (mix.length !== 3 || mix.some((x) => !(x >= 0))) {
    throw new Error(`Invalid --chaos-mix: "${s("chaos-mix")}"`);
  }
  const standins = s("idle-standins") ?? "minimal";
  if (standins !== "minimal" && standins !== "fixture") {
    throw new Error(`Invalid --idle-standins: "${standins}"`);
  }
  return {
    only: BENCHES.filter((b) => only.includes(b)),
    quick: q,
    sizes: parseSizes(s("sizes") ?? (q ? "1x1,5x10" : "1x1,5x10,20x10")),
    steadyRuns: num(s("steady-runs"), "--steady-runs", q ? 3 : 5),
    replayMaxPolecats: num(s("replay-max"), "--replay-max", 50),
    recoveryRigs: 5,
    recoveryPolecats: 10,
    kills: num(s("kills"), "--kills", q ? 20 : 50),
    rawKills: num(s("raw-kills"), "--raw-kills", q ? 0 : 20),
    daemonNudgeMs: s("daemon-nudge-ms") === undefined
      ? null
      : num(s("daemon-nudge-ms"), "--daemon-nudge-ms", 100),
    heartbeatKills: num(s("hb-kills"), "--hb-kills", q ? 5 : 15),
    shortInterval: duration(s("short-interval"), "--short-interval", "2s"),
    capMs: num(s("cap-ms"), "--cap-ms", 5_000),
    gapMs: num(s("gap-ms"), "--gap-ms", 500),
    statusRuns: num(s("status-runs"), "--status-runs", q ? 8 : 20),
    idleTicks: num(s("idle-ticks"), "--idle-ticks", q ? 1_000 : 10_000),
    idleInterval: duration(s("idle-interval"), "--idle-interval", "50ms"),
    idleStandins: standins,
    chaosSeconds: num(s("chaos-seconds"), "--chaos-seconds", q ? 45 : 180),
    chaosInterval: duration(s("chaos-interval"), "--chaos-interval", "3m"),
    chaosGapMs: num(s("chaos-gap-ms"), "--chaos-gap-ms", 3_000),
    chaosMix: { agentKill: mix[0]!, sessionKill: mix[1]!, hang: mix[2]! },
    hangMs: num(s("hang-ms"), "--hang-ms", 2_000),
    seed: num(s("seed"), "--seed", 1),
    out: s("out") ?? "bench-results/latest.json",
    vsGoParts: VS_GO_PARTS.filter((x) => parts.includes(x)),
    vsGoSizes: parseSizes(
      s("vs-go-sizes") ?? (q ? "1x1,5x10" : "1x1,5x10,20x10"),
    ),
    vsGoIdleSeconds: num(s("vs-go-idle-s"), "--vs-go-idle-s", q ? 60 : 600),
    figuresOnly: s("figures-only") ?? null,
    figuresDir: s("figures-dir") ?? "bench-results/figures",
  };
}

/** Milliseconds of a duration already validated by {@link parseBenchArgs}. */
export function ms(text: string): number {
  return parseDuration(text) ?? NaN;
}
