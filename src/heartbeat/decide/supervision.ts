/**
 * Keeping the town's agents alive: the Deacon (its agent bead and its
 * heartbeat file) and each rig's Witness and Refinery, with the shared
 * ensure-running table (Boot is in `boot.ts`, crashed polecats in
 * `polecats.ts`). Pure decide functions over one snapshot.
 *
 * @module
 */

import { goMinutes } from "../../gotime.ts";
import {
  DEACON_BEAD,
  deaconSession,
  refineryBeadId,
  witnessBeadId,
} from "../../town/names.ts";
import type { DecideContext } from "../engine.ts";
import {
  deaconSpec,
  refinerySpec,
  type SpecContext,
  witnessSpec,
} from "../specs.ts";
import type { Action, SessionSpec, TownSnapshot } from "../types.ts";
import {
  foreignSessionNotice,
  sessionCreated,
  sessionState,
  startOrBackoff,
} from "./sessions.ts";

/** Boot marker time to live (the reference's 5 minutes). */
export const BOOT_TTL_MS = 5 * 60_000;
/** Deacon heartbeat age that earns a nudge. */
export const DEACON_NUDGE_AFTER_MS = 10 * 60_000;
/** Deacon heartbeat age after which the Deacon is restarted. */
export const DEACON_KILL_AFTER_MS = 30 * 60_000;
/** How long a Deacon the daemon restarted gets to write its first heartbeat. */
export const DEACON_RESTART_GRACE_MS = 15 * 60_000;
/** Text of the Deacon health nudge (the reference's). */
export const DEACON_NUDGE_TEXT =
  "HEALTH_CHECK: heartbeat stale, respond to confirm responsiveness";

/** The spec context of a snapshot. */
export function specContext(snap: TownSnapshot, rig?: string): SpecContext {
  const argv = rig !== undefined
    ? snap.rigAgentArgv.get(rig) ?? snap.agentArgv
    : snap.agentArgv;
  return {
    town: snap.town,
    agentArgv: argv,
    hasRefineryWorktree: (r) => snap.refineryWorktrees.has(r),
  };
}

interface EnsureLabels {
  /** e.g. "Deacon", "Witness for gastown". */
  who: string;
  /** e.g. "Deacon session", "Witness session for gastown". */
  sessionWho: string;
  /** e.g. "Deacon session", "witness session for gastown" (error text). */
  createWho: string;
}

/**
 * The ensure-running decision shared by the Deacon, Witnesses and
 * Refineries. Differences from the reference: a missing session is started
 * whatever the bead says; a `dead` bead does not kill a healthy session that
 * was started after the bead was marked (no restart loop).
 */
export function ensureAgent(
  snap: TownSnapshot,
  ctx: DecideContext,
  spec: SessionSpec,
  beadId: string,
  labels: EnsureLabels,
): Action[] {
  const state = sessionState(snap, spec.session);
  if (state === "unknown") return [];
  if (state === "foreign") return [foreignSessionNotice(snap, spec.session)];
  const bead = snap.beads?.get(beadId);
  const beadState = bead?.fields.agentState ?? "";
  const start = (log: string, killFirst: boolean) =>
    startOrBackoff(ctx, spec, {
      killFirst,
      startLog: log,
      okLog: `${labels.sessionWho} started successfully`,
      errLog: `Error creating ${labels.createWho}: {err}`,
    });
  if (beadState === "dead") {
    const created = sessionCreated(snap, spec.session) * 1000;
    const markedAt = bead?.updated?.getTime() ?? Infinity;
    if (state === "healthy" && created > markedAt) {
      return [{
        kind: "log",
        message:
          `${labels.who} is marked dead but its session was restarted after that; waiting for the agent to update its bead`,
        dedupeKey: `dead-restarted:${spec.agent}:${bead?.updatedAt}`,
      }];
    }
    return [
      {
        kind: "log",
        message:
          `${labels.who} is marked dead (circuit breaker triggered), forcing restart...`,
      },
      ...start(
        `${labels.who} not running per agent bead, starting...`,
        state !== "missing",
      ),
    ];
  }
  if (state === "healthy") {
    if (beadState === "running" || beadState === "working") return [];
    return [{
      kind: "log",
      message:
        `${labels.sessionWho} healthy (Claude running), skipping restart despite stale bead`,
      dedupeKey: `healthy-stale:${spec.agent}`,
    }];
  }
  const trusted = beadState === "running" || beadState === "working";
  const why = !trusted
    ? `${labels.who} not running per agent bead, starting...`
    : state === "zombie"
    ? `${labels.who} has no live agent in its session although its agent bead says ${beadState}, restarting...`
    : `${labels.who} session is gone although its agent bead says ${beadState}, starting...`;
  return start(why, false);
}

/** `ensureDeaconRunning`: agent bead `hq-deacon` (the reference read `gt-deacon`). */
export function ensureDeacon(snap: TownSnapshot, ctx: DecideContext): Action[] {
  return ensureAgent(
    snap,
    ctx,
    deaconSpec(specContext(snap)),
    DEACON_BEAD,
    {
      who: "Deacon",
      sessionWho: "Deacon session",
      createWho: "Deacon session",
    },
  );
}

/**
 * The Deacon check of a crash notification: like {@link ensureDeacon}, but
 * a fresh Boot marker (triage under way) leaves the Deacon to Boot, as the
 * heartbeat does.
 */
export function ensureDeaconUnlessTriage(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  const marker = snap.bootMarkerMtimeMs;
  if (marker !== null && ctx.now.getTime() - marker <= BOOT_TTL_MS) return [];
  return ensureDeacon(snap, ctx);
}

/**
 * `checkDeaconHeartbeat`: nudge a Deacon whose heartbeat is older than 10
 * minutes; kill **and restart** one older than 30 minutes (the reference
 * only killed it), unless the daemon itself restarted it less than 15
 * minutes ago (it has not had the time to write a heartbeat).
 */
export function decideDeaconHeartbeat(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  if (snap.deaconHeartbeat === null) return [];
  const age = ctx.now.getTime() - snap.deaconHeartbeat.getTime();
  if (age < DEACON_NUDGE_AFTER_MS) return [];
  const state = sessionState(snap, deaconSession());
  const out: Action[] = [{
    kind: "log",
    message: `Deacon heartbeat is stale (${
      goMinutes(age)
    } old), checking session...`,
    dedupeKey: `deacon-stale:${snap.deaconHeartbeat.getTime()}:${
      age > DEACON_KILL_AFTER_MS
    }`,
  }];
  if (state === "missing" || state === "unknown") return out;
  if (state === "foreign") {
    return [...out, foreignSessionNotice(snap, deaconSession())];
  }
  if (age > DEACON_KILL_AFTER_MS) {
    const restarted = ctx.lastRestart("deacon");
    if (
      restarted !== null &&
      ctx.now.getTime() - restarted < DEACON_RESTART_GRACE_MS
    ) {
      out.push({
        kind: "log",
        message: `Deacon was restarted ${
          goMinutes(ctx.now.getTime() - restarted)
        } ago; waiting for its first heartbeat`,
        dedupeKey: `deacon-young:${restarted}`,
      });
      return out;
    }
    out.push({
      kind: "log",
      message: `Deacon stuck for ${goMinutes(age)} - restarting session`,
    });
    out.push(...startOrBackoff(ctx, deaconSpec(specContext(snap)), {
      killFirst: true,
      okLog: "Deacon session restarted",
      errLog: "Error restarting stuck Deacon: {err}",
    }));
    return out;
  }
  out.push({
    kind: "log",
    message: `Deacon stuck for ${goMinutes(age)} - nudging session`,
    dedupeKey: `deacon-nudge-log:${snap.deaconHeartbeat.getTime()}`,
  });
  out.push({
    kind: "nudge",
    session: deaconSession(),
    text: DEACON_NUDGE_TEXT,
    errLog: "Error nudging stuck Deacon: {err}",
    dedupeKey: `deacon-nudge:${snap.deaconHeartbeat.getTime()}`,
  });
  return out;
}

function decideRigAgents(
  snap: TownSnapshot,
  ctx: DecideContext,
  role: "witness" | "refinery",
): Action[] {
  const title = role === "witness" ? "Witness" : "Refinery";
  return snap.rigs.flatMap((rig) => {
    const sc = specContext(snap, rig);
    const spec = role === "witness"
      ? witnessSpec(sc, rig)
      : refinerySpec(sc, rig);
    const beadId = role === "witness"
      ? witnessBeadId(rig)
      : refineryBeadId(rig);
    return ensureAgent(snap, ctx, spec, beadId, {
      who: `${title} for ${rig}`,
      sessionWho: `${title} session for ${rig}`,
      createWho: `${role} session for ${rig}`,
    });
  });
}

/** `ensureWitnessRunning` for every rig. */
export function decideWitnesses(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  return decideRigAgents(snap, ctx, "witness");
}

/** `ensureRefineryRunning` for every rig. */
export function decideRefineries(
  snap: TownSnapshot,
  ctx: DecideContext,
): Action[] {
  return decideRigAgents(snap, ctx, "refinery");
}
