/**
 * SVG figures from a results file, drawn by Vega-Lite (compiled to Vega and
 * rendered headless with `View.toSVG()`): the crash → live distribution of
 * both daemons, RSS through the idle soak, and availability through the
 * chaos run. Needs only the results JSON, so
 * `deno task bench --figures-only <file>` redraws them without a run.
 *
 * @module
 */

import * as vega from "npm:vega@5.30.0";
import { compile, type TopLevelSpec } from "npm:vega-lite@5.21.0";
import type { BenchResults } from "./results.ts";
import { seededRandom } from "./stats.ts";

type Row = Record<string, string | number>;

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), {
    renderer: "none",
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Empirical CDF rows of `values` for one series. */
export function ecdfRows(series: string, values: readonly number[]): Row[] {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((v, i) => ({
    series,
    ms: Math.max(1, v),
    share: (i + 1) / sorted.length,
  }));
}

const SIZE = { width: 560, height: 280 };

/** The restart-latency figure's spec, or null without restart data. */
export function restartSpec(r: BenchResults): TopLevelSpec | null {
  const x = r.vsGo?.restart;
  if (!x) return null;
  const rand = seededRandom(7);
  const cycle = 180_000 + Math.max(0, ...x.go.fromHeartbeatMs);
  const model = x.go.fromHeartbeatMs.length
    ? Array.from({ length: 200 }, () =>
      rand() * cycle +
      x.go.fromHeartbeatMs[Math.floor(rand() * x.go.fromHeartbeatMs.length)]!)
    : [];
  const rows = [
    ...ecdfRows("gt-daemon: kill → agent (measured)", x.ours.samplesMs),
    ...ecdfRows(
      "gt daemon: heartbeat → agent (measured)",
      x.go.fromHeartbeatMs,
    ),
    ...ecdfRows("gt daemon: kill → agent (model, 3-min heartbeat)", model),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Crash → live agent, real ${x.rigs}×${x.polecatsPerRig} town`,
    ...SIZE,
    data: { values: rows },
    mark: { type: "line", interpolate: "step-after", point: true },
    encoding: {
      x: {
        field: "ms",
        type: "quantitative",
        scale: { type: "log" },
        title: "milliseconds (log scale)",
      },
      y: { field: "share", type: "quantitative", title: "share of kills" },
      color: {
        field: "series",
        type: "nominal",
        legend: { orient: "bottom", columns: 1, labelLimit: 500 },
      },
    },
  };
}

const IDLE_NAMES: Record<string, string> = {
  ours3m: "gt-daemon, 3 min interval, real town",
  ours50ms: "gt-daemon, 50 ms interval",
  go: "gt daemon (Go), real town",
  denoFloor: "empty deno run",
  goFloor: "idle Go program",
};

/** The idle RSS figure's spec, or null without a soak. */
export function idleSpec(r: BenchResults): TopLevelSpec | null {
  const idle = r.vsGo?.idle;
  if (!idle) return null;
  const rows: Row[] = [];
  for (const s of idle.samples) {
    for (const [k, kb] of Object.entries(s.rssKb)) {
      rows.push({ s: s.s, series: IDLE_NAMES[k] ?? k, mib: kb / 1024 });
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title:
      `Resident memory through the idle soak (${idle.ticks} ticks at 50 ms)`,
    ...SIZE,
    data: { values: rows },
    mark: "line",
    encoding: {
      x: { field: "s", type: "quantitative", title: "seconds" },
      y: { field: "mib", type: "quantitative", title: "VmRSS (MiB)" },
      color: {
        field: "series",
        type: "nominal",
        legend: { orient: "bottom", columns: 2, labelLimit: 500 },
      },
    },
  };
}

/** The availability figure's spec, or null without a chaos run. */
export function chaosSpec(r: BenchResults): TopLevelSpec | null {
  const c = r.vsGo?.chaos;
  if (!c?.ours.timeline) return null;
  const rows: Row[] = [];
  // One-second means of the measured samples, next to the model's.
  const buckets = new Map<number, number[]>();
  for (const p of c.ours.timeline) {
    const k = Math.floor(p.s);
    buckets.set(k, [...(buckets.get(k) ?? []), p.up]);
  }
  for (const [s, ups] of buckets) {
    const pct = (ups.reduce((a, b) => a + b, 0) / ups.length) * 100;
    rows.push({ s, series: "gt-daemon (measured)", pct });
  }
  c.goModel.perSecond.forEach((up, s) =>
    rows.push({ s, series: "gt daemon (model)", pct: up * 100 })
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Agents up through the chaos run (${c.ours.agents} agents)`,
    ...SIZE,
    data: { values: rows },
    mark: "line",
    encoding: {
      x: { field: "s", type: "quantitative", title: "seconds" },
      y: {
        field: "pct",
        type: "quantitative",
        title: "agents up (%)",
        scale: { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        legend: { orient: "bottom", labelLimit: 500 },
      },
    },
  };
}

/** The figures a results file can give: file name → spec. */
export function figureSpecs(r: BenchResults): Record<string, TopLevelSpec> {
  const out: Record<string, TopLevelSpec> = {};
  const a = restartSpec(r);
  if (a) out["restart-latency.svg"] = a;
  const b = idleSpec(r);
  if (b) out["idle-rss.svg"] = b;
  const c = chaosSpec(r);
  if (c) out["chaos-availability.svg"] = c;
  return out;
}

/** Renders every figure `r` has into `dir`; the paths written. */
export async function renderFigures(
  r: BenchResults,
  dir: string,
): Promise<string[]> {
  const specs = figureSpecs(r);
  const written: string[] = [];
  if (Object.keys(specs).length === 0) return written;
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, spec] of Object.entries(specs)) {
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, (await toSvg(spec)) + "\n");
    written.push(path);
  }
  return written;
}
