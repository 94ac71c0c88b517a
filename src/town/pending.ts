/**
 * Pending polecat spawns (`<town>/spawn/pending.json`): parsing and
 * formatting the file, turning a `POLECAT_STARTED <rig>/<polecat>` message
 * into an entry, and pruning old entries. Pure; the caller reads and writes
 * the file.
 *
 * Differences from the reference, on purpose:
 * - an empty list is written as `[]`, not `null`;
 * - a malformed entry is skipped (and counted) instead of failing the whole
 *   file, and a blank file reads as an empty list;
 * - rig, polecat and session names from mail are validated before they can
 *   become tmux targets: rig and polecat must match
 *   `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`, the session must start with `gt-`
 *   and contain only `[A-Za-z0-9_-]`. Entries read from the file are checked
 *   the same way, since other tools write it too.
 *
 * @module
 */

import type { MailMessage, PendingSpawn } from "../heartbeat/types.ts";
import { AppError } from "../errors.ts";
import { parseRfc3339 } from "../gotime.ts";

/** `pending.json` is not a JSON array of entries. */
export class PendingParseError extends AppError {}

/** Subject prefix of a spawn notice; the trailing space is required. */
export const POLECAT_STARTED_PREFIX = "POLECAT_STARTED ";

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SESSION_RE = /^gt-[A-Za-z0-9_-]{1,200}$/;

/** True when `name` is a safe rig or polecat name. */
export function isSafeName(name: string): boolean {
  return NAME_RE.test(name);
}

/** True when `session` is a safe polecat session name (`gt-…`). */
export function isSafeSession(session: string): boolean {
  return SESSION_RE.test(session);
}

const FIELDS = [
  "rig",
  "polecat",
  "session",
  "issue",
  "spawned_at",
  "mail_id",
] as const;

/** Result of {@link parsePending}. */
export interface ParsedPending {
  spawns: PendingSpawn[];
  /** Entries dropped because they were malformed or carried unsafe names. */
  skipped: number;
}

/**
 * Parses `pending.json`. A missing file (null), a blank file and `null` are
 * an empty list. Text that is not JSON, or JSON that is not an array, throws
 * {@link PendingParseError}. Entries that are not objects, have a field of
 * the wrong type, or carry unsafe names are skipped and counted; a missing
 * field reads as "".
 */
export function parsePending(text: string | null): ParsedPending {
  if (text === null || text.trim() === "") return { spawns: [], skipped: 0 };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PendingParseError(
      `Cannot parse "pending.json": ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (data === null) return { spawns: [], skipped: 0 };
  if (!Array.isArray(data)) {
    throw new PendingParseError(
      `Cannot parse "pending.json": expected a JSON array, got ${kindOf(data)}`,
    );
  }
  const spawns: PendingSpawn[] = [];
  let skipped = 0;
  for (const item of data) {
    const spawn = toSpawn(item);
    if (spawn === null) skipped++;
    else spawns.push(spawn);
  }
  return { spawns, skipped };
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function toSpawn(item: unknown): PendingSpawn | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return null;
  }
  const rec = item as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of FIELDS) {
    const v = rec[key];
    if (v === undefined || v === null) out[key] = "";
    else if (typeof v === "string") out[key] = v;
    else return null;
  }
  const spawn = out as unknown as PendingSpawn;
  if (!isSafeName(spawn.rig) || !isSafeName(spawn.polecat)) return null;
  if (!isSafeSession(spawn.session)) return null;
  return spawn;
}

/**
 * Formats the list as `pending.json`: an indented (2 spaces) JSON array with
 * keys in the order rig, polecat, session, issue, spawned_at, mail_id, and
 * no trailing newline (as Go's `MarshalIndent`). An empty list is `[]`.
 */
export function formatPending(list: readonly PendingSpawn[]): string {
  const ordered = list.map((p) => ({
    rig: p.rig,
    polecat: p.polecat,
    session: p.session,
    issue: p.issue,
    spawned_at: p.spawned_at,
    mail_id: p.mail_id,
  }));
  return JSON.stringify(ordered, null, 2);
}

/** What {@link checkSpawnMessage} made of a message. */
export type SpawnMessageCheck =
  | { kind: "ignore" }
  | { kind: "invalid"; reason: string }
  | { kind: "spawn"; spawn: PendingSpawn };

/**
 * Classifies a deacon-inbox message: `ignore` unless the subject starts with
 * `POLECAT_STARTED ` (case-sensitive); `invalid` with a reason when the
 * subject has no `<rig>/<polecat>` or a name or the session is unsafe;
 * otherwise the entry. The subject remainder is split at the first `/`; body
 * lines are trimmed and the last `Session: ` and `Issue: ` lines win.
 * `spawned_at` is the message timestamp and `mail_id` its id.
 */
export function checkSpawnMessage(msg: MailMessage): SpawnMessageCheck {
  if (!msg.subject.startsWith(POLECAT_STARTED_PREFIX)) {
    return { kind: "ignore" };
  }
  const rest = msg.subject.slice(POLECAT_STARTED_PREFIX.length);
  const slash = rest.indexOf("/");
  const rig = slash === -1 ? "" : rest.slice(0, slash);
  const polecat = slash === -1 ? "" : rest.slice(slash + 1);
  if (rig === "" || polecat === "") {
    return { kind: "invalid", reason: `no <rig>/<polecat> in subject` };
  }
  let session = "";
  let issue = "";
  for (const raw of msg.body.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("Session: ")) session = line.slice("Session: ".length);
    else if (line.startsWith("Issue: ")) issue = line.slice("Issue: ".length);
  }
  if (!isSafeName(rig)) {
    return {
      kind: "invalid",
      reason: `unsafe rig name ${JSON.stringify(rig)}`,
    };
  }
  if (!isSafeName(polecat)) {
    return {
      kind: "invalid",
      reason: `unsafe polecat name ${JSON.stringify(polecat)}`,
    };
  }
  // The nudge goes to the polecat's own session, never another agent's.
  if (
    session !== `gt-${rig}-${polecat}` &&
    session !== `gt-${rig}-polecat-${polecat}`
  ) {
    return {
      kind: "invalid",
      reason: `session ${
        JSON.stringify(session)
      } is not polecat ${rig}/${polecat}'s`,
    };
  }
  if (!isSafeSession(session)) {
    return {
      kind: "invalid",
      reason: `unsafe or missing session ${JSON.stringify(session)}`,
    };
  }
  return {
    kind: "spawn",
    spawn: {
      rig,
      polecat,
      session,
      issue,
      spawned_at: msg.timestamp,
      mail_id: msg.id,
    },
  };
}

/** The pending entry a `POLECAT_STARTED` message announces, or null. */
export function spawnFromMessage(msg: MailMessage): PendingSpawn | null {
  const check = checkSpawnMessage(msg);
  return check.kind === "spawn" ? check.spawn : null;
}

/**
 * Drops entries whose `spawned_at` is before `now - maxAgeMs`. An entry whose
 * `spawned_at` is not RFC 3339 can never age, so it is dropped too.
 */
export function prunePending(
  list: readonly PendingSpawn[],
  now: Date,
  maxAgeMs: number,
): { kept: PendingSpawn[]; pruned: number } {
  const cutoff = now.getTime() - maxAgeMs;
  const kept = list.filter((p) => {
    const at = parseRfc3339(p.spawned_at);
    return at !== null && at.getTime() >= cutoff;
  });
  return { kept, pruned: list.length - kept.length };
}
