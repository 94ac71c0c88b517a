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

/** Longest message written to the log; longer ones are cut. */
export const MAX_LOG_MESSAGE = 4096;

/**
 * Formats one log line, newline included. Line breaks become `\n`, other
 * control characters (a lone `\r`, terminal escapes) `\xNN`, so text from
 * mail or beads cannot forge lines or drive a terminal; very long messages
 * are cut.
 */
export function formatLogLine(date: Date, message: string): string {
  let flat = message.replace(/\r?\n/g, "\\n").replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x08\x0b-\x1f\x7f]/g,
    (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"),
  );
  if (flat.length > MAX_LOG_MESSAGE) {
    flat = `${flat.slice(0, MAX_LOG_MESSAGE)}… (${
      flat.length - MAX_LOG_MESSAGE
    } more characters)`;
  }
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
