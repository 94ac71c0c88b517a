/**
 * An idle daemon's memory and CPU over many heartbeats. The town is quiet (a
 * Boot marker the bench keeps fresh, no rigs), TMUX_TMPDIR is private with no
 * server (so `tmux list-panes` fails at once), and the daemon runs at a
 * short interval. VmRSS and utime+stime (self) and cutime+cstime (reaped
 * children) come from /proc/<pid>; the tick count from state.json.
 *
 * With `standins: "minimal"` the `bd` and `gt` first on PATH are two-line
 * shell scripts printing `[]`: the fixture stand-ins are Node programs whose
 * start-up (~150 ms each here) would stretch a 50 ms tick to ~300 ms and
 * 10 000 ticks to most of an hour, and they are not what is being measured.
 *
 * @module
 */

import { alive, clockTicks, procStat, rssKb, rssParts, sleep } from "./proc.ts";
import type { IdleResult, IdleSample } from "./results.ts";
import { slope } from "./stats.ts";
import { createTown, startDaemon, stopDaemon } from "./town.ts";

/** Options for {@link benchIdle}. */
export interface IdleOptions {
  ticks: number;
  interval: string;
  intervalMs: number;
  standins: "minimal" | "fixture";
  sampleMs: number;
  /** Added to the daemon's environment. */
  daemonEnv: Record<string, string>;
  progress: (line: string) => void;
}

const MINIMAL = "#!/bin/sh\necho '[]'\n";

async function heartbeats(town: string): Promise<number> {
  try {
    const s = JSON.parse(await Deno.readTextFile(`${town}/daemon/state.json`));
    return typeof s.heartbeat_count === "number" ? s.heartbeat_count : 0;
  } catch {
    return 0;
  }
}

/** Runs the daemon until `ticks` heartbeats have completed. */
export async function benchIdle(o: IdleOptions): Promise<IdleResult> {
  const t = await createTown({ rigs: 0, polecatsPerRig: 0, quiet: true });
  try {
    if (o.standins === "minimal") {
      const bin = `${t.root}/bin`;
      await Deno.mkdir(bin);
      for (const p of ["bd", "gt"]) {
        await Deno.writeTextFile(`${bin}/${p}`, MINIMAL, { mode: 0o755 });
      }
      t.env.PATH = `${bin}:${t.env.PATH}`;
    }
    const hz = await clockTicks();
    const marker = `${t.town}/deacon/dogs/boot/.boot-running`;
    const pid = await startDaemon(t, o.interval, o.daemonEnv);
    const samples: IdleSample[] = [];
    const t0 = performance.now();
    let lastTouch = 0;
    let lastNote = 0;
    const take = async (): Promise<IdleSample | null> => {
      const st = procStat(pid);
      const rss = rssKb(pid);
      const parts = rssParts(pid);
      if (!st || rss === null || parts === null) return null;
      return {
        s: (performance.now() - t0) / 1000,
        ticks: await heartbeats(t.town),
        rssKb: rss,
        anonKb: parts.anon,
        fileKb: parts.file,
        cpuS: (st.utime + st.stime) / hz,
        sysS: st.stime / hz,
      };
    };
    let children0 = 0;
    while (true) {
      if (!alive(pid)) throw new Error("the idle daemon exited");
      // The marker's TTL is 5 minutes: keep it fresh so Boot stays "running".
      if (performance.now() - lastTouch > 60_000) {
        const now = new Date();
        await Deno.utime(marker, now, now);
        lastTouch = performance.now();
      }
      const s = await take();
      if (s) {
        if (samples.length === 0) {
          const st = procStat(pid)!;
          children0 = (st.cutime + st.cstime) / hz;
        }
        samples.push(s);
        if (s.ticks >= o.ticks) break;
        if (performance.now() - lastNote > 60_000) {
          lastNote = performance.now();
          o.progress(
            `idle: ${s.ticks}/${o.ticks} ticks, RSS ${
              (s.rssKb / 1024).toFixed(1)
            } MiB`,
          );
        }
      }
      await sleep(o.sampleMs);
    }
    const st = procStat(pid)!;
    const childrenS = (st.cutime + st.cstime) / hz - children0;
    await stopDaemon(t);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const wall = last.s - first.s;
    const half = samples.slice(Math.floor(samples.length / 2));
    const step = Math.max(1, Math.ceil(samples.length / 200));
    return {
      ticksTarget: o.ticks,
      ticks: last.ticks,
      intervalMs: o.intervalMs,
      wallS: last.s,
      standins: o.standins,
      rssKb: {
        start: first.rssKb,
        end: last.rssKb,
        max: Math.max(...samples.map((x) => x.rssKb)),
        slopePer1000Ticks: slope(
          half.map((x) => x.ticks),
          half.map((x) => x.rssKb),
        ) * 1000,
      },
      anonKb: {
        start: first.anonKb,
        end: last.anonKb,
        max: Math.max(...samples.map((x) => x.anonKb)),
        slopePer1000Ticks: slope(
          half.map((x) => x.ticks),
          half.map((x) => x.anonKb),
        ) * 1000,
      },
      fileKb: { start: first.fileKb, end: last.fileKb },
      cpuPct: {
        self: wall > 0 ? ((last.cpuS - first.cpuS) / wall) * 100 : NaN,
        selfSys: wall > 0 ? ((last.sysS - first.sysS) / wall) * 100 : NaN,
        children: wall > 0 ? (childrenS / wall) * 100 : NaN,
      },
      msPerTick: last.ticks > 0 ? (last.s * 1000) / last.ticks : NaN,
      samples: samples.filter((_, i) =>
        i % step === 0 || i === samples.length - 1
      ),
    };
  } finally {
    await t.close();
  }
}
