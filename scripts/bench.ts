/**
 * `deno task bench`: subprocesses and wall time per heartbeat, crash →
 * restart latency, `status` latency, idle memory and CPU, and a chaos run.
 * Prints a table and writes `bench-results/latest.json`. Every town, tmux
 * server, daemon and stub agent it starts is ended by PID, also on Ctrl-C.
 * See docs/performance.md.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { benchChaos } from "./bench/chaos.ts";
import { benchHeartbeat } from "./bench/heartbeat.ts";
import { benchIdle } from "./bench/idle.ts";
import { loadAvg, machineInfo } from "./bench/machine.ts";
import {
  type BenchOptions,
  ms,
  parseBenchArgs,
  USAGE,
} from "./bench/options.ts";
import { cleanup, REPO } from "./bench/proc.ts";
import { benchRecovery } from "./bench/recovery.ts";
import { renderReport } from "./bench/report.ts";
import { type BenchResults, RESULTS_VERSION } from "./bench/results.ts";
import { benchStatus } from "./bench/status_latency.ts";
import { renderSideTable } from "./bench/vs_go_report.ts";
import { benchVsGo, realTools } from "./bench/vs_go.ts";

/** Environment added to every daemon the bench starts. */
function daemonEnv(o: BenchOptions): Record<string, string> {
  return o.daemonNudgeMs === null
    ? {}
    : { GT_DAEMON_TMUX_NUDGE_MS: String(o.daemonNudgeMs) };
}

function progress(line: string): void {
  const stamp = new Date().toISOString().slice(11, 19);
  console.error(`[${stamp}] ${line}`);
}

async function runAll(o: BenchOptions, r: BenchResults): Promise<void> {
  const note = (what: string) =>
    r.notes.push(`${what}: load average before ${loadAvg()}`);
  if (o.only.includes("heartbeat")) {
    r.heartbeat = [];
    for (const size of o.sizes) {
      note(`heartbeat ${size.rigs}×${size.polecatsPerRig}`);
      r.heartbeat.push(
        await benchHeartbeat({
          ...size,
          steadyRuns: o.steadyRuns,
          replay: size.rigs * size.polecatsPerRig <= o.replayMaxPolecats,
          progress,
        }),
      );
    }
  }
  if (o.only.includes("recovery")) {
    note("recovery");
    r.recovery = await benchRecovery({
      rigs: o.recoveryRigs,
      polecatsPerRig: o.recoveryPolecats,
      kills: o.kills,
      rawKills: o.rawKills,
      daemonEnv: daemonEnv(o),
      heartbeatKills: o.heartbeatKills,
      shortInterval: o.shortInterval,
      shortIntervalMs: ms(o.shortInterval),
      defaultIntervalMs: 180_000,
      capMs: o.capMs,
      gapMs: o.gapMs,
      seed: o.seed,
      progress,
    });
  }
  if (o.only.includes("status")) {
    note("status");
    r.status = await benchStatus({ runs: o.statusRuns, progress });
  }
  if (o.only.includes("idle")) {
    note("idle");
    progress(`idle: ${o.idleTicks} ticks at ${o.idleInterval}`);
    r.idle = await benchIdle({
      ticks: o.idleTicks,
      interval: o.idleInterval,
      intervalMs: ms(o.idleInterval),
      standins: o.idleStandins,
      sampleMs: 1_000,
      daemonEnv: daemonEnv(o),
      progress,
    });
  }
  if (o.only.includes("chaos")) {
    note("chaos");
    r.chaos = await benchChaos({
      rigs: 5,
      polecatsPerRig: 10,
      seconds: o.chaosSeconds,
      interval: o.chaosInterval,
      intervalMs: ms(o.chaosInterval),
      meanGapMs: o.chaosGapMs,
      mix: o.chaosMix,
      hangMs: o.hangMs,
      daemonEnv: daemonEnv(o),
      seed: o.seed,
      progress,
    });
  }
  if (o.only.includes("vs-go")) {
    const found = realTools();
    if ("skip" in found) {
      r.vsGoSkipped = found.skip;
      progress(`vs-go skipped: ${found.skip}`);
    } else {
      note("vs-go");
      r.vsGo = await benchVsGo(found.tools, {
        parts: o.vsGoParts,
        sizes: o.vsGoSizes,
        heartbeatRuns: o.quick ? 1 : 2,
        kills: o.kills,
        goKills: 5,
        capMs: o.capMs,
        gapMs: o.gapMs,
        statusRuns: o.statusRuns,
        idleSeconds: o.vsGoIdleSeconds,
        idleTicks: o.idleTicks,
        chaosSeconds: o.chaosSeconds,
        chaosGapMs: o.chaosGapMs,
        chaosMix: o.chaosMix,
        hangMs: o.hangMs,
        seed: o.seed,
        progress,
      });
    }
  }
}

/** Renders the figures (Vega is loaded only when figures are drawn). */
async function renderFigures(r: BenchResults, dir: string): Promise<string[]> {
  const figures = await import("./bench/figures.ts");
  return await figures.renderFigures(r, dir);
}

async function main(args: string[]): Promise<number> {
  let o: BenchOptions | "help";
  try {
    o = parseBenchArgs(args);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
    return 2;
  }
  if (o === "help") {
    console.log(USAGE);
    return 0;
  }
  if (o.figuresOnly !== null) {
    const written = await renderFigures(
      JSON.parse(await Deno.readTextFile(o.figuresOnly)),
      resolve(REPO, o.figuresDir),
    );
    for (const f of written) console.log(f);
    return 0;
  }
  if (o.only.length === 1 && o.only[0] === "vs-go") {
    const found = realTools();
    if ("skip" in found) {
      console.error(`bench --vs-go cannot run: ${found.skip}`);
      return 1;
    }
  }
  // Every tmux call must reach a private server: never inherit TMUX, and
  // point the default TMUX_TMPDIR at a sandbox for anything not given one.
  Deno.env.delete("TMUX");
  const sandbox = await Deno.makeTempDir({ prefix: "gtd-bench-sandbox-" });
  Deno.env.set("TMUX_TMPDIR", sandbox);
  cleanup.add("sandbox", () => Deno.remove(sandbox, { recursive: true }));
  let interrupted = false;
  const onInt = () => {
    if (interrupted) return;
    interrupted = true;
    progress("interrupted: cleaning up");
    cleanup.runAll().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onInt);
  const started = new Date();
  const results: BenchResults = {
    version: RESULTS_VERSION,
    startedAt: started.toISOString(),
    finishedAt: "",
    durationS: 0,
    command: `deno task bench${args.length ? " " + args.join(" ") : ""}`,
    options: { ...o },
    machine: await machineInfo(),
    notes: [],
  };
  let code = 0;
  try {
    await runAll(o, results);
  } catch (err) {
    code = 1;
    const msg = err instanceof Error ? err.message : String(err);
    results.notes.push(`aborted: ${msg}`);
    progress(`benchmark failed: ${msg}`);
  } finally {
    await cleanup.runAll();
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onInt);
  }
  const finished = new Date();
  results.finishedAt = finished.toISOString();
  results.durationS = Math.round(
    (finished.getTime() - started.getTime()) / 1000,
  );
  const out = resolve(REPO, o.out);
  await Deno.mkdir(dirname(out), { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify(results, null, 2) + "\n");
  console.log(renderReport(results));
  const side = renderSideTable(results);
  if (side) console.log(`\n${side}`);
  console.log(`\nResults written to ${out} (${results.durationS} s)`);
  try {
    const written = await renderFigures(results, resolve(REPO, o.figuresDir));
    if (written.length) console.log(`Figures: ${written.join(", ")}`);
  } catch (err) {
    console.error(
      `figures not rendered: ${err instanceof Error ? err.message : err}`,
    );
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
