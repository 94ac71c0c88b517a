/**
 * The feed curator's file side: tails `<town>/.events.jsonl` and appends
 * curated lines to `<town>/.feed.jsonl` (rules in `src/feed/curator.ts`).
 *
 * File contract:
 * - `.events.jsonl` is created (mode 0644) when missing; curation starts at
 *   its end, so events written before the start are not curated.
 * - Both files must be regular files: a symlink (or FIFO, device) at either
 *   path is refused, never followed, and logged; the curator waits until a
 *   regular file is there again.
 * - Every `pollMs` (100 ms) the file is stat'ed and the bytes past the last
 *   offset are read and decoded as a UTF-8 stream (a character split across
 *   two reads is joined), and a line split across reads waits for its end.
 * - The file being truncated (size below the offset) or replaced (another
 *   inode at the path, e.g. log rotation) restarts reading from byte 0 of
 *   the current file. A truncation followed by a refill past the old offset
 *   within one poll interval is not noticed.
 * - Curated lines are appended to `.feed.jsonl` (created 0644), one write
 *   per poll. Read and write errors are logged once each and retried on the
 *   next poll; they never stop the curator.
 * - `stop()` cancels the timer and waits for a poll in progress, which stops
 *   between reads, so it returns promptly.
 *
 * @module
 */

import { systemClock, type TimerHandle } from "./clock.ts";
import { join } from "../posix_path.ts";
import { AppError, errorMessage } from "../errors.ts";
import type { Log } from "../log.ts";
import { FeedCurator } from "../feed/curator.ts";
import { openRegular } from "./regular_file.ts";

/** Name of the raw events file in the town root. */
export const EVENTS_FILE = ".events.jsonl";
/** Name of the curated feed file in the town root. */
export const FEED_FILE = ".feed.jsonl";

/** The curator could not open its events file. */
export class FeedStartError extends AppError {}

/** Options for {@link startFeedCurator}. */
export interface FeedFilesOptions {
  /** Poll interval in milliseconds; 100 by default. */
  pollMs?: number;
  /** Interval of the state cleanup in milliseconds; one minute by default. */
  cleanupMs?: number;
  /** Most bytes read in one poll; 4 MiB by default. */
  maxReadPerPoll?: number;
  /** Clock for the dedupe and aggregation windows; the system clock by default. */
  now?: () => number;
}

/** A running curator. */
export interface FeedCuratorHandle {
  /** Stops polling and waits for the poll in progress to finish. */
  stop(): Promise<void>;
}

const READ_CHUNK = 64 * 1024;
const MAX_REPORTED = 50;

/**
 * Starts the feed curator for `town`. Rejects with {@link FeedStartError}
 * when the events file cannot be opened or created.
 */
export async function startFeedCurator(
  town: string,
  log: Log,
  options: FeedFilesOptions = {},
): Promise<FeedCuratorHandle> {
  const eventsPath = join(town, EVENTS_FILE);
  const feedPath = join(town, FEED_FILE);
  const pollMs = options.pollMs ?? 100;
  const cleanupMs = options.cleanupMs ?? 60_000;
  const maxRead = options.maxReadPerPoll ?? 4 * 1024 * 1024;
  const now = options.now ?? systemClock.now;

  let offset: number;
  let ino: number | null;
  try {
    const file = await openRegular(eventsPath, "append", 0o644);
    try {
      const info = await file.stat();
      offset = info.size;
      ino = info.ino;
    } finally {
      await file.close();
    }
  } catch (err) {
    throw new FeedStartError(
      `Cannot open events file "${eventsPath}": ${errorMessage(err)}`,
      { cause: err },
    );
  }

  const curator = new FeedCurator();
  let decoder = new TextDecoder();
  let lastCleanup = now();
  let stopped = false;
  let timer: TimerHandle | undefined;
  let running: Promise<void> | null = null;
  const reported = new Set<string>();

  const report = (what: string, err: unknown) => {
    const text = `Warning: feed curator: ${what}: ${errorMessage(err)}`;
    if (reported.has(text) || reported.size >= MAX_REPORTED) return;
    reported.add(text);
    log.log(text);
  };

  const restart = () => {
    offset = 0;
    decoder = new TextDecoder();
    curator.resetPartial();
  };

  const readNew = async (): Promise<string[]> => {
    const out: string[] = [];
    const file = await openRegular(eventsPath, "read");
    try {
      const buf = new Uint8Array(READ_CHUNK);
      let budget = maxRead;
      while (!stopped && budget > 0) {
        const n = (await file.read(buf, 0, buf.length, offset)).bytesRead;
        if (n === 0) break;
        offset += n;
        budget -= n;
        const text = decoder.decode(buf.subarray(0, n), { stream: true });
        for (const line of curator.ingest(text, now())) out.push(line);
      }
    } finally {
      await file.close();
    }
    return out;
  };

  const poll = async () => {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(eventsPath);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) report("stat", err);
      return;
    }
    if (!info.isFile) {
      report(
        `reading "${eventsPath}"`,
        new Error(
          "not a regular file (a symlink or special file is not followed)",
        ),
      );
      return;
    }
    if (info.ino !== ino || info.size < offset) {
      ino = info.ino;
      restart();
    }
    let lines: string[] = [];
    if (info.size > offset) {
      try {
        lines = await readNew();
      } catch (err) {
        report(`reading "${eventsPath}"`, err);
      }
    }
    if (lines.length > 0) {
      try {
        const feed = await openRegular(feedPath, "append", 0o644);
        try {
          await feed.writeFile(lines.join("\n") + "\n");
        } finally {
          await feed.close();
        }
      } catch (err) {
        report(`writing "${feedPath}"`, err);
      }
    }
    const t = now();
    if (t - lastCleanup >= cleanupMs) {
      curator.cleanup(t);
      lastCleanup = t;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = systemClock.timer(pollMs, () => {
      timer = undefined;
      running = poll().catch((err) => report("poll", err)).finally(() => {
        running = null;
        schedule();
      });
    });
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
      if (running !== null) await running;
    },
  };
}
