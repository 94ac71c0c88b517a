/**
 * De-duplication of warnings (GUPP, orphaned work, crashed polecats, Deacon
 * nudges): the reference's notification slots, kept in memory by key.
 *
 * A key is sent once while its condition holds. It may be sent again when
 * the condition clears and returns ({@link NoticeBook.clear} or
 * {@link NoticeBook.sweep}), or when the last send is older than the maximum
 * age (one hour by default). `toJSON`/`fromJSON` let the caller persist the
 * book, e.g. to `<town>/daemon/notifications.json`, so a daemon restart does
 * not repeat every warning.
 *
 * @module
 */

import { parseRfc3339, rfc3339 } from "../gotime.ts";

/** Default age after which a notice may be sent again: one hour. */
export const DEFAULT_NOTICE_MAX_AGE_MS = 60 * 60 * 1000;

/** Key prefix of a carried-out lifecycle request (kept across sweeps). */
export const LIFECYCLE_DONE = "lifecycle-done:";
/** Key prefix of a failed-start mail (kept while the agent has a backoff). */
export const START_FAILED = "start-failed:";

/** The key recording when a lifecycle request for `session` was carried out. */
export function lifecycleDoneKey(session: string): string {
  return `${LIFECYCLE_DONE}${session}`;
}

/** The key of the failed-start mail about `agent`. */
export function startFailedKey(agent: string): string {
  return `${START_FAILED}${agent}`;
}

/** The agent of a failed-start key, or null for any other key. */
export function startFailedAgent(key: string): string | null {
  return key.startsWith(START_FAILED) ? key.slice(START_FAILED.length) : null;
}

/** Persisted form of a {@link NoticeBook}. */
export interface NoticeBookJson {
  version: 1;
  /** Key → time of the last send (RFC 3339). */
  notices: Record<string, { sent_at: string }>;
}

/** Options for {@link NoticeBook}. */
export interface NoticeBookOptions {
  /** Age after which a still-true condition is notified again. */
  maxAgeMs?: number;
}

/** Remembers which warnings were sent, and when. */
export class NoticeBook {
  readonly #sent = new Map<string, number>();
  readonly #maxAgeMs: number;

  /** Creates an empty book. */
  constructor(options: NoticeBookOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_NOTICE_MAX_AGE_MS;
  }

  /** The age after which a notice may repeat, in milliseconds. */
  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  /**
   * True when `key` has never been sent, was cleared, or was last sent more
   * than the maximum age before `now`.
   */
  shouldSend(key: string, now: Date): boolean {
    const at = this.#sent.get(key);
    if (at === undefined) return true;
    return now.getTime() - at > this.#maxAgeMs;
  }

  /** When `key` was last recorded, or null. */
  sentAt(key: string): Date | null {
    const at = this.#sent.get(key);
    return at === undefined ? null : new Date(at);
  }

  /** Records that `key` was sent at `now`. */
  recordSend(key: string, now: Date): void {
    this.#sent.set(key, now.getTime());
  }

  /** Forgets `key` (its condition cleared); true when it was recorded. */
  clear(key: string): boolean {
    return this.#sent.delete(key);
  }

  /**
   * Forgets every key that is not in `activeKeys` (its condition no longer
   * holds, so a return is notified again) and every key older than the
   * maximum age (it may be sent again anyway). Returns the forgotten keys.
   */
  sweep(activeKeys: Iterable<string>, now: Date): string[] {
    const active = new Set(activeKeys);
    const removed: string[] = [];
    for (const [key, at] of this.#sent) {
      if (!active.has(key) || now.getTime() - at > this.#maxAgeMs) {
        removed.push(key);
      }
    }
    for (const key of removed) this.#sent.delete(key);
    return removed;
  }

  /** Recorded keys, in insertion order. */
  keys(): string[] {
    return [...this.#sent.keys()];
  }

  /** Number of recorded keys. */
  get size(): number {
    return this.#sent.size;
  }

  /** The persisted form (keys sorted). */
  toJSON(): NoticeBookJson {
    const notices: Record<string, { sent_at: string }> = {};
    for (const key of [...this.#sent.keys()].sort()) {
      const at = this.#sent.get(key) as number;
      Object.defineProperty(notices, key, {
        value: { sent_at: rfc3339(new Date(at)) },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { version: 1, notices };
  }

  /**
   * Rebuilds a book from its persisted form. Anything unreadable (wrong
   * shape, a timestamp that is not RFC 3339) is ignored entry by entry, so a
   * damaged file costs at most a repeated warning.
   */
  static fromJSON(data: unknown, options: NoticeBookOptions = {}): NoticeBook {
    const book = new NoticeBook(options);
    if (typeof data !== "object" || data === null) return book;
    const notices = (data as { notices?: unknown }).notices;
    if (typeof notices !== "object" || notices === null) return book;
    if (Array.isArray(notices)) return book;
    for (const [key, entry] of Object.entries(notices)) {
      if (typeof entry !== "object" || entry === null) continue;
      const at = parseRfc3339((entry as { sent_at?: unknown }).sent_at);
      if (at !== null) book.#sent.set(key, at.getTime());
    }
    return book;
  }
}
