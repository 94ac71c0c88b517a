/**
 * The demo's screen: a table of agents (session, state, restarts, time to
 * come back) with the events below it, as plain lines. Pure: the caller
 * decides whether to redraw in place or append.
 *
 * @module
 */

/** One agent's row. */
export interface AgentRow {
  /** `alpha/Toast`. */
  label: string;
  /** `gt-alpha-Toast`. */
  session: string;
  /** True when the agent runs in its session. */
  running: boolean;
  /** Starts after the first one. */
  restarts: number;
  /** How long the agent took to come back after it was last killed. */
  backMs: number | null;
  /** How long the agent has been down since it was killed (while it is). */
  downMs: number | null;
}

/** What one frame shows. */
export interface Frame {
  rows: AgentRow[];
  /** Event lines, oldest first. */
  events: string[];
  /** What the demo does now. */
  status: string;
}

/** Rendering options. */
export interface RenderOptions {
  /** ANSI colours. */
  color: boolean;
  /** Show ticking counters (only when the frame is redrawn in place). */
  live: boolean;
  /** Most lines the frame may take; older events are left out to fit. */
  maxLines?: number;
}

const HEADERS = ["AGENT", "SESSION", "STATE", "RESTARTS", "BACK AFTER"];

/** Formats milliseconds as seconds with one decimal: `0.8 s`. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Renders a frame as lines (no trailing newline on any). */
export function renderFrame(frame: Frame, opts: RenderOptions): string[] {
  const cells = frame.rows.map((r) => {
    let back = r.backMs === null ? "" : seconds(r.backMs);
    if (r.downMs !== null) back = opts.live ? `… ${seconds(r.downMs)}` : "…";
    return [
      r.label,
      r.session,
      r.running ? "● running" : "○ down",
      String(r.restarts),
      back,
    ];
  });
  const widths = HEADERS.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => c[i]!.length))
  );
  const pad = (text: string, i: number) =>
    i === 3 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const lines = [
    paint(
      opts.color,
      "1",
      "  " + HEADERS.map((h, i) => pad(h, i)).join("  ").trimEnd(),
    ),
  ];
  cells.forEach((c, row) => {
    const r = frame.rows[row]!;
    const parts = c.map((text, i) => {
      const padded = pad(text, i);
      if (i === 2) return paint(opts.color, r.running ? "32" : "31", padded);
      if (i === 4 && r.backMs !== null && r.downMs === null) {
        return paint(opts.color, "36", padded);
      }
      return padded;
    });
    lines.push(("  " + parts.join("  ")).trimEnd());
  });
  lines.push("");
  let events = frame.events;
  // Room for events: what is left after the blank line and the status.
  const room = (opts.maxLines ?? Infinity) - lines.length - 2;
  if (events.length > room) {
    const keep = Math.max(0, room - 1);
    const left = events.length - keep;
    events = [
      `… ${left} earlier line${left === 1 ? "" : "s"}`,
      ...events.slice(left),
    ];
  }
  for (const e of events) lines.push(`  ${e}`);
  if (events.length > 0) lines.push("");
  lines.push(paint(opts.color, "2", `  ${frame.status}`));
  return lines;
}

/** The time of day as `HH:MM:SS`, local time. */
export function clock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, "0")).join(":");
}
