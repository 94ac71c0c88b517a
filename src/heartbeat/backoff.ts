/**
 * Per-agent restart backoff that tells a crash loop from a healthy agent,
 * the way supervisord's `startsecs` and PM2's `min_uptime` do.
 *
 * - Every start is recorded. When the agent is next seen down, its uptime
 *   is the time from that start to the first sight of the death.
 * - An agent that ran for at least `minUptimeMs` died healthy: its backoff
 *   and crash-loop state are forgotten and it is restarted at once.
 * - A quicker death counts. The n-th quick death inside `windowMs` holds the
 *   restart back `baseMs · 2^(n-1)` (at most `maxMs`) from the death; at
 *   `crashLoopAfter` quick deaths the agent is crash-looping and restarted
 *   only every `maxMs`.
 * - The state decays: with no start and no quick death for `quietMs` the
 *   agent starts from scratch. `gt-daemon clear-backoff` forgets an agent at once.
 *
 * Time always comes in as an argument; nothing here reads a clock.
 *
 * @module
 */

import type { BackoffEntry } from "../daemon/state.ts";
import { parseDuration } from "../gotime.ts";

/** Backoff settings. */
export interface BackoffPolicy {
  /** Hold-back after the first quick death. */
  baseMs: number;
  /** Longest hold-back, and the restart period of a crash loop. */
  maxMs: number;
  /** Quick deaths older than this no longer count. */
  windowMs: number;
  /** Quick deaths inside the window that make a crash loop. */
  crashLoopAfter: number;
  /** With no quick death for this long, the state is forgotten. */
  quietMs: number;
  /** An agent that ran this long before it died was healthy. */
  minUptimeMs: number;
}

/** The default minimum uptime of a healthy agent. */
export const DEFAULT_MIN_UPTIME_MS = 10_000;

/**
 * The defaults: 1 s → 5 min for quick deaths (under 10 s of uptime), crash
 * loop at 5 quick deaths in 10 min, forgotten after 30 quiet min.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1_000,
  maxMs: 300_000,
  windowMs: 600_000,
  crashLoopAfter: 5,
  quietMs: 1_800_000,
  minUptimeMs: DEFAULT_MIN_UPTIME_MS,
};

/**
 * A minimum uptime from text such as `"10s"`, `"1m30s"` or `"500ms"` (at
 * most one hour); null when it is not one.
 */
export function parseMinUptime(text: string): number | null {
  const ms = parseDuration(text);
  return ms !== null && ms <= 3_600_000 ? ms : null;
}

/** The answer to "may this agent be restarted now?". */
export type BackoffVerdict =
  | {
    allowed: true;
    /** Set when a healthy run just cleared earlier quick deaths. */
    resetAfterMs?: number;
  }
  | { allowed: false; waitMs: number; crashLoop: boolean; restarts: number };

interface Entry {
  /** Last start (ms). */
  startedMs: number;
  /** First sight of the death of the run begun at `startedMs`, or null. */
  downSinceMs: number | null;
  /** How long the last ended run lasted, or null. */
  lastUptimeMs: number | null;
  /** Quick deaths inside the window. */
  quick: number[];
  nextAllowedMs: number;
  crashLoop: boolean;
}

/** Restart bookkeeping for every agent. */
export class BackoffBook {
  readonly policy: BackoffPolicy;
  readonly #entries = new Map<string, Entry>();

  /** Creates an empty book. */
  constructor(policy: BackoffPolicy = DEFAULT_BACKOFF) {
    this.policy = policy;
  }

  /**
   * Whether `agent`, seen down at `nowMs`, may be restarted now. The first
   * call after a start classifies the death as healthy or quick.
   */
  check(agent: string, nowMs: number): BackoffVerdict {
    const e = this.#entries.get(agent);
    if (!e) return { allowed: true };
    let resetAfterMs: number | undefined;
    if (e.downSinceMs === null) {
      e.downSinceMs = nowMs;
      const uptime = Math.max(0, nowMs - e.startedMs);
      e.lastUptimeMs = uptime;
      if (uptime >= this.policy.minUptimeMs) {
        if (e.quick.length > 0 || e.crashLoop) resetAfterMs = uptime;
        e.quick = [];
        e.crashLoop = false;
        e.nextAllowedMs = 0;
      } else {
        e.quick = e.quick.filter((t) => nowMs - t < this.policy.windowMs);
        e.quick.push(nowMs);
        const n = e.quick.length;
        e.crashLoop = e.crashLoop || n >= this.policy.crashLoopAfter;
        const delay = e.crashLoop
          ? this.policy.maxMs
          : Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (n - 1));
        e.nextAllowedMs = nowMs + delay;
      }
    }
    if (nowMs >= e.nextAllowedMs) {
      return resetAfterMs === undefined
        ? { allowed: true }
        : { allowed: true, resetAfterMs };
    }
    return {
      allowed: false,
      waitMs: e.nextAllowedMs - nowMs,
      crashLoop: e.crashLoop,
      restarts: e.quick.length,
    };
  }

  /** When `agent` was last started (ms since the epoch), or null. */
  lastRestart(agent: string): number | null {
    return this.#entries.get(agent)?.startedMs ?? null;
  }

  /** Records a start of `agent` at `nowMs`. */
  recordRestart(agent: string, nowMs: number): void {
    const e = this.#entries.get(agent) ?? {
      startedMs: nowMs,
      downSinceMs: null,
      lastUptimeMs: null,
      quick: [],
      nextAllowedMs: 0,
      crashLoop: false,
    };
    e.startedMs = nowMs;
    e.downSinceMs = null;
    this.#entries.set(agent, e);
  }

  /**
   * Forgets agents with neither a start nor a quick death for the quiet
   * period (and no pending hold-back); returns them. The last start stays
   * known that long, for checks that give a fresh agent time to settle.
   */
  decay(nowMs: number): string[] {
    const gone: string[] = [];
    for (const [agent, e] of this.#entries) {
      const last = Math.max(e.startedMs, e.quick[e.quick.length - 1] ?? 0);
      if (nowMs - last >= this.policy.quietMs && nowMs >= e.nextAllowedMs) {
        gone.push(agent);
      }
    }
    for (const a of gone) this.#entries.delete(a);
    return gone;
  }

  /** Forgets one agent (or every agent with `"*"`); true when something was forgotten. */
  clear(agent: string): boolean {
    if (agent === "*") {
      const had = this.#entries.size > 0;
      this.#entries.clear();
      return had;
    }
    return this.#entries.delete(agent);
  }

  /** The persisted form (state.json `backoff`, shown by `status --json`). */
  toJSON(): Record<string, BackoffEntry> {
    const out: Record<string, BackoffEntry> = {};
    for (const [agent, e] of this.#entries) {
      const lastQuick = e.quick[e.quick.length - 1];
      const entry: BackoffEntry = {
        restarts: e.quick.length,
        nextAllowedMs: e.nextAllowedMs,
        crashLoop: e.crashLoop,
        lastRestartMs: e.startedMs,
        minUptimeMs: this.policy.minUptimeMs,
      };
      if (e.downSinceMs !== null) entry.downSinceMs = e.downSinceMs;
      if (e.lastUptimeMs !== null) entry.lastUptimeMs = e.lastUptimeMs;
      if (lastQuick !== undefined) {
        entry.lastQuickDeathMs = lastQuick;
        entry.decaysAtMs = Math.max(lastQuick, e.startedMs) +
          this.policy.quietMs;
      }
      out[agent] = entry;
    }
    return out;
  }

  /**
   * Restores a book from state.json `backoff`, as this daemon or an earlier
   * version wrote it. Bad entries are skipped; times in the future are
   * brought back to `nowMs`, and hold-backs to the policy's maximum.
   */
  static fromJSON(
    data: unknown,
    options: { policy?: BackoffPolicy; nowMs: number },
  ): BackoffBook {
    const policy = options.policy ?? DEFAULT_BACKOFF;
    const now = options.nowMs;
    const book = new BackoffBook(policy);
    if (typeof data !== "object" || data === null) return book;
    const time = (v: unknown): number | null =>
      typeof v === "number" && Number.isFinite(v) && v >= 0
        ? Math.min(v, now)
        : null;
    for (
      const [agent, raw] of Object.entries(data as Record<string, unknown>)
    ) {
      if (typeof raw !== "object" || raw === null) continue;
      const r = raw as Record<string, unknown>;
      const restarts = typeof r.restarts === "number" && r.restarts >= 0
        ? Math.min(Math.floor(r.restarts), policy.crashLoopAfter)
        : null;
      const started = time(r.lastRestartMs);
      if (restarts === null || started === null) continue;
      const lastQuick = time(r.lastQuickDeathMs) ?? started;
      const next = typeof r.nextAllowedMs === "number" &&
          Number.isFinite(r.nextAllowedMs)
        ? Math.min(r.nextAllowedMs, now + policy.maxMs)
        : 0;
      book.#entries.set(agent, {
        startedMs: started,
        downSinceMs: time(r.downSinceMs),
        lastUptimeMs: time(r.lastUptimeMs),
        quick: Array.from({ length: restarts }, () => lastQuick),
        nextAllowedMs: Math.max(0, next),
        crashLoop: r.crashLoop === true,
      });
    }
    return book;
  }
}
