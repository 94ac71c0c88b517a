/**
 * Reading agent liveness out of a snapshot: is an agent's session missing,
 * healthy (an agent process in a live pane), or a zombie (the session exists
 * but no agent runs in it)?
 *
 * @module
 */

import { goDuration } from "../../gotime.ts";
import { isAgentCommand } from "../../town/startup.ts";
import type { DecideContext } from "../engine.ts";
import type { Action, SessionSpec, TownSnapshot } from "../types.ts";

/** The liveness of one session. */
export type SessionState = "missing" | "healthy" | "zombie" | "unknown";

/** Classifies `session` from the snapshot ("unknown" when tmux was unreadable). */
export function sessionState(
  snap: TownSnapshot,
  session: string,
): SessionState {
  if (snap.sessions === null) return "unknown";
  const panes = snap.sessions.get(session);
  if (!panes || panes.length === 0) return "missing";
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
 * A start action for `spec`, unless restart backoff holds it back (then a
 * once-logged note instead).
 */
export function startOrBackoff(
  ctx: DecideContext,
  spec: SessionSpec,
  action: Omit<Extract<Action, { kind: "startSession" }>, "kind" | "spec">,
): Action[] {
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
