/**
 * Decoding a command's JSON output for the `bd` and `gt` adapters: the whole
 * of stdout as one JSON value or list, and checking the shape of what was
 * decoded. Failures are {@link OutputParseError}s naming the command.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { RunResult } from "./process.ts";

/** A program's output could not be understood. */
export class OutputParseError extends AppError {}

/**
 * Decodes a command's stdout as JSON. Empty output gives null. Output cut at
 * the size cap, or text that is not JSON, throws {@link OutputParseError}
 * with `Cannot parse "<what>" output: …`.
 */
export function parseJsonOutput(what: string, result: RunResult): unknown {
  if (result.truncated) {
    throw new OutputParseError(
      `Cannot parse "${what}" output: it exceeds the output size limit`,
    );
  }
  const text = result.stdout.trim();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OutputParseError(
      `Cannot parse "${what}" output: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Decodes a command's stdout as a JSON array and converts each entry;
 * entries `convert` rejects (null) are counted as skipped. Empty output and
 * `null` are an empty list; anything but an array throws
 * {@link OutputParseError}.
 */
export function parseJsonList<T>(
  what: string,
  result: RunResult,
  convert: (entry: unknown) => T | null,
): { items: T[]; skipped: number } {
  const data = parseJsonOutput(what, result);
  if (data === null) return { items: [], skipped: 0 };
  if (!Array.isArray(data)) {
    throw new OutputParseError(
      `Cannot parse "${what}" output: expected a JSON array, got ${
        jsonKind(data)
      }`,
    );
  }
  const items: T[] = [];
  let skipped = 0;
  for (const entry of data) {
    const item = convert(entry);
    if (item === null) skipped++;
    else items.push(item);
  }
  return { items, skipped };
}

/** "an object", "a string", … for messages about unexpected JSON. */
export function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads optional string fields of a JSON object: absent or null gives "",
 * a string is kept, any other type gives null for the whole record.
 */
export function stringFields<K extends string>(
  rec: Record<string, unknown>,
  keys: readonly K[],
): Record<K, string> | null {
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const v = rec[key];
    if (v === undefined || v === null) out[key] = "";
    else if (typeof v === "string") out[key] = v;
    else return null;
  }
  return out;
}
