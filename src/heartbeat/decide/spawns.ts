/**
 * Pending polecat spawns: `POLECAT_STARTED` mail becomes pending entries,
 * each with its session's observed state, and entries the daemon will not
 * nudge are dropped. Pure decide functions over one snapshot.
 *
 * @module
 */

import { hasClaudePrompt } from "../../adapters/tmux_config.ts";
import { checkSpawnMessage } from "../../town/pending.ts";
import { polecatSessionConflict } from "../../town/session_claims.ts";
import type { DecideContext } from "../engine.ts";
import type {
  Action,
  PendingSpawn,
  SpawnSessionState,
  TownSnapshot,
} from "../types.ts";
import { sessionState } from "./sessions.ts";

/** Pending spawns older than this are pruned. */
export const PENDING_MAX_AGE_MS = 5 * 60_000;

/**
 * `triggerPendingSpawns`: new `POLECAT_STARTED` mail in the deacon inbox
 * becomes pending entries; `act` nudges the ones whose agent shows its
 * prompt, drops the ones whose session is gone, and prunes entries older
 * than five minutes.
 */
export function decidePendingSpawns(
  snap: TownSnapshot,
  _ctx: DecideContext,
): Action[] {
  if (snap.pending === null) {
    return [{
      kind: "log",
      message: `Error checking pending spawns: ${
        snap.pendingError ?? "unreadable"
      }`,
      dedupeKey: `pending-error:${snap.pendingError}`,
    }];
  }
  const out: Action[] = [];
  const known = new Set(snap.pending.map((p) => p.mail_id));
  const fresh: PendingSpawn[] = [];
  const close: string[] = [];
  for (const msg of snap.mail ?? []) {
    const check = checkSpawnMessage(msg);
    if (check.kind === "ignore") continue;
    const reason = check.kind === "invalid"
      ? check.reason
      : spawnRefusal(snap, check.spawn);
    if (reason !== null) {
      out.push({
        kind: "log",
        message: `Ignoring POLECAT_STARTED message ${msg.id}: ${reason}`,
        dedupeKey: `spawn-invalid:${msg.id}`,
      });
      continue;
    }
    if (check.kind !== "spawn" || known.has(msg.id)) continue;
    known.add(msg.id);
    fresh.push(check.spawn);
    close.push(msg.id);
  }
  const kept = snap.pending.filter((p) => {
    const reason = spawnRefusal(snap, p);
    if (reason === null) return true;
    out.push({
      kind: "log",
      message: `Dropping pending spawn ${p.rig}/${p.polecat}: ${reason}`,
      dedupeKey: `spawn-dropped:${p.mail_id}:${p.session}`,
    });
    return false;
  });
  const entries = [...kept, ...fresh];
  if (entries.length === 0 && kept.length === snap.pending.length) return out;
  const sessions: Record<string, SpawnSessionState> = {};
  for (const e of entries) sessions[e.session] = spawnSessionState(snap, e);
  out.push({
    kind: "pendingSpawns",
    closeMessageIds: close,
    entries,
    sessions,
  });
  return out;
}

/** What the snapshot says of a pending spawn's session. */
function spawnSessionState(
  snap: TownSnapshot,
  p: PendingSpawn,
): SpawnSessionState {
  const state = sessionState(snap, p.session);
  if (state === "unknown") return "unreadable";
  if (state === "missing") return "gone";
  return hasClaudePrompt(snap.spawnScreens.get(p.session) ?? "")
    ? "ready"
    : "waiting";
}

/**
 * Why the daemon will not nudge a spawned polecat, or null: its rig must be
 * a rig of this town, its session name its own, and its session, when it
 * exists, this town's.
 */
function spawnRefusal(snap: TownSnapshot, p: PendingSpawn): string | null {
  if (!snap.rigs.includes(p.rig)) {
    return `rig ${JSON.stringify(p.rig)} is not a rig of this town`;
  }
  const conflict = polecatSessionConflict(snap.rigs, p.rig, p.polecat);
  if (conflict !== null) return `polecat ${p.rig}/${p.polecat}: ${conflict}`;
  if (sessionState(snap, p.session) === "foreign") {
    return `session ${p.session} is not this town's`;
  }
  return null;
}
