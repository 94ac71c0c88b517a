/**
 * The side-by-side table: one row per measure, the reference daemon's
 * figure next to this daemon's, their ratio, how each was obtained, and
 * the goal where there is one.
 *
 * @module
 */

import { describe } from "./chaos_processes.ts";
import { fmtKb, fmtMs, fmtPct, formatTable } from "./report.ts";
import type { BenchResults } from "./results.ts";
import type { Summary } from "./stats.ts";

/** One row of the side-by-side table. */
export interface SideRow {
  measure: string;
  go: string;
  ours: string;
  /** ours / go, or "" when not comparable. */
  ratio: string;
  how: string;
  goal: string;
  ok: boolean | null;
}

const ratio = (ours: number, go: number) => {
  if (!(Number.isFinite(ours) && Number.isFinite(go) && go > 0)) return "";
  const r = ours / go;
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}×`;
};
const trio = (s: Summary) =>
  `${fmtMs(s.p50)} / ${fmtMs(s.p95)} / ${fmtMs(s.p99)}`;
const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
const tools = (by: Record<string, number>) =>
  Object.entries(by).filter(([, n]) => n > 0).map(([k, n]) =>
    `${k} ${Number.isInteger(n) ? n : n.toFixed(1)}`
  ).join(", ");

/** The rows for `r.vsGo` (empty without it). */
export function sideRows(r: BenchResults): SideRow[] {
  const v = r.vsGo;
  if (!v) return [];
  const rows: SideRow[] = [];
  const add = (row: Omit<SideRow, "goal" | "ok"> & Partial<SideRow>) =>
    rows.push({ goal: "", ok: null, ...row });
  for (const h of v.heartbeat) {
    const size = `${h.rigs}×${h.polecatsPerRig}`;
    const g = mean(h.go.subprocesses), o = mean(h.ours.subprocesses);
    add({
      measure: `${size} subprocesses / steady heartbeat`,
      go: `${g} (${tools(h.go.byTool)})`,
      ours: `${o} (${tools(h.ours.byTool)})`,
      ratio: ratio(o, g),
      how: "measured (wrappers)",
    });
    add({
      measure: `${size} … with their own children`,
      go: String(mean(h.go.withDescendants)),
      ours: String(mean(h.ours.withDescendants)),
      ratio: ratio(mean(h.ours.withDescendants), mean(h.go.withDescendants)),
      how: "measured (wrappers)",
    });
    add({
      measure: `${size} heartbeat wall (p50)`,
      go: fmtMs(h.go.ms.p50),
      ours: fmtMs(h.ours.ms.p50),
      ratio: ratio(h.ours.ms.p50, h.go.ms.p50),
      how: "measured",
    });
  }
  const x = v.restart;
  if (x) {
    const town = `${x.rigs}×${x.polecatsPerRig}`;
    add({
      measure: `crash → live agent p50/p95/p99 (${town})`,
      go: trio(x.go.model),
      ours: trio(x.ours.latencyMs),
      ratio: ratio(x.ours.latencyMs.p50, x.go.model.p50),
      how: `ours measured (${x.ours.kills} kills); Go model`,
      goal: "p50 < 100 ms, p99 < 250 ms",
      ok: x.ours.kills > 0
        ? x.ours.latencyMs.p50 < 100 && x.ours.latencyMs.p99 < 250
        : null,
    });
    add({
      measure: "late (> 1 s) / lost hooks",
      go: "",
      ours: `${x.ours.late} / ${x.ours.lost} of ${x.ours.kills}`,
      ratio: "",
      how: "measured",
      goal: "0 / 0",
      ok: x.ours.kills > 0 ? x.ours.late + x.ours.lost === 0 : null,
    });
    const f = [...x.go.fromHeartbeatMs].sort((a, b) => a - b);
    add({
      measure: "heartbeat start → agent, sessions killed in one window",
      go: `${
        f.map((ms) => fmtMs(ms)).join(", ")
      } (${x.go.restarted} of ${x.go.kills})`,
      ours: "",
      ratio: "",
      how: "measured",
    });
    add({
      measure:
        "agent killed inside its session: back (Go: at its next heartbeat)",
      go: `${x.go.agentKillsRestarted} of ${x.go.agentKills}`,
      ours: `${x.ours.kills - x.ours.lost} of ${x.ours.kills}`,
      ratio: "",
      how: "measured",
    });
  }
  const s = v.status;
  if (s) {
    add({
      measure: "status p50 (empty deno run: " + fmtMs(s.emptyMs.p50) + ")",
      go: fmtMs(s.goMs.p50),
      ours: fmtMs(s.oursMs.p50),
      ratio: ratio(s.oursMs.p50, s.goMs.p50),
      how: "measured",
    });
    if (s.nodeBuiltinsMs) {
      add({
        measure: "… a script importing only status's Node built-ins",
        go: "",
        ours: fmtMs(s.nodeBuiltinsMs.p50),
        ratio: "",
        how: "measured",
      });
    }
    add({
      measure: "status over empty deno run (p50)",
      go: "",
      ours: `${s.oursOverEmpty.toFixed(2)}×`,
      ratio: "",
      how: "measured",
      goal: "≤ 1.5×",
      ok: s.oursOverEmpty <= 1.5,
    });
  }
  const c = v.chaos;
  if (c) {
    add({
      measure:
        `availability under chaos (${c.ours.agents} agents, ${c.ours.seconds} s)`,
      go: fmtPct(c.goModel.availability * 100, 2),
      ours: fmtPct(c.ours.availability * 100, 3),
      ratio: "",
      how: "ours measured; Go model",
      goal: "≥ 99.5 % (ours)",
      ok: c.ours.availability >= 0.995,
    });
    const d = c.ours.doubleStarts;
    add({
      measure: "double starts under chaos (tmux / process; exiting leftovers)",
      go: "",
      ours: `${d.tmux} / ${d.process}; ${d.exitingLeftovers ?? 0}`,
      ratio: "",
      how: "measured",
      goal: "0",
      ok: d.tmux + d.process === 0,
    });
  }
  const i = v.idle;
  if (i) {
    const t = i.tracks;
    const med = (k: keyof typeof t) => t[k].rssKb?.median ?? NaN;
    add({
      measure: `idle RSS median, ${Math.round(i.seconds / 60)} min`,
      go: fmtKb(med("go")),
      ours: fmtKb(med("ours3m")),
      ratio: ratio(med("ours3m"), med("go")),
      how: "measured",
    });
    add({
      measure: "idle RSS floors: idle Go program / empty deno run",
      go: fmtKb(med("goFloor")),
      ours: fmtKb(med("denoFloor")),
      ratio: "",
      how: "measured",
    });
    const o50 = t.ours50ms.rssKb;
    const o3 = t.ours3m.rssKb;
    add({
      measure: "idle RSS max over its floor (3 min interval)",
      go: ratio(t.go.rssKb?.max ?? NaN, med("goFloor")),
      ours: ratio(o3?.max ?? NaN, med("denoFloor")),
      ratio: "",
      how: "measured",
      goal: "≤ 1.5× of deno floor",
      ok: o3 ? o3.max <= 1.5 * med("denoFloor") : null,
    });
    const perThousand = o50 && i.ticks > 0
      ? (o50.slopePerMin / 1024) / (i.ticks / (i.seconds / 60)) * 1000
      : NaN;
    add({
      measure: `50 ms interval, ${i.ticks} ticks: RSS max over floor; slope`,
      go: "",
      ours: o50
        ? `${ratio(o50.max, med("denoFloor"))}; ${
          perThousand.toFixed(2)
        } MiB / 1000 ticks (2nd half)`
        : "n/a",
      ratio: "",
      how: "measured",
      goal: "flat",
    });
    const cpu = (k: keyof typeof t) =>
      t[k].cpuPct
        ? fmtPct(t[k].cpuPct!.self + t[k].cpuPct!.children, 3)
        : "n/a";
    add({
      measure: "idle CPU incl. children (3 min interval)",
      go: cpu("go"),
      ours: cpu("ours3m"),
      ratio: "",
      how: "measured",
    });
  }
  return rows;
}

/** The side-by-side table as text (empty without `r.vsGo`). */
export function renderSideTable(r: BenchResults): string {
  const rows = sideRows(r);
  if (rows.length === 0) {
    return r.vsGoSkipped
      ? `side by side with gt daemon: skipped: ${r.vsGoSkipped}`
      : "";
  }
  return [
    `side by side: gt daemon (${
      r.vsGo!.tools.gtVersion || "gt"
    }) vs gt-daemon, real bd ${r.vsGo!.tools.bdVersion || ""}`,
    "",
    formatTable(
      ["measure", "gt daemon (Go)", "gt-daemon", "ratio", "how", "goal", "met"],
      rows.map((x) => [
        x.measure,
        x.go,
        x.ours,
        x.ratio,
        x.how,
        x.goal,
        x.ok === null ? "" : x.ok ? "yes" : "NO",
      ]),
    ),
    ...(r.vsGo!.failed ?? []).map((f) => `failed: ${f}`),
    ...(r.vsGo!.chaos?.ours.doubleStarts.processIncidents ?? []).map((i) =>
      `double agent process: ${describe(i)}`
    ),
  ].join("\n");
}
