/**
 * Beads as `bd … --json` prints them: which ids may be passed to `bd`, and
 * one JSON entry read into an {@link AgentBead} (malformed entries give
 * null, never an exception).
 *
 * @module
 */

import { parseRfc3339 } from "../gotime.ts";
import type { AgentBead } from "../heartbeat/types.ts";
import { parseAgentFields } from "../town/bead_text.ts";
import {
  isRecord,
  jsonKind,
  OutputParseError,
  stringFields,
} from "./cli_json.ts";

const BEAD_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const BEAD_KEYS = [
  "id",
  "issue_type",
  "title",
  "description",
  "updated_at",
  "hook_bead",
  "agent_state",
] as const;

/** True when `id` may be passed to `bd` as a bead id. */
export function isBeadId(id: string): boolean {
  return BEAD_ID_RE.test(id);
}

/** Converts one JSON bead to an {@link AgentBead}; null when malformed. */
export function toAgentBead(entry: unknown): AgentBead | null {
  if (!isRecord(entry)) return null;
  const f = stringFields(entry, BEAD_KEYS);
  if (f === null || !isBeadId(f.id)) return null;
  return {
    id: f.id,
    issueType: f.issue_type,
    title: f.title,
    description: f.description,
    fields: parseAgentFields(f.description),
    hookBead: f.hook_bead,
    agentState: f.agent_state,
    updatedAt: f.updated_at,
    updated: parseRfc3339(f.updated_at),
  };
}

/**
 * The bead of a parsed `bd show --json` reply: the first element of an
 * array, or a bare object; null for `null` or `[]`. Throws
 * OutputParseError when it is not an object.
 */
export function firstShown(data: unknown): Record<string, unknown> | null {
  if (data === null) return null;
  const first = Array.isArray(data) ? data[0] : data;
  if (first === undefined) return null;
  if (!isRecord(first)) {
    throw new OutputParseError(
      `Cannot parse "bd show" output: expected a bead object, got ${
        jsonKind(first)
      }`,
    );
  }
  return first;
}
