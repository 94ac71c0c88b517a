/**
 * Keeping the town's agents alive: Boot, the Deacon (its agent bead and its
 * heartbeat file), each rig's Witness and Refinery, and crashed polecats.
 * Pure decide functions over one snapshot.
 *
 * @module
 */

import { goMinutes, rfc3339 } from "../../gotime.ts";
import {
  BOOT_SESSION,
  DEACON_BEAD,
  deaconSession,
  polecatBeadId,
  refineryBeadId,
  witnessBeadId,
} from "../../town/names.ts";
import type { DecideContext } from "../engine.ts";
import {
  bootSpec,
  deaconSpec,
  polecatSpec,
  refinerySpec,
  type SpecContext,
  witnessSpec,
} from "../specs.ts";
import type {
  Action,
  BootStatus,
  SessionSpec,
  TownSnapshot,
} from "../types.ts";
import { polecatSessionConflict } from "../../town/session_claims.ts";
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
 * Boot triage. A fresh `.boot-running` marker means triage is under way:
 * leave Boot and the Deacon alone. Degraded mode (no tmux, or
 * `GT_DEGRADED=true`) runs the mechanical triage. Otherwise Boot is spawned
 * when no live Boot session younger than the marker TTL exists (the
 * reference respawned it on every heartbeat), and the Deacon is ensured
 * directly as well.
 */
export function decideBoot(snap: TownSnapshot, ctx: DecideContext): Action[] {
  const now = ctx.now.getTime();
  if (
    snap.bootMarkerMtimeMs !== null &&
    now - snap.bootMarkerMtimeMs <= BOOT_TTL_MS
  ) {
    return [{ kind: "log", message: "Boot already running, skipping spawn" }];
  }
  if (snap.degraded) return degradedTriage(snap, ctx);
  const out: Action[] = [];
  const boot = sessionState(snap, BOOT_SESSION);
  const age = now - sessionCreated(snap, BOOT_SESSION) * 1000;
  if (boot === "healthy" && age < BOOT_TTL_MS) {
    out.push({
      kind: "log",
      message: "Boot already running, skipping spawn",
      dedupeKey: "boot-alive",
    });
  } else if (boot === "foreign") {
    out.push(foreignSessionNotice(snap, BOOT_SESSION));
  } else if (boot !== "unknown") {
    out.push({ kind: "log", message: "Spawning Boot for triage..." });
    out.push(...startOrBackoff(ctx, bootSpec(specContext(snap)), {
      killFirst: boot !== "missing",
      okLog: "Boot spawned successfully",
      errLog: "Error spawning Boot: {err}, falling back to direct Deacon check",
    }));
  }
  out.push(...ensureDeacon(snap, ctx));
  return out;
}

/**
 * The mechanical Boot triage of degraded mode. Boot's status file records
 * what really happened: a Deacon start is "start" only when a start was
 * decided (act turns it into "error" if the start fails); without tmux
 * nothing can be checked or started, which is an error.
 */
function degradedTriage(snap: TownSnapshot, ctx: DecideContext): Action[] {
  const out: Action[] = [{
    kind: "log",
    message: "Degraded mode: running mechanical Boot triage",
  }];
  const started = rfc3339(ctx.now);
  const status = (
    s: Pick<BootStatus, "last_action" | "target" | "error">,
    startOf?: string,
  ): Action => ({
    kind: "bootStatus",
    status: {
      running: false,
      started_at: started,
      completed_at: started,
      ...s,
    },
    ...(startOf ? { startOf } : {}),
  });
  if (!snap.tmuxAvailable) {
    out.push({
      kind: "log",
      message:
        "Deacon session cannot be checked or started: tmux is not available",
      dedupeKey: "degraded-no-tmux",
    });
    out.push(status({
      last_action: "error",
      error: "tmux is not available: the Deacon cannot be checked or started",
    }));
    return out;
  }
  const state = sessionState(snap, deaconSession());
  if (state === "unknown") {
    const error = snap.tmuxError ?? "tmux unreadable";
    out.push({
      kind: "log",
      message: `Error checking Deacon session: ${error}`,
    });
    out.push(status({ last_action: "error", error }));
  } else if (state === "foreign") {
    out.push(foreignSessionNotice(snap, deaconSession()));
    out.push(status({
      last_action: "error",
      error: `session ${deaconSession()} is not this town's`,
    }));
  } else if (state === "missing" || state === "zombie") {
    const ensure = ensureDeacon(snap, ctx);
    const starts = ensure.some((a) => a.kind === "startSession");
    if (starts) {
      out.push({ kind: "log", message: "Deacon not running, starting..." });
    }
    out.push(...ensure);
    out.push(
      starts
        ? status({ last_action: "start", target: "deacon" }, "deacon")
        : status({ last_action: "nothing" }),
    );
  } else {
    out.push(status({ last_action: "nothing" }));
  }
  return out;
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
