/**
 * The feed curator's core: raw `.events.jsonl` text in, curated
 * `.feed.jsonl` lines out. Pure; the caller supplies the text and the time
 * (see `src/adapters/feed_files.ts` for the file side). One event's line
 * is decoded and formatted in `feed_line.ts`.
 *
 * Rules (reference §13): only `feed`/`both` visibility is kept; empty and
 * malformed lines are skipped; a `done` from an actor whose last accepted
 * `done` is under 10 s old is dropped; every `sling` is kept, and when an
 * actor has 3 or more slings within 30 s the line carries `count` and the
 * summary `<actor> dispatching work to <n> agents`. Windows use the
 * processing time, not the event's `ts`.
 *
 * Differences from the reference, on purpose:
 * - a line without its newline yet is kept until the rest arrives (the
 *   reference discarded it, losing events written in more than one piece);
 *   a partial line longer than `maxLineChars` (1 Mi characters) is dropped
 *   up to its newline;
 * - the per-actor mail counter, which nothing read, is gone (and with it one
 *   sleeping timer per mail event).
 *
 * @module
 */

import {
  feedSummary,
  formatFeedLine,
  parseRawEvent,
  payloadString,
} from "./feed_line.ts";

/** Window in which repeated `done` events of one actor are dropped. */
export const DONE_DEDUPE_WINDOW_MS = 10_000;
/** Window in which an actor's slings are counted. */
export const SLING_WINDOW_MS = 30_000;
/** Slings within the window that turn a line into an aggregate. */
export const SLING_MIN_COUNT = 3;
/** Age after which {@link FeedCurator.cleanup} forgets state. */
export const CLEANUP_MAX_AGE_MS = 5 * 60_000;
/** Longest partial line kept while waiting for its newline. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Options for {@link FeedCurator}. */
export interface FeedCuratorOptions {
  doneWindowMs?: number;
  slingWindowMs?: number;
  slingMinCount?: number;
  maxLineChars?: number;
}

/** Curates raw event text into feed lines; keeps dedupe/aggregation state. */
export class FeedCurator {
  readonly #doneWindow: number;
  readonly #slingWindow: number;
  readonly #slingMin: number;
  readonly #maxLine: number;
  readonly #lastDone = new Map<string, number>();
  readonly #slings = new Map<string, { target: string; at: number }[]>();
  #partial = "";
  #discarding = false;

  /** Creates a curator with the reference's windows unless overridden. */
  constructor(options: FeedCuratorOptions = {}) {
    this.#doneWindow = options.doneWindowMs ?? DONE_DEDUPE_WINDOW_MS;
    this.#slingWindow = options.slingWindowMs ?? SLING_WINDOW_MS;
    this.#slingMin = options.slingMinCount ?? SLING_MIN_COUNT;
    this.#maxLine = options.maxLineChars ?? MAX_LINE_CHARS;
  }

  /**
   * Takes the next piece of `.events.jsonl` text and returns the feed lines
   * (without newlines) for every line it completes. A trailing piece without
   * a newline is kept for the next call.
   */
  ingest(chunk: string, now: number): string[] {
    const out: string[] = [];
    const text = this.#partial + chunk;
    this.#partial = "";
    let start = 0;
    let nl = text.indexOf("\n", start);
    while (nl !== -1) {
      if (this.#discarding) this.#discarding = false;
      else {
        const fed = this.processLine(text.slice(start, nl), now);
        if (fed !== null) out.push(fed);
      }
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    if (this.#discarding) return out;
    if (text.length - start > this.#maxLine) this.#discarding = true;
    else this.#partial = text.slice(start);
    return out;
  }

  /** Characters held back waiting for a newline. */
  get pendingChars(): number {
    return this.#partial.length;
  }

  /** Drops a held-back partial line (the input was truncated or replaced). */
  resetPartial(): void {
    this.#partial = "";
    this.#discarding = false;
  }

  /** Curates one complete line; returns its feed line or null when dropped. */
  processLine(line: string, now: number): string | null {
    if (line.trim() === "") return null;
    const event = parseRawEvent(line);
    if (event === null) return null;
    if (event.visibility !== "feed" && event.visibility !== "both") {
      return null;
    }
    let summary = feedSummary(event);
    let count = 0;
    if (event.type === "done") {
      const last = this.#lastDone.get(event.actor);
      if (
        last !== undefined && now - last >= 0 && now - last < this.#doneWindow
      ) {
        return null;
      }
      this.#lastDone.set(event.actor, now);
    } else if (event.type === "sling") {
      const target = payloadString(event.payload, "target") ?? "";
      const list = (this.#slings.get(event.actor) ?? []).filter((s) =>
        now - s.at < this.#slingWindow
      );
      list.push({ target, at: now });
      this.#slings.set(event.actor, list);
      if (list.length >= this.#slingMin) {
        count = list.length;
        summary = `${event.actor} dispatching work to ${count} agents`;
      }
    }
    return formatFeedLine(event, summary, count);
  }

  /**
   * Forgets `done` times and slings older than `maxAgeMs` (5 min by
   * default); the runner calls this every minute.
   */
  cleanup(now: number, maxAgeMs = CLEANUP_MAX_AGE_MS): void {
    for (const [actor, at] of this.#lastDone) {
      if (now - at > maxAgeMs) this.#lastDone.delete(actor);
    }
    for (const [actor, list] of this.#slings) {
      const kept = list.filter((s) => now - s.at < maxAgeMs);
      if (kept.length === 0) this.#slings.delete(actor);
      else this.#slings.set(actor, kept);
    }
  }

  /** Number of actors with remembered `done` or sling state. */
  get trackedActors(): number {
    return new Set([...this.#lastDone.keys(), ...this.#slings.keys()]).size;
  }
}
