/**
 * Work that reads mail and beads: lifecycle requests, stale agents, GUPP
 * violations and orphaned work (pending polecat spawns are in `spawns.ts`).
 * Pure decide functions over one snapshot.
 *
 * @module
 */

import { goDuration, goMinutes } from "../../gotime.ts";
import { formatDeadDescription } from "../../town/bead_text.ts";
import {
  DEACON_BEAD,
  deaconSession,
  MAYOR_BEAD,
  mayorSession,
  refineryBeadId,
  refinerySession,
  witnessBeadId,
  witnessSession,
} from "../../town/names.ts";
import type { DecideContext } from "../engine.ts";
import type { Action, AgentBead, TownSnapshot } from "../types.ts";
import { sessionState } from "./sessions.ts";

/** Age after which a `running`/`working` agent bead counts as stale. */
export const DEAD_AGENT_TIMEOUT_MS = 15 * 60_000;
/** Hooked work without progress for this long is a GUPP violation. */
export const GUPP_TIMEOUT_MS = 30 * 60_000;
export {
  decideLifecycle,
  lifecycleRefusal,
  MAX_DELETES_PER_PASS,
  MAX_LIFECYCLE_AGE_MS,
} from "./lifecycle.ts";

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
