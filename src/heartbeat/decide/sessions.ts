/**
 * Reading agent liveness out of a snapshot: is an agent's session missing,
 * healthy (an agent process in a live pane), a zombie (the session exists
 * but no agent runs in it), or not this town's at all?
 *
 * @module
 */

import { goDuration } from "../../gotime.ts";
import { isAgentCommand } from "../../town/agent_process.ts";
import type { DecideContext } from "../engine.ts";
import type { Action, PaneOwner, SessionSpec, TownSnapshot } from "../types.ts";

/**
 * The liveness of one session. "foreign": a session of that name exists but
 * is not this town's (see {@link isOwnSession}); the daemon leaves it alone.
 */
export type SessionState =
  | "missing"
  | "healthy"
  | "zombie"
  | "unknown"
  | "foreign";

/**
 * True when the daemon may act on a session with these panes: tagged for
 * this town, or untagged and running inside the town (sessions that the Go
 * daemon or `gt` started carry no tag). A pane whose owner is unknown (no
 * town given to the tmux adapter) counts as this town's.
 */
export function isOwnSession(
  panes: readonly { owner?: PaneOwner | undefined }[],
): boolean {
  return panes.every((p) =>
    p.owner === undefined || p.owner === "town" ||
    p.owner === "untagged-in-town"
  );
}

/**
 * The log line for a session the daemon will not touch because it is not
 * this town's; logged once per session lifetime.
 */
export function foreignSessionNotice(
  snap: TownSnapshot,
  session: string,
): Action {
  const panes = snap.sessions?.get(session) ?? [];
  const tagged = panes.some((p) => p.owner === "other-town");
  return {
    kind: "log",
    message: tagged
      ? `Session ${session} belongs to another town (its @gt_town tag names another town root); leaving it alone`
      : `Session ${session} was not started for this town (no @gt_town tag, and it does not run inside the town); leaving it alone`,
    dedupeKey: `foreign-session:${session}:${sessionCreated(snap, session)}`,
  };
}

/** Classifies `session` from the snapshot ("unknown" when tmux was unreadable). */
export function sessionState(
  snap: TownSnapshot,
  session: string,
): SessionState {
  if (snap.sessions === null) return "unknown";
  const panes = snap.sessions.get(session);
  if (!panes || panes.length === 0) return "missing";
  if (!isOwnSession(panes)) return "foreign";
  const configured = snap.agentArgv[0] ?? "claude";
  return panes.some((p) => !p.dead && isAgentCommand(p.command, configured))
    ? "healthy"
    : "zombie";
}

/** Seconds since the epoch at which `session` was created; 0 when unknown. */
export function sessionCreated(snap: TownSnapshot, session: string): number {
  const panes = snap.sessions?.get(session) ?? [];
  return panes.reduce((m, p) => Math.max(m, p.created ?? 0), 0);
}

/**
 * The agent command `agent` needs when it could not be found, else null
 * (a rig without its own setting uses the town's).
 */
export function missingAgentCommand(
  snap: TownSnapshot,
  agent: string,
): string | null {
  const slash = agent.indexOf("/");
  return missingRigCommand(snap, slash < 0 ? "" : agent.slice(0, slash));
}

/** The missing agent command of `rig` ("" for town-level agents), or null. */
export function missingRigCommand(
  snap: TownSnapshot,
  rig: string,
): string | null {
  const key = rig !== "" && snap.rigAgentArgv.has(rig) ? rig : "";
  return snap.missingAgentCommands.get(key) ?? null;
}

/**
 * A start action for `spec`, unless its agent command is missing or restart
 * backoff holds it back (then a once-logged note instead).
 */
export function startOrBackoff(
  ctx: DecideContext,
  spec: SessionSpec,
  action: Omit<Extract<Action, { kind: "startSession" }>, "kind" | "spec">,
): Action[] {
  const missing = ctx.missingAgentCommand?.(spec.agent) ?? null;
  if (missing !== null) {
    return [{
      kind: "log",
      message:
        `Not starting ${spec.agent}: agent command "${missing}" not found`,
      dedupeKey: `agent-command:${spec.agent}`,
    }];
  }
  const verdict = ctx.backoff(spec.agent);
  if (!verdict.allowed) {
    return [{
      kind: "log",
      message:
        `Not restarting ${spec.agent} yet: backing off ${
          goDuration(Math.ceil(verdict.waitMs / 1000) * 1000)
        } after ${verdict.restarts} restart(s)` +
        (verdict.crashLoop ? " (crash loop)" : ""),
      dedupeKey: `backoff:${spec.agent}:${verdict.restarts}`,
    }];
  }
  const start: Action = { kind: "startSession", spec, ...action };
  if (verdict.resetAfterMs === undefined) return [start];
  return [{
    kind: "log",
    message: `${spec.agent} ran ${
      goDuration(Math.floor(verdict.resetAfterMs / 1000) * 1000)
    } before it died; restart backoff reset`,
  }, start];
}
