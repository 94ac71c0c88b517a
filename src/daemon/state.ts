/**
 * `<town>/daemon/state.json`: the reference's five fields, in its order and
 * format (2-space indent, no trailing newline, Go time text), followed by
 * fields this daemon adds for `status --json`. Go readers ignore the extra
 * keys.
 *
 * @module
 */

import { goJson, parseRfc3339, rfc3339, ZERO_TIME } from "../gotime.ts";

/**
 * Per-agent restart bookkeeping shown by `status --json` (times in ms since
 * the epoch). The optional fields were added later; an entry without them
 * still restores.
 */
export interface BackoffEntry {
  /** Quick deaths (uptime under the minimum) inside the current window. */
  restarts: number;
  /** Earliest time of the next allowed restart. */
  nextAllowedMs: number;
  /** True while the agent is considered crash-looping. */
  crashLoop: boolean;
  /** Time of the last start. */
  lastRestartMs: number;
  /** The uptime below which a death counts as quick. */
  minUptimeMs?: number;
  /** When the death of the current run was first seen. */
  downSinceMs?: number;
  /** How long the last ended run lasted. */
  lastUptimeMs?: number;
  /** Time of the last quick death. */
  lastQuickDeathMs?: number;
  /** When the quick deaths are forgotten if no other comes. */
  decaysAtMs?: number;
}

/** The daemon's persisted state. */
export interface DaemonState {
  running: boolean;
  pid: number;
  startedAt: Date | null;
  lastHeartbeat: Date | null;
  heartbeatCount: number;
  /** Heartbeat interval in ms (added by this daemon). */
  intervalMs?: number;
  /** Program version (added). */
  version?: string;
  /** Deno runtime version (added). */
  deno?: string;
  /** Executable path (added). */
  execPath?: string;
  /** Warnings worth showing in `status` (added). */
  warnings?: string[];
  /** Restart backoff per agent (added). */
  backoff?: Record<string, BackoffEntry>;
  /** Memory use at the last heartbeat, in bytes (added). */
  memory?: { rss: number; heapUsed: number };
}

/** The all-zero state of a missing file. */
export function emptyState(): DaemonState {
  return {
    running: false,
    pid: 0,
    startedAt: null,
    lastHeartbeat: null,
    heartbeatCount: 0,
  };
}

/** Encodes a state as the reference writes it (plus the added keys). */
export function encodeState(state: DaemonState): string {
  const out: Record<string, unknown> = {
    running: state.running,
    pid: state.pid,
    started_at: state.startedAt ? rfc3339(state.startedAt) : ZERO_TIME,
    last_heartbeat: state.lastHeartbeat
      ? rfc3339(state.lastHeartbeat)
      : ZERO_TIME,
    heartbeat_count: state.heartbeatCount,
  };
  if (state.intervalMs !== undefined) out.interval_ms = state.intervalMs;
  if (state.version !== undefined) out.version = state.version;
  if (state.deno !== undefined) out.deno = state.deno;
  if (state.execPath !== undefined) out.exec_path = state.execPath;
  if (state.warnings !== undefined) out.warnings = state.warnings;
  if (state.backoff !== undefined) out.backoff = state.backoff;
  if (state.memory !== undefined) {
    out.memory = { rss: state.memory.rss, heap_used: state.memory.heapUsed };
  }
  return goJson(out);
}

/**
 * Decodes `state.json` text. Missing text gives the empty state; text that
 * is not a JSON object, or has wrongly typed reference fields, throws.
 */
export function decodeState(text: string | null): DaemonState {
  if (text === null) return emptyState();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`State file is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error("State file is not a JSON object");
  }
  const r = raw as Record<string, unknown>;
  const bool = (k: string) => {
    const v = r[k];
    if (v === undefined) return false;
    if (typeof v !== "boolean") {
      throw new Error(`State field "${k}" is not a boolean`);
    }
    return v;
  };
  const num = (k: string) => {
    const v = r[k];
    if (v === undefined) return 0;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`State field "${k}" is not a number`);
    }
    return v;
  };
  const time = (k: string) => {
    const v = r[k];
    if (v === undefined || v === ZERO_TIME) return null;
    if (typeof v !== "string") {
      throw new Error(`State field "${k}" is not a time`);
    }
    const d = parseRfc3339(v);
    if (d === null && v !== ZERO_TIME) {
      throw new Error(
        `State field "${k}" is not an RFC 3339 time: ${JSON.stringify(v)}`,
      );
    }
    return d;
  };
  const state: DaemonState = {
    running: bool("running"),
    pid: num("pid"),
    startedAt: time("started_at"),
    lastHeartbeat: time("last_heartbeat"),
    heartbeatCount: num("heartbeat_count"),
  };
  if (typeof r.interval_ms === "number") state.intervalMs = r.interval_ms;
  if (typeof r.version === "string") state.version = r.version;
  if (typeof r.deno === "string") state.deno = r.deno;
  if (typeof r.exec_path === "string") state.execPath = r.exec_path;
  if (Array.isArray(r.warnings)) {
    state.warnings = r.warnings.filter((w): w is string =>
      typeof w === "string"
    );
  }
  const mem = r.memory as Record<string, unknown> | undefined;
  if (typeof mem?.rss === "number" && typeof mem?.heap_used === "number") {
    state.memory = { rss: mem.rss, heapUsed: mem.heap_used };
  }
  if (typeof r.backoff === "object" && r.backoff !== null) {
    state.backoff = r.backoff as Record<string, BackoffEntry>;
  }
  return state;
}

/** Parses `daemon.pid`: a decimal PID, surrounding white space allowed. */
export function parsePid(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  const pid = Number(t);
  return pid > 0 ? pid : null;
}
