/**
 * Turning results into the printed table: one row per reported number, with
 * its goal and whether the goal was met.
 *
 * @module
 */

import { describe } from "./chaos_processes.ts";
import type { BenchResults } from "./results.ts";

/** One table row. */
export interface Row {
  bench: string;
  metric: string;
  value: string;
  goal: string;
  /** true met, false missed, null no goal. */
  ok: boolean | null;
}

/** Formats milliseconds: `850 ms`, `1.24 s`, `3.0 min`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Formats a percentage with `digits` decimals. */
export function fmtPct(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)} %` : "n/a";
}

/** Formats kibibytes as MB (10⁶ bytes would mislead next to VmRSS). */
export function fmtKb(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MiB` : "n/a";
}

/** Left-aligned plain-text table with a header rule. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [
    line(headers),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(headers.map((_, i) => r[i] ?? ""))),
  ].join("\n");
}

/** The rows for every section present in `r`. */
export function resultRows(r: BenchResults): Row[] {
  const rows: Row[] = [];
  const add = (
    bench: string,
    metric: string,
    value: string,
    goal = "",
    ok: boolean | null = null,
  ) => rows.push({ bench, metric, value, goal, ok });
  for (const h of r.heartbeat ?? []) {
    const name = `heartbeat ${h.rigs}×${h.polecatsPerRig}`;
    const subs = h.steady.subprocesses;
    const maxSubs = subs.length ? Math.max(...subs) : NaN;
    add(
      name,
      "subprocesses / steady heartbeat",
      subs.length ? String(maxSubs) : "n/a",
      `< ${h.reference.total} (ref ${h.reference.formula})`,
      subs.length ? maxSubs < h.reference.total : null,
    );
    add(name, "steady heartbeat wall (p50)", fmtMs(h.steady.ms.p50));
    if (h.replay) {
      add(name, "reference calls replayed, wall", fmtMs(h.replay.ms));
    }
  }
  if (r.recovery) {
    const rec = r.recovery;
    const ev = rec.eventDriven;
    const trio = (x: { p50: number; p95: number; p99: number }) =>
      `${fmtMs(x.p50)} / ${fmtMs(x.p95)} / ${fmtMs(x.p99)}`;
    add(
      "recovery",
      `cold start, ${rec.rigs}×${rec.polecatsPerRig} town`,
      fmtMs(rec.coldStartMs),
    );
    add(
      "recovery",
      `event-driven p50/p95/p99 (${ev.kills - ev.lost} of ${ev.kills})`,
      trio(ev.latencyMs),
      "p99 < 1 s",
      ev.kills > 0 ? ev.latencyMs.p99 < 1000 : null,
    );
    add(
      "recovery",
      `hooks held up by tmux: late (> 1 s) / lost (> ${fmtMs(ev.capMs)})`,
      `${ev.delayed} / ${ev.lost} of ${ev.kills}`,
      "0 / 0",
      ev.kills > 0 ? ev.lost + ev.delayed === 0 : null,
    );
    if (ev.lost + ev.delayed > 0) {
      add(
        "recovery",
        "event-driven incl. lost → heartbeat, model",
        trio(ev.withLostModel),
        "p99 < 1 s",
        ev.withLostModel.p99 < 1000,
      );
    }
    add(
      "recovery",
      "kill → hook's gt log crash p50/p95",
      `${fmtMs(ev.hookMs.p50)} / ${fmtMs(ev.hookMs.p95)}`,
    );
    const n = rec.eventDrivenRaw;
    if (n) {
      add(
        "recovery",
        `daemon's SIGCHLD nudge off: p50/p95/p99; late/lost`,
        `${trio(n.latencyMs)}; ${n.delayed}/${n.lost} of ${n.kills}`,
      );
    }
    const s = rec.heartbeatShort;
    if (s.kills > 0) {
      add(
        "recovery",
        `heartbeat-only ${fmtMs(s.intervalMs)} measured (${s.kills})`,
        trio(s.latencyMs),
      );
      add(
        "recovery",
        `heartbeat-only ${fmtMs(s.intervalMs)} model`,
        trio(s.model),
      );
    }
    add(
      "recovery",
      `heartbeat-only ${fmtMs(rec.heartbeatDefault.intervalMs)} model`,
      trio(rec.heartbeatDefault.model),
    );
  }
  if (r.status) {
    const st = r.status;
    add(
      "status",
      `median / p95 (${st.runs} runs)`,
      `${fmtMs(st.statusMs.p50)} / ${fmtMs(st.statusMs.p95)}`,
    );
    add(
      "status",
      "empty deno run median / p95",
      `${fmtMs(st.emptyMs.p50)} / ${fmtMs(st.emptyMs.p95)}`,
    );
    add(
      "status",
      "ratio median (p95)",
      `${st.ratioMedian.toFixed(2)}× (${st.ratioP95.toFixed(2)}×)`,
      "≤ 1.5×",
      st.ratioMedian <= 1.5,
    );
  }
  if (r.idle) {
    const i = r.idle;
    add(
      "idle",
      `ticks at ${fmtMs(i.intervalMs)}`,
      `${i.ticks} of ${i.ticksTarget} in ${fmtMs(i.wallS * 1000)}`,
    );
    add(
      "idle",
      "RSS start / end / max",
      `${fmtKb(i.rssKb.start)} / ${fmtKb(i.rssKb.end)} / ${fmtKb(i.rssKb.max)}`,
      "< 80 MiB",
      i.rssKb.max < 80 * 1024,
    );
    add(
      "idle",
      "of it anonymous start / end / max",
      `${fmtKb(i.anonKb.start)} / ${fmtKb(i.anonKb.end)} / ${
        fmtKb(i.anonKb.max)
      }`,
    );
    add(
      "idle",
      "of it file-backed (deno binary) start / end",
      `${fmtKb(i.fileKb.start)} / ${fmtKb(i.fileKb.end)}`,
    );
    add(
      "idle",
      "RSS slope, 2nd half",
      `${(i.rssKb.slopePer1000Ticks / 1024).toFixed(2)} MiB / 1000 ticks`,
      "flat",
    );
    add(
      "idle",
      "CPU self (of it sys) / children",
      `${fmtPct(i.cpuPct.self, 1)} (${fmtPct(i.cpuPct.selfSys, 1)}) / ${
        fmtPct(i.cpuPct.children, 1)
      }`,
    );
  }
  if (r.chaos) {
    const c = r.chaos;
    add(
      "chaos",
      `availability (${c.agents} agents, ${c.seconds} s${
        c.daemonNudgeMs === null ? "" : `, nudge ${c.daemonNudgeMs} ms`
      })`,
      fmtPct(c.availability * 100, 3),
      "≥ 99.5 %",
      c.availability >= 0.995,
    );
    add(
      "chaos",
      "availability, hung counted down",
      fmtPct(c.availabilityResponsive * 100, 3),
    );
    add(
      "chaos",
      "faults kill / session / hang",
      `${c.faults.agentKill} / ${c.faults.sessionKill} / ${c.faults.hang}`,
    );
    add(
      "chaos",
      "outage p50/p95 after agent kill; late hooks",
      `${fmtMs(c.outageS.agentKill.p50 * 1000)} / ${
        fmtMs(c.outageS.agentKill.p95 * 1000)
      }; ${c.lateHooks} of ${c.faults.agentKill}`,
    );
    add(
      "chaos",
      "outage p50/p95 after session kill",
      `${fmtMs(c.outageS.sessionKill.p50 * 1000)} / ${
        fmtMs(c.outageS.sessionKill.p95 * 1000)
      }`,
    );
    add(
      "chaos",
      "double starts (tmux / process; exiting leftovers)",
      `${c.doubleStarts.tmux} / ${c.doubleStarts.process}; ${
        c.doubleStarts.exitingLeftovers ?? 0
      }`,
      "0",
      c.doubleStarts.tmux + c.doubleStarts.process === 0,
    );
  }
  return rows;
}

/** The whole printed report. */
export function renderReport(r: BenchResults): string {
  const rows = resultRows(r).map((x) => [
    x.bench,
    x.metric,
    x.value,
    x.goal,
    x.ok === null ? "" : x.ok ? "yes" : "NO",
  ]);
  const m = r.machine;
  return [
    `gt-daemon bench — ${m.nproc} CPU (${m.cpuModel}), ${m.memTotalMb} MiB, deno ${m.deno}, ${m.tmux}`,
    "",
    formatTable(["bench", "metric", "value", "goal", "met"], rows),
    ...(r.chaos?.doubleStarts.processIncidents ?? []).map((i) =>
      `double agent process: ${describe(i)}`
    ),
    ...(r.notes.length ? ["", ...r.notes.map((n) => `note: ${n}`)] : []),
  ].join("\n");
}
