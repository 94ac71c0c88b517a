/**
 * The daemon log: Go's standard logger line format
 * (`YYYY/MM/DD HH:MM:SS message`, local time), one line per message.
 *
 * @module
 */

import { goLogStamp } from "./gotime.ts";

/** Where the daemon's messages go. Domain code receives this port. */
export interface Log {
  /** Writes one message (newlines inside it are kept on one line). */
  log(message: string): void;
}

/** Formats one log line, newline included. */
export function formatLogLine(date: Date, message: string): string {
  const flat = message.replace(/\r?\n/g, "\\n");
  return `${goLogStamp(date)} ${flat}\n`;
}

/** A log that keeps messages in memory (tests, dry runs). */
export class MemoryLog implements Log {
  /** Every message written, in order. */
  readonly lines: string[] = [];
  /** Records one message. */
  log(message: string): void {
    this.lines.push(message);
  }
  /** True when some message contains `text`. */
  has(text: string): boolean {
    return this.lines.some((l) => l.includes(text));
  }
}

/** A log that discards everything. */
export const NULL_LOG: Log = { log() {} };
