/**
 * Boot triage: spawn Boot when its marker is stale, or, degraded (no tmux),
 * triage the Deacon mechanically and write Boot's status file. A pure
 * decide function over one snapshot.
 *
 * @module
 */

import { rfc3339 } from "../../gotime.ts";
import { BOOT_SESSION, deaconSession } from "../../town/names.ts";
import type { DecideContext } from "../engine.ts";
import { bootSpec } from "../specs.ts";
import type { Action, BootStatus, TownSnapshot } from "../types.ts";
import {
  foreignSessionNotice,
  sessionCreated,
  sessionState,
  startOrBackoff,
} from "./sessions.ts";

import { BOOT_TTL_MS, ensureDeacon, specContext } from "./supervision.ts";

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
