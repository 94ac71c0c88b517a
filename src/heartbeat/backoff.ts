/**
 * Per-agent restart backoff and crash-loop detection. Each restart of an
 * agent pushes its next allowed restart out exponentially (1 s, 2 s, 4 s, …
 * up to 5 min). After `crashLoopAfter` restarts inside `windowMs` the agent
 * is marked crash-looping: it is still restarted, but only every `maxMs`.
 * The state decays: an agent that needed no restart for `quietMs` starts
 * from scratch. `gt-daemon clear-backoff` forgets an agent at once.
 *
 * @module
 */

import type { BackoffEntry } from "../daemon/state.ts";

/** Backoff settings. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  windowMs: number;
  crashLoopAfter: number;
  quietMs: number;
}

/** The defaults: 1 s → 5 min, crash loop after 5 restarts in 10 min, decay after 30 quiet min. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1_000,
  maxMs: 300_000,
  windowMs: 600_000,
  crashLoopAfter: 5,
  quietMs: 1_800_000,
};

/** The answer to "may this agent be restarted now?". */
export type BackoffVerdict =
  | { allowed: true }
  | { allowed: false; waitMs: number; crashLoop: boolean; restarts: number };

interface Entry {
  times: number[];
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

  /** Whether `agent` may be restarted at `nowMs`. */
  check(agent: string, nowMs: number): BackoffVerdict {
    const e = this.#entries.get(agent);
    if (!e || nowMs >= e.nextAllowedMs) return { allowed: true };
    return {
      allowed: false,
      waitMs: e.nextAllowedMs - nowMs,
      crashLoop: e.crashLoop,
      restarts: e.times.length,
    };
  }

  /** When `agent` was last restarted (ms since the epoch), or null. */
  lastRestart(agent: string): number | null {
    const e = this.#entries.get(agent);
    return e ? e.times[e.times.length - 1] ?? null : null;
  }

  /** Records a restart attempt; returns true when the agent just entered a crash loop. */
  recordRestart(agent: string, nowMs: number): boolean {
    const e = this.#entries.get(agent) ??
      { times: [], nextAllowedMs: 0, crashLoop: false };
    e.times = e.times.filter((t) => nowMs - t < this.policy.windowMs);
    e.times.push(nowMs);
    const n = e.times.length;
    const wasLoop = e.crashLoop;
    e.crashLoop = e.crashLoop || n >= this.policy.crashLoopAfter;
    const delay = e.crashLoop
      ? this.policy.maxMs
      : Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (n - 1));
    e.nextAllowedMs = nowMs + delay;
    this.#entries.set(agent, e);
    return e.crashLoop && !wasLoop;
  }

  /** Forgets agents whose last restart is older than the quiet period. */
  decay(nowMs: number): string[] {
    const gone: string[] = [];
    for (const [agent, e] of this.#entries) {
      const last = e.times[e.times.length - 1] ?? 0;
      if (nowMs - last >= this.policy.quietMs) gone.push(agent);
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

  /** The persisted form (state.json `backoff`). */
  toJSON(): Record<string, BackoffEntry> {
    const out: Record<string, BackoffEntry> = {};
    for (const [agent, e] of this.#entries) {
      out[agent] = {
        restarts: e.times.length,
        nextAllowedMs: e.nextAllowedMs,
        crashLoop: e.crashLoop,
        lastRestartMs: e.times[e.times.length - 1] ?? 0,
      };
    }
    return out;
  }

  /** Restores a book from state.json `backoff` (bad entries are skipped). */
  static fromJSON(
    data: unknown,
    policy: BackoffPolicy = DEFAULT_BACKOFF,
  ): BackoffBook {
    const book = new BackoffBook(policy);
    if (typeof data !== "object" || data === null) return book;
    for (
      const [agent, raw] of Object.entries(data as Record<string, unknown>)
    ) {
      if (typeof raw !== "object" || raw === null) continue;
      const r = raw as Record<string, unknown>;
      const restarts = typeof r.restarts === "number"
        ? Math.min(r.restarts, 1000)
        : 0;
      const last = typeof r.lastRestartMs === "number" ? r.lastRestartMs : 0;
      const next = typeof r.nextAllowedMs === "number" ? r.nextAllowedMs : 0;
      if (restarts <= 0 || !Number.isFinite(last)) continue;
      book.#entries.set(agent, {
        times: Array.from({ length: restarts }, () => last),
        nextAllowedMs: next,
        crashLoop: r.crashLoop === true,
      });
    }
    return book;
  }
}
