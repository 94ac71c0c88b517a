/**
 * Crashed polecats: a polecat with hooked work whose session is gone is
 * restarted, and a failed restart is mailed to its Witness once. A pure
 * decide function over one snapshot.
 *
 * @module
 */

import { polecatBeadId } from "../../town/names.ts";
import type { DecideContext } from "../engine.ts";
import { polecatSpec } from "../specs.ts";
import type { Action, TownSnapshot } from "../types.ts";
import { polecatSessionConflict } from "../../town/session_claims.ts";
import {
  foreignSessionNotice,
  sessionCreated,
  sessionState,
  startOrBackoff,
} from "./sessions.ts";

import { specContext } from "./supervision.ts";

/** Agent states of a polecat that was stopped on purpose: never resurrected. */
export const STOPPED_POLECAT_STATES = new Set(["done", "nuked", "stopped"]);
/** How long a `spawning` polecat is left alone. */
export const SPAWNING_GUARD_MS = 5 * 60_000;

/**
 * `checkPolecatSessionHealth`: a polecat with hooked work whose session is
 * gone (or holds no agent) is restarted with the polecat environment; a
 * failed restart mails its Witness once. Hidden directories, polecats that
 * were stopped on purpose (`done`, `nuked`, `stopped`) and recent `spawning`
 * ones are skipped.
 */
export function decidePolecatHealth(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  if (snap.beads === null) return [];
  const out: Action[] = [];
  for (const rig of snap.rigs) {
    for (const name of snap.polecats.get(rig) ?? []) {
      const conflict = polecatSessionConflict(snap.rigs, rig, name);
      if (conflict !== null) {
        out.push({
          kind: "log",
          message: `Ignoring polecat ${rig}/${name}: ${conflict}`,
          dedupeKey: `polecat-conflict:${rig}/${name}`,
        });
        continue;
      }
      // No git pre-sync on a crash restart: pulling with rebase onto the
      // polecat's feature branch could leave a rebase in progress.
      const spec = polecatSpec(specContext(snap, rig), rig, name, {
        preSync: false,
      });
      const state = sessionState(snap, spec.session);
      if (state === "healthy" || state === "unknown") continue;
      const prefix = snap.rigPrefixes.get(rig) ?? "gt";
      const beadId = prefix === "gt"
        ? polecatBeadId(rig, name)
        : `${prefix}-${rig}-polecat-${name}`;
      const bead = snap.beads.get(beadId);
      // The columns (from `bd show`) first: gt updates them, not the
      // description, after a spawn; it writes the hook only there at spawn.
      const hook = bead?.hookBead || bead?.fields.hookBead || "";
      if (!bead || hook === "") continue;
      const agentState = bead.agentState || bead.fields.agentState;
      if (STOPPED_POLECAT_STATES.has(agentState)) {
        out.push({
          kind: "log",
          message:
            `Skipping crash detection for ${rig}/${name}: agent_state=${agentState}`,
          dedupeKey: `polecat-stopped:${rig}/${name}:${agentState}`,
        });
        continue;
      }
      if (
        agentState === "spawning" && bead.updated &&
        ctx.now.getTime() - bead.updated.getTime() < SPAWNING_GUARD_MS
      ) {
        out.push({
          kind: "log",
          message:
            `Polecat ${rig}/${name} is spawning; not treating it as crashed yet`,
          dedupeKey: `polecat-spawning:${rig}/${name}`,
        });
        continue;
      }
      if (state === "foreign") {
        out.push(foreignSessionNotice(snap, spec.session));
        continue;
      }
      out.push({
        kind: "log",
        message:
          `CRASH DETECTED: polecat ${rig}/${name} has hook_bead=${hook} but session ${spec.session} is dead`,
        dedupeKey: `crash:${rig}/${name}:${sessionCreated(snap, spec.session)}`,
      });
      out.push(...startOrBackoff(ctx, spec, {
        killFirst: state === "zombie",
        okLog: `Successfully restarted crashed polecat ${rig}/${name}`,
        errLog: `Error restarting polecat ${rig}/${name}: {err}`,
        failureMail: {
          to: `${rig}/witness`,
          subject: `CRASHED_POLECAT: ${rig}/${name} restart failed`,
          body:
            `Polecat ${name} crashed and automatic restart failed.\n\nhook_bead: ${hook}\nrestart_error: {err}\n\nManual intervention may be required.`,
        },
      }));
    }
  }
  return out;
}
