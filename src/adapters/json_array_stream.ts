/**
 * Reading a JSON array from a program's output as it streams, one element
 * at a time, so that no fixed cap on the whole output stops the reading: an
 * element larger than the per-element limit is skipped (its size and the
 * start of its text are kept for the report) and the elements around it
 * are still read. Memory stays bounded by the limit per element.
 *
 * Only the array's structure is scanned here (brackets, strings, escapes);
 * each element is then decoded with `JSON.parse`. Output that is not an
 * array (`null`, an object, garbage) is kept up to {@link NON_ARRAY_MAX}
 * bytes and parsed whole, so callers can report it as before.
 *
 * @module
 */

/** The default largest element kept: 1 MiB. */
export const DEFAULT_MAX_ITEM_BYTES = 1024 * 1024;
/** The most output kept when it is not an array. */
export const NON_ARRAY_MAX = 1024 * 1024;
const HEAD_BYTES = 2048;

/** An element that was too large to read. */
export interface OversizedItem {
  /** Its size in bytes. */
  bytes: number;
  /** The start of its text (up to 2 KB), to name it in a report. */
  head: string;
}

/** What a finished stream held. */
export type JsonArrayResult =
  | {
    kind: "array";
    /** Every element that parsed, in order. */
    items: unknown[];
    /** Elements over the size limit, skipped. */
    oversized: OversizedItem[];
    /** Elements that were not valid JSON, skipped. */
    malformed: number;
    /** Elements past the most kept, counted but not read. */
    extra: number;
  }
  /** The output was empty. */
  | { kind: "empty" }
  /** The output was not an array: its parsed value, or why it did not parse. */
  | { kind: "other"; value?: unknown; error?: string };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Splits a streamed JSON array into its elements. */
export class JsonArrayStream {
  readonly #maxItem: number;
  readonly #maxItems: number;
  #extra = 0;
  #mode: "start" | "array" | "other" | "done" | "broken" = "start";
  #depth = 0;
  #inString = false;
  #escape = false;
  #item: Uint8Array[] = [];
  #itemBytes = 0;
  #itemStarted = false;
  #head: Uint8Array[] = [];
  #headBytes = 0;
  #other: Uint8Array[] = [];
  #otherBytes = 0;
  #broken = "";
  #trailing = false;
  readonly #items: unknown[] = [];
  readonly #oversized: OversizedItem[] = [];
  #malformed = 0;

  /**
   * `maxItemBytes`: the largest element kept (default 1 MiB); `maxItems`:
   * the most elements kept (default: all), the rest only counted.
   */
  constructor(options: { maxItemBytes?: number; maxItems?: number } = {}) {
    this.#maxItem = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    this.#maxItems = options.maxItems ?? Infinity;
  }

  get #full(): boolean {
    return this.#items.length >= this.#maxItems;
  }

  /** Takes the next chunk of output; never throws. */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (this.#mode === "start") {
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) return;
      if (chunk[i] === OPEN_BRACKET) {
        this.#mode = "array";
        this.#depth = 1;
        i++;
      } else {
        this.#mode = "other";
      }
    }
    if (this.#mode === "other") {
      const part = chunk.subarray(i);
      if (this.#otherBytes < NON_ARRAY_MAX) {
        const room = NON_ARRAY_MAX - this.#otherBytes;
        this.#other.push(part.subarray(0, room));
      }
      this.#otherBytes += part.length;
      return;
    }
    if (this.#mode === "done") {
      for (; i < chunk.length; i++) {
        if (!isSpace(chunk[i]!)) this.#trailing = true;
      }
      return;
    }
    if (this.#mode !== "array") return;
    let from = i;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (b === BACKSLASH) this.#escape = true;
        else if (b === QUOTE) this.#inString = false;
        continue;
      }
      if (b === QUOTE) {
        this.#inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        this.#depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (this.#depth === 1) {
          if (b === CLOSE_BRACE) return this.#break("unbalanced braces");
          this.#take(chunk.subarray(from, i));
          this.#endItem();
          this.#mode = "done";
          for (i++; i < chunk.length; i++) {
            if (!isSpace(chunk[i]!)) this.#trailing = true;
          }
          return;
        }
        this.#depth--;
      } else if (b === COMMA && this.#depth === 1) {
        this.#take(chunk.subarray(from, i));
        this.#endItem();
        from = i + 1;
      }
    }
    this.#take(chunk.subarray(from, i));
  }

  #break(why: string): void {
    this.#mode = "broken";
    this.#broken = why;
  }

  #take(part: Uint8Array): void {
    if (part.length === 0) return;
    if (!this.#itemStarted) {
      let k = 0;
      while (k < part.length && isSpace(part[k]!)) k++;
      if (k === part.length) return;
      part = part.subarray(k);
      this.#itemStarted = true;
    }
    if (this.#full) {
      this.#itemBytes += part.length;
      return;
    }
    if (this.#headBytes < HEAD_BYTES) {
      const piece = part.subarray(0, HEAD_BYTES - this.#headBytes);
      this.#head.push(piece.slice());
      this.#headBytes += piece.length;
    }
    if (this.#itemBytes + part.length <= this.#maxItem) {
      // Copied: the runner may reuse its buffers.
      this.#item.push(part.slice());
    } else {
      this.#item = [];
    }
    this.#itemBytes += part.length;
  }

  #endItem(): void {
    const bytes = this.#itemBytes;
    const head = this.#head;
    const kept = this.#item;
    this.#item = [];
    this.#itemBytes = 0;
    this.#head = [];
    this.#headBytes = 0;
    const started = this.#itemStarted;
    this.#itemStarted = false;
    if (!started) return;
    if (this.#full) {
      this.#extra++;
      return;
    }
    if (bytes > this.#maxItem) {
      this.#oversized.push({ bytes, head: decode(head) });
      return;
    }
    try {
      this.#items.push(JSON.parse(decode(kept)));
    } catch {
      this.#malformed++;
    }
  }

  /** Ends the stream: what it held, or why it is not a readable array. */
  finish(): JsonArrayResult {
    switch (this.#mode) {
      case "start":
        return { kind: "empty" };
      case "other": {
        const text = decode(this.#other).trim();
        if (this.#otherBytes > NON_ARRAY_MAX) {
          return { kind: "other", error: "not a JSON array, and over 1 MiB" };
        }
        try {
          return { kind: "other", value: JSON.parse(text) };
        } catch (err) {
          return { kind: "other", error: (err as Error).message };
        }
      }
      case "broken":
        return { kind: "other", error: this.#broken };
      case "array":
        return { kind: "other", error: "the JSON array is not closed" };
      case "done":
        if (this.#trailing) {
          return { kind: "other", error: "unexpected text after the array" };
        }
        return {
          kind: "array",
          items: this.#items,
          oversized: this.#oversized,
          malformed: this.#malformed,
          extra: this.#extra,
        };
    }
  }
}

function decode(parts: Uint8Array[]): string {
  let size = 0;
  for (const p of parts) size += p.length;
  const buf = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    buf.set(p, off);
    off += p.length;
  }
  return new TextDecoder().decode(buf);
}

/** A short name for an oversized element: its `id` (and `from`) when they show. */
export function describeOversized(item: OversizedItem): string {
  const field = (name: string) => {
    const m = item.head.match(
      new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){1,200})"`),
    );
    return m ? JSON.stringify(m[1]) : null;
  };
  const id = field("id");
  const from = field("from");
  const size = `${(item.bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return [
    id ? `id ${id}` : "no id in its first 2 KB",
    from && `from ${from}`,
    size,
  ]
    .filter(Boolean).join(", ");
}
