/**
 * Idle memory and CPU side by side, all processes at once in one window:
 * - this daemon at its default 3-minute interval on a quiet real town;
 * - this daemon at a 50 ms interval on a quiet stand-in town (minimal `sh`
 *   stand-ins), run until it has done `ticks` heartbeats: the flatness test;
 * - the reference daemon on a quiet real town (its interval is fixed at 3
 *   minutes);
 * - the floors: an empty `deno run` (a script that only keeps a timer) and
 *   an idle Go program (`time.Sleep` in a loop, built here with `go build`).
 * VmRSS and CPU (utime + stime, and reaped children) from /proc/<pid> every
 * `sampleMs`, for at least `minSeconds`.
 *
 * @module
 */

import { startGoDaemon, stopGoDaemon, waitHeartbeat } from "./daemons.ts";
import {
  alive,
  cleanup,
  clockTicks,
  denoRun,
  procStat,
  rssKb,
  run,
  signalPid,
  sleep,
  waitFor,
} from "./proc.ts";
import { createRealTown, type RealTools } from "./real_town.ts";
import { slope } from "./stats.ts";
import { createTown, startDaemon, stopDaemon } from "./town.ts";
import { onPath } from "./wrappers.ts";

/** The processes the soak samples. */
export const IDLE_SERIES = [
  "ours3m",
  "ours50ms",
  "go",
  "denoFloor",
  "goFloor",
] as const;

/** One of {@link IDLE_SERIES}. */
export type IdleSeries = typeof IDLE_SERIES[number];

/** One process over the soak. */
export interface IdleTrack {
  /** Null when the process could not run (with the reason in `skipped`). */
  rssKb: {
    start: number;
    end: number;
    max: number;
    median: number;
    slopePerMin: number;
  } | null;
  /** Of one core: the process itself, and its reaped children. */
  cpuPct: { self: number; children: number } | null;
  skipped: string | null;
}

/** The soak's result. */
export interface VsGoIdle {
  seconds: number;
  /** Heartbeats of the 50 ms daemon (target and done). */
  ticksTarget: number;
  ticks: number;
  tracks: Record<IdleSeries, IdleTrack>;
  /** Every `sampleMs`: seconds since start, RSS KiB per series (null: not running). */
  samples: { s: number; rssKb: Partial<Record<IdleSeries, number>> }[];
}

/** Options for {@link benchVsGoIdle}. */
export interface VsGoIdleOptions {
  minSeconds: number;
  ticks: number;
  sampleMs: number;
  tools: RealTools | null;
  progress: (line: string) => void;
}

const MINIMAL = "#!/bin/sh\necho '[]'\n";
const GO_FLOOR =
  'package main\n\nimport "time"\n\nfunc main() {\n\tfor {\n\t\ttime.Sleep(time.Hour)\n\t}\n}\n';

async function heartbeats(town: string): Promise<number> {
  try {
    return JSON.parse(await Deno.readTextFile(`${town}/daemon/state.json`))
      .heartbeat_count ?? 0;
  } catch {
    return 0;
  }
}

function spawnFloor(argv: string[], name: string): number {
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const pid = child.pid;
  cleanup.add(name, async () => {
    signalPid(pid, "SIGKILL");
    await child.status;
  });
  return pid;
}

/** Runs the soak. */
export async function benchVsGoIdle(o: VsGoIdleOptions): Promise<VsGoIdle> {
  const pids: Partial<Record<IdleSeries, number>> = {};
  const skipped: Partial<Record<IdleSeries, string>> = {};
  const stops: (() => Promise<void>)[] = [];
  const quiet = await createTown({ rigs: 0, polecatsPerRig: 0, quiet: true });
  stops.push(() => quiet.close());
  const bin = `${quiet.root}/bin`;
  await Deno.mkdir(bin);
  for (const p of ["bd", "gt"]) {
    await Deno.writeTextFile(`${bin}/${p}`, MINIMAL, { mode: 0o755 });
  }
  quiet.env.PATH = `${bin}:${quiet.env.PATH}`;
  const marker = `${quiet.town}/deacon/dogs/boot/.boot-running`;
  try {
    pids.ours50ms = await startDaemon(quiet, "50ms");
    if (o.tools) {
      const ours = await createRealTown({
        rigs: 0,
        polecatsPerRig: 0,
        tools: o.tools,
        progress: o.progress,
      });
      stops.push(() => ours.close());
      pids.ours3m = await startDaemon(ours, "3m");
      const go = await createRealTown({
        rigs: 0,
        polecatsPerRig: 0,
        tools: o.tools,
        progress: o.progress,
      });
      stops.push(async () => {
        await stopGoDaemon(go);
        await go.close();
      });
      pids.go = await startGoDaemon(go);
      await waitHeartbeat(go.town, 1, 120_000);
    } else {
      skipped.ours3m = skipped.go = "the real gt and bd are not available";
    }
    const floorTs = `${quiet.root}/floor.ts`;
    await Deno.writeTextFile(floorTs, "setInterval(() => {}, 3_600_000);\n");
    pids.denoFloor = spawnFloor(
      denoRun(floorTs),
      "deno floor",
    );
    const go = onPath("go", Deno.env.get("PATH") ?? "");
    if (go) {
      await Deno.writeTextFile(`${quiet.root}/floor.go`, GO_FLOOR);
      await run([
        go,
        "build",
        "-o",
        `${quiet.root}/gofloor`,
        `${quiet.root}/floor.go`,
      ], {
        cwd: quiet.root,
        env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", GO111MODULE: "off" },
        timeoutMs: 300_000,
      });
      pids.goFloor = spawnFloor([`${quiet.root}/gofloor`], "go floor");
    } else {
      skipped.goFloor = "go is not installed";
    }
    const hz = await clockTicks();
    const cpu0: Partial<Record<IdleSeries, { self: number; kids: number }>> =
      {};
    for (const k of IDLE_SERIES) {
      const st = pids[k] ? procStat(pids[k]!) : null;
      if (st) {
        cpu0[k] = {
          self: (st.utime + st.stime) / hz,
          kids: (st.cutime + st.cstime) / hz,
        };
      }
    }
    const samples: VsGoIdle["samples"] = [];
    const t0 = performance.now();
    let lastTouch = 0, lastNote = performance.now(), ticks = 0;
    while (true) {
      if (!alive(pids.ours50ms!)) throw new Error("the 50 ms daemon exited");
      if (performance.now() - lastTouch > 60_000) {
        const now = new Date();
        await Deno.utime(marker, now, now);
        lastTouch = performance.now();
      }
      const s = (performance.now() - t0) / 1000;
      const rss: Partial<Record<IdleSeries, number>> = {};
      for (const k of IDLE_SERIES) {
        const r = pids[k] ? rssKb(pids[k]!) : null;
        if (r !== null) rss[k] = r;
      }
      samples.push({ s: Math.round(s * 10) / 10, rssKb: rss });
      ticks = await heartbeats(quiet.town);
      if (s >= o.minSeconds && ticks >= o.ticks) break;
      if (performance.now() - lastNote > 60_000) {
        lastNote = performance.now();
        o.progress(`idle soak: ${Math.round(s)} s, ${ticks}/${o.ticks} ticks`);
      }
      await sleep(o.sampleMs);
    }
    const wall = (performance.now() - t0) / 1000;
    const tracks = {} as Record<IdleSeries, IdleTrack>;
    for (const k of IDLE_SERIES) {
      const xs = samples.filter((x) => x.rssKb[k] !== undefined);
      const st = pids[k] ? procStat(pids[k]!) : null;
      if (xs.length === 0 || !st || !cpu0[k]) {
        tracks[k] = {
          rssKb: null,
          cpuPct: null,
          skipped: skipped[k] ?? "not sampled",
        };
        continue;
      }
      const v = xs.map((x) => x.rssKb[k]!);
      const half = xs.slice(Math.floor(xs.length / 2));
      tracks[k] = {
        rssKb: {
          start: v[0]!,
          end: v[v.length - 1]!,
          max: Math.max(...v),
          median: [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!,
          slopePerMin: slope(
            half.map((x) => x.s),
            half.map((x) => x.rssKb[k]!),
          ) * 60,
        },
        cpuPct: {
          self: (((st.utime + st.stime) / hz - cpu0[k]!.self) / wall) * 100,
          children: (((st.cutime + st.cstime) / hz - cpu0[k]!.kids) / wall) *
            100,
        },
        skipped: null,
      };
    }
    const step = Math.max(1, Math.ceil(samples.length / 300));
    await stopDaemon(quiet);
    return {
      seconds: Math.round(wall),
      ticksTarget: o.ticks,
      ticks,
      tracks,
      samples: samples.filter((_, i) =>
        i % step === 0 || i === samples.length - 1
      ),
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const k of ["denoFloor", "goFloor"] as const) {
      const pid = pids[k];
      if (pid && alive(pid)) signalPid(pid, "SIGKILL");
    }
    await waitFor(() => !(pids.denoFloor && alive(pids.denoFloor)), 2_000);
  }
}
