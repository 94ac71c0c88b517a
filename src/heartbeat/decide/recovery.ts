/**
 * Work that reads mail and beads: lifecycle requests, stale agents, GUPP
 * violations, orphaned work and pending polecat spawns. Pure decide
 * functions over one snapshot.
 *
 * @module
 */

import { goDuration, goMinutes, parseRfc3339 } from "../../gotime.ts";
import { MemoryLog } from "../../log.ts";
import { formatDeadDescription } from "../../town/bead_text.ts";
import {
  DEACON_BEAD,
  deaconSession,
  MAYOR_BEAD,
  mayorSession,
  parseIdentity,
  refineryBeadId,
  refinerySession,
  sessionOf,
  witnessBeadId,
  witnessSession,
} from "../../town/names.ts";
import { checkSpawnMessage } from "../../town/pending.ts";
import { polecatSessionConflict } from "../../town/session_claims.ts";
import type { DecideContext } from "../engine.ts";
import { parseLifecycleRequest } from "../lifecycle_parse.ts";
import { lifecycleDoneKey } from "../notify_slots.ts";
import type {
  Action,
  AgentBead,
  PendingSpawn,
  TownSnapshot,
} from "../types.ts";
import type { AgentIdentity } from "../../town/names.ts";
import { sessionState } from "./sessions.ts";

/** Age after which a `running`/`working` agent bead counts as stale. */
export const DEAD_AGENT_TIMEOUT_MS = 15 * 60_000;
/** Hooked work without progress for this long is a GUPP violation. */
export const GUPP_TIMEOUT_MS = 30 * 60_000;
/** Lifecycle requests older than this are deleted unexecuted. */
export const MAX_LIFECYCLE_AGE_MS = 6 * 3_600_000;
/** Most superseded or stale lifecycle messages deleted in one pass. */
export const MAX_DELETES_PER_PASS = 50;
/** Pending spawns older than this are pruned. */
export const PENDING_MAX_AGE_MS = 5 * 60_000;

/**
 * `checkStaleAgents`: town agents and each rig's Witness and Refinery whose
 * bead says `running`/`working` but was not updated for 15 minutes are
 * marked dead — only when their session is not healthy. A healthy agent
 * that simply has not touched its bead is left alone, so marking never
 * starts a kill/restart loop.
 */
export function decideStaleAgents(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  if (snap.beads === null) return [];
  const candidates: [string, string][] = [[DEACON_BEAD, deaconSession()], [
    MAYOR_BEAD,
    mayorSession(),
  ]];
  for (const rig of snap.rigs) {
    candidates.push([witnessBeadId(rig), witnessSession(rig)], [
      refineryBeadId(rig),
      refinerySession(rig),
    ]);
  }
  const out: Action[] = [];
  for (const [id, session] of candidates) {
    const bead = snap.beads.get(id);
    if (!bead) continue;
    const state = bead.fields.agentState;
    if (state !== "running" && state !== "working") continue;
    if (bead.updated === null) {
      out.push({
        kind: "log",
        message: `Warning: cannot parse updated_at for ${id}: ${
          JSON.stringify(bead.updatedAt)
        } is not an RFC 3339 time`,
        dedupeKey: `bad-updated:${id}:${bead.updatedAt}`,
      });
      continue;
    }
    const age = ctx.now.getTime() - bead.updated.getTime();
    if (age <= DEAD_AGENT_TIMEOUT_MS) continue;
    if (sessionState(snap, session) === "healthy") {
      out.push({
        kind: "log",
        message: `Agent ${id} has not updated its bead for ${
          goMinutes(age)
        } but its session ${session} is healthy; not marking it dead`,
        dedupeKey: `stale-healthy:${id}:${bead.updatedAt}`,
      });
      continue;
    }
    out.push({
      kind: "log",
      message: `Agent ${id} appears dead (state=${state}, last update ${
        goMinutes(age)
      } ago, timeout ${goDuration(DEAD_AGENT_TIMEOUT_MS)})`,
    });
    out.push({
      kind: "markDead",
      beadId: id,
      ...(bead.db === undefined ? {} : { db: bead.db }),
      session,
      description: formatDeadDescription(
        bead.fields,
        bead.hookBead,
        ctx.now,
        state,
      ),
      okLog: `Marked agent ${id} as dead due to timeout`,
      errLog: `Warning: failed to mark ${id} as dead: {err}`,
    });
  }
  return out;
}

/**
 * Finds the rig and polecat of a polecat bead id: the canonical
 * `<prefix>-<rig>-polecat-<name>` (matched against the known rigs, so rig
 * names with dashes work) and the reference's `gt-polecat-<rig>-<name>`.
 */
export function polecatOfBead(
  id: string,
  rigs: readonly string[],
  prefixes: ReadonlyMap<string, string>,
): { rig: string; name: string } | null {
  let best: { rig: string; name: string } | null = null;
  for (const rig of rigs) {
    const prefix = prefixes.get(rig) ?? "gt";
    for (const head of [`${prefix}-${rig}-polecat-`, `gt-polecat-${rig}-`]) {
      if (id.startsWith(head) && id.length > head.length) {
        if (!best || rig.length > best.rig.length) {
          best = { rig, name: id.slice(head.length) };
        }
      }
    }
  }
  return best;
}

function polecatBeads(
  snap: TownSnapshot,
): { bead: AgentBead; rig: string; name: string }[] {
  const out: { bead: AgentBead; rig: string; name: string }[] = [];
  for (const bead of snap.beads?.values() ?? []) {
    const p = polecatOfBead(bead.id, snap.rigs, snap.rigPrefixes);
    if (p) out.push({ bead, ...p });
  }
  return out;
}

/**
 * `checkGUPPViolations`: a polecat with hooked work, `working`/`running`,
 * whose bead has not moved for 30 minutes. Its Witness is mailed once per
 * episode (de-duplicated by bead id and hook).
 */
export function decideGupp(snap: TownSnapshot, ctx: DecideContext): Action[] {
  const out: Action[] = [];
  for (const { bead, rig } of polecatBeads(snap)) {
    const state = bead.agentState || bead.fields.agentState;
    const hook = bead.hookBead || bead.fields.hookBead;
    if (hook === "" || (state !== "working" && state !== "running")) {
      continue;
    }
    if (bead.updated === null) continue;
    const age = ctx.now.getTime() - bead.updated.getTime();
    if (age <= GUPP_TIMEOUT_MS) continue;
    const dur = goMinutes(age);
    out.push({
      kind: "log",
      message:
        `GUPP violation: agent ${bead.id} has hook_bead=${hook} but hasn't updated in ${dur} (timeout: ${
          goDuration(GUPP_TIMEOUT_MS)
        })`,
      dedupeKey: `gupp-log:${bead.id}:${hook}`,
    });
    out.push({
      kind: "sendMail",
      to: `${rig}/witness`,
      subject: `GUPP_VIOLATION: ${bead.id} stuck for ${dur}`,
      body:
        `Agent ${bead.id} has work on hook but isn't progressing.\n\nhook_bead: ${hook}\nstuck_duration: ${dur}\n\nAction needed: Check if agent is alive and responsive. Consider restarting if stuck.`,
      okLog: `Notified ${rig}/witness of GUPP violation for ${bead.id}`,
      errLog: "Warning: failed to notify witness of GUPP violation: {err}",
      dedupeKey: `gupp:${bead.id}:${hook}`,
    });
  }
  return out;
}

/**
 * `checkOrphanedWork`: a dead polecat (column or description, so deaths
 * the daemon recorded count too) that still has hooked work. Its Witness is
 * mailed once per episode.
 */
export function decideOrphans(
  snap: TownSnapshot,
  _ctx: DecideContext,
): Action[] {
  const out: Action[] = [];
  for (const bead of snap.beads?.values() ?? []) {
    const dead = bead.agentState === "dead" ||
      bead.fields.agentState === "dead";
    const hook = bead.hookBead || bead.fields.hookBead;
    if (!dead || hook === "") continue;
    out.push({
      kind: "log",
      message:
        `Orphaned work detected: agent ${bead.id} is dead but has hook_bead=${hook}`,
      dedupeKey: `orphan-log:${bead.id}:${hook}`,
    });
    const p = polecatOfBead(bead.id, snap.rigs, snap.rigPrefixes);
    if (!p) continue;
    out.push({
      kind: "sendMail",
      to: `${p.rig}/witness`,
      subject: `ORPHANED_WORK: ${bead.id} has hooked work but is dead`,
      body:
        `Agent ${bead.id} is dead but has work on its hook.\n\nhook_bead: ${hook}\n\nAction needed: Either restart the agent or reassign the work.`,
      okLog: `Notified ${p.rig}/witness of orphaned work for ${bead.id}`,
      errLog: "Warning: failed to notify witness of orphaned work: {err}",
      dedupeKey: `orphan:${bead.id}:${hook}`,
    });
  }
  return out;
}

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
  out.push({ kind: "pendingSpawns", closeMessageIds: close, entries });
  return out;
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

/**
 * Why a lifecycle request for `who` must not be carried out, or null: the
 * agent's rig must be a rig of this town, a polecat's session name its own,
 * and the session, when it exists, this town's.
 */
export function lifecycleRefusal(
  snap: TownSnapshot,
  who: AgentIdentity,
): string | null {
  if (who.rig !== "" && !snap.rigs.includes(who.rig)) {
    return `rig ${JSON.stringify(who.rig)} is not a rig of this town`;
  }
  if (who.roleType === "polecat") {
    const conflict = polecatSessionConflict(snap.rigs, who.rig, who.name);
    if (conflict !== null) return `polecat ${who.rig}/${who.name}: ${conflict}`;
  }
  const session = sessionOf(who);
  if (sessionState(snap, session) === "foreign") {
    return `session ${session} is not this town's`;
  }
  return null;
}

/**
 * `processLifecycleRequests`: each fresh `LIFECYCLE:` message becomes one
 * claim-then-execute action; requests older than six hours are deleted
 * unexecuted; several requests for the same agent in one pass run once (the
 * newest), the rest are deleted as duplicates, as are requests sent before
 * the last request for that agent was carried out (at most 50 deletions a
 * pass; the rest wait for the next one). Requests whose sender is not
 * an agent identity are still claimed, and `act` replies to the sender.
 */
export function decideLifecycle(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  const out: Action[] = [];
  const seen = new Set<string>();
  let deletes = 0;
  let deferred = 0;
  const drop = (id: string, message: string, errLog: string) => {
    if (deletes >= MAX_DELETES_PER_PASS) {
      deferred++;
      return;
    }
    deletes++;
    out.push({ kind: "deleteMail", messageId: id, log: message, errLog });
  };
  for (const msg of snap.mail ?? []) {
    if (msg.read) continue;
    const log = new MemoryLog();
    const req = parseLifecycleRequest(msg, log, ctx.now);
    for (const line of log.lines) {
      out.push({
        kind: "log",
        message: line,
        dedupeKey: `lifecycle-parse:${msg.id}`,
      });
    }
    if (req === null) continue;
    const target = parseIdentity(msg.from);
    if (
      target !== null && target.rig !== "" &&
      !snap.rigs.includes(target.rig) && snap.rigProblems.length > 0
    ) {
      // rigs.json could not be read whole: the rig may be this town's.
      out.push({
        kind: "log",
        message:
          `Leaving lifecycle request ${msg.id} from ${msg.from} for later: rig ${
            JSON.stringify(target.rig)
          } is not in the rigs file, which has problems`,
        dedupeKey: `lifecycle-rigs:${msg.id}`,
      });
      continue;
    }
    const sent = parseRfc3339(msg.timestamp);
    const age = sent === null ? 0 : ctx.now.getTime() - sent.getTime();
    if (sent === null) {
      out.push({
        kind: "log",
        message: `Lifecycle request ${msg.id} has no valid timestamp (${
          JSON.stringify(msg.timestamp)
        }); treating it as fresh`,
        dedupeKey: `lifecycle-no-time:${msg.id}`,
      });
    }
    if (age > MAX_LIFECYCLE_AGE_MS) {
      drop(
        msg.id,
        `Ignoring stale lifecycle request from ${msg.from} (age: ${
          goMinutes(age)
        }, max: ${goDuration(MAX_LIFECYCLE_AGE_MS)}) - deleting`,
        `Warning: failed to delete stale message ${msg.id}: {err}`,
      );
      continue;
    }
    const who = parseIdentity(msg.from);
    // A refused request must not stand for the session it named: that may
    // be another agent's, whose own requests still run.
    const refused = who ? lifecycleRefusal(snap, who) : null;
    const own = who !== null && refused === null;
    const key = own ? sessionOf(who) : `unknown:${msg.from}`;
    const doneAt = own ? ctx.lifecycleDoneAt(key) : null;
    if (
      seen.has(key) ||
      (doneAt !== null && sent !== null && sent.getTime() <= doneAt)
    ) {
      drop(
        msg.id,
        `Skipping duplicate lifecycle request ${msg.id} from ${msg.from}: a request for ${key} was already carried out - deleting`,
        `Warning: failed to delete duplicate message ${msg.id}: {err}`,
      );
      continue;
    }
    if (!own) {
      // Each unknown or refused sender is its own key: count them against
      // the pass's budget, or a flood of senders would cost a claim and a
      // reply each.
      if (deletes >= MAX_DELETES_PER_PASS) {
        deferred++;
        continue;
      }
      deletes++;
    }
    seen.add(key);
    out.push({
      kind: "log",
      message: `Processing lifecycle request from ${msg.from}: ${req.action}`,
    });
    const action: Action = {
      kind: "lifecycle",
      messageId: msg.id,
      from: msg.from,
      action: req.action,
    };
    if (own) action.doneKey = lifecycleDoneKey(key);
    if (refused !== null) action.refused = refused;
    out.push(action);
  }
  if (deferred > 0) {
    out.push({
      kind: "log",
      message:
        `Leaving ${deferred} superseded lifecycle request(s) for the next pass (at most ${MAX_DELETES_PER_PASS} deletions a pass)`,
    });
  }
  return out;
}
