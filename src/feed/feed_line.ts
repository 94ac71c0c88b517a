/**
 * One event of the feed: decoding a raw `.events.jsonl` line as the
 * reference decodes it, the reference's summary of an event, and the
 * curated `.feed.jsonl` line written for it, byte for byte as Go's JSON
 * encoder writes it. Pure.
 *
 * @module
 */

/** A raw event as read from `.events.jsonl`. */
export interface RawEvent {
  ts: string;
  source: string;
  type: string;
  actor: string;
  payload: Record<string, unknown> | null;
  visibility: string;
}

const STRING_KEYS = ["ts", "source", "type", "actor", "visibility"] as const;

/**
 * Decodes one line as Go decodes it into the event struct: a JSON object
 * whose known keys have the right types (`null` counts as absent). Returns
 * null for anything else.
 */
export function parseRawEvent(line: string): RawEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return null;
  }
  const rec = data as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of STRING_KEYS) {
    const v = rec[key];
    if (v === undefined || v === null) out[key] = "";
    else if (typeof v === "string") out[key] = v;
    else return null;
  }
  const p = rec.payload;
  let payload: Record<string, unknown> | null = null;
  if (p !== undefined && p !== null) {
    if (typeof p !== "object" || Array.isArray(p)) return null;
    payload = p as Record<string, unknown>;
  }
  return {
    ts: out.ts ?? "",
    source: out.source ?? "",
    type: out.type ?? "",
    actor: out.actor ?? "",
    visibility: out.visibility ?? "",
    payload,
  };
}

/** A string field of an event payload; undefined when absent or not a string. */
export function payloadString(
  payload: Record<string, unknown> | null,
  key: string,
): string | undefined {
  const v = payload?.[key];
  return typeof v === "string" ? v : undefined;
}

/** The summary the reference's `generateSummary` gives an event. */
export function feedSummary(event: RawEvent): string {
  const { actor, payload: p } = event;
  switch (event.type) {
    case "sling": {
      const target = payloadString(p, "target");
      const bead = payloadString(p, "bead");
      return target !== undefined && bead !== undefined
        ? `${actor} assigned ${bead} to ${target}`
        : `${actor} dispatched work`;
    }
    case "done": {
      const bead = payloadString(p, "bead");
      return bead !== undefined
        ? `${actor} completed work on ${bead}`
        : `${actor} signaled done`;
    }
    case "handoff":
      return `${actor} handed off to fresh session`;
    case "mail": {
      const to = payloadString(p, "to");
      const subject = payloadString(p, "subject");
      return to !== undefined && subject !== undefined
        ? `${actor} → ${to}: ${subject}`
        : `${actor} sent mail`;
    }
    case "patrol_started": {
      const rig = payloadString(p, "rig");
      return rig !== undefined
        ? `${actor} patrol started for ${rig}`
        : `${actor} started patrol`;
    }
    case "patrol_complete":
      return payloadString(p, "message") ?? `${actor} completed patrol`;
    case "merged": {
      const worker = payloadString(p, "worker");
      return worker !== undefined
        ? `Merged work from ${worker}`
        : "Work merged";
    }
    case "merge_failed": {
      const reason = payloadString(p, "reason");
      return reason !== undefined ? `Merge failed: ${reason}` : "Merge failed";
    }
    default:
      return `${actor}: ${event.type}`;
  }
}

/** Sorts object keys recursively, as Go's JSON encoder writes maps. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Escapes what Go's JSON encoder escapes beyond JSON.stringify. */
function goJsonEscape(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/**
 * Formats one feed line (no newline): keys `ts`, `source`, `type`, `actor`,
 * `summary`, then `payload` (omitted when absent or empty) and `count`
 * (omitted unless > 0).
 */
export function formatFeedLine(
  event: RawEvent,
  summary: string,
  count: number,
): string {
  const line: Record<string, unknown> = {
    ts: event.ts,
    source: event.source,
    type: event.type,
    actor: event.actor,
    summary,
  };
  if (event.payload !== null && Object.keys(event.payload).length > 0) {
    line.payload = sortKeys(event.payload);
  }
  if (count > 0) line.count = count;
  return goJsonEscape(JSON.stringify(line));
}
