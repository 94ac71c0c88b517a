/**
 * Parsers of small town files the heartbeat reads: the Deacon's
 * `deacon/heartbeat.json` and the bead routes in `.beads/routes.jsonl`.
 * Pure: bad input gives null or is skipped, never an exception.
 *
 * @module
 */

import { parseRfc3339 } from "../gotime.ts";

/** The timestamp of `deacon/heartbeat.json`; null when missing or unreadable. */
export function parseHeartbeat(text: string | null): Date | null {
  if (text === null) return null;
  try {
    const raw = JSON.parse(text);
    return parseRfc3339(raw?.timestamp);
  } catch {
    return null;
  }
}

/**
 * Bead id prefixes per rig from `.beads/routes.jsonl` (`{prefix, path}` per
 * line; the first route whose path's first segment is the rig wins; a
 * trailing `-` is dropped).
 */
export function parseRoutes(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const r = JSON.parse(line);
      if (typeof r?.prefix !== "string" || typeof r?.path !== "string") {
        continue;
      }
      const prefix = r.prefix.replace(/-$/, "");
      const rig = r.path.split("/")[0] ?? "";
      if (!/^[A-Za-z0-9]{1,8}$/.test(prefix) || rig === "" || out.has(rig)) {
        continue;
      }
      out.set(rig, prefix);
    } catch {
      // a bad line is skipped
    }
  }
  return out;
}
