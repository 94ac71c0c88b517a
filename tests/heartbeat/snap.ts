/**
 * Builders for decide-function tests: a snapshot from a few facts, a
 * context with a fixed clock, and a compact view of the actions.
 *
 * @module
 */

import { parseAgentFields } from "../../src/town/bead_text.ts";
import type { DecideContext } from "../../src/heartbeat/engine.ts";
import type {
  Action,
  AgentBead,
  MailMessage,
  PaneInfo,
  TownSnapshot,
} from "../../src/heartbeat/types.ts";

/** The fixed "now" of decide tests. */
export const NOW = new Date("2026-01-04T20:00:00Z");
export const MIN = 60_000;

/** An agent bead; `state` fills the description, `column` the column. */
export function agent(
  id: string,
  o: {
    state?: string;
    column?: string;
    hook?: string;
    agoMs?: number;
    updatedAt?: string;
  } = {},
): AgentBead {
  const description = `${id}\n\nrole_type: x\nrig: null\nagent_state: ${
    o.state ?? ""
  }\nhook_bead: null`;
  const updated = new Date(NOW.getTime() - (o.agoMs ?? 0));
  const updatedAt = o.updatedAt ?? updated.toISOString();
  return {
    id,
    issueType: "agent",
    title: id,
    description,
    fields: parseAgentFields(description),
    hookBead: o.hook ?? "",
    agentState: o.column ?? o.state ?? "",
    updatedAt,
    updated: o.updatedAt === undefined ? updated : null,
  };
}

/** A session: healthy (agent running), zombie (shell), or dead pane. */
export function session(
  name: string,
  kind: "healthy" | "zombie" | "dead",
  createdAgoMs = 60 * MIN,
): [string, PaneInfo[]] {
  return [name, [{
    session: name,
    paneId: "%1",
    pid: 1,
    command: kind === "healthy" ? "claude" : "bash",
    dead: kind === "dead",
    created: Math.floor((NOW.getTime() - createdAgoMs) / 1000),
  }]];
}

/** A snapshot with sensible empty defaults. */
export function snap(o: Partial<TownSnapshot> & {
  beadList?: AgentBead[];
  sessionList?: [string, PaneInfo[]][];
  mailList?: MailMessage[];
} = {}): TownSnapshot {
  const { beadList, sessionList, mailList, ...rest } = o;
  return {
    town: "/t",
    now: NOW,
    rigs: [],
    rigProblems: [],
    beads: new Map((beadList ?? []).map((b) => [b.id, b])),
    beadsError: null,
    sessions: new Map(sessionList ?? []),
    tmuxError: null,
    tmuxAvailable: true,
    degraded: false,
    deaconHeartbeat: null,
    bootMarkerMtimeMs: null,
    polecats: new Map(),
    mail: mailList ?? [],
    mailError: null,
    pending: [],
    pendingError: null,
    agentArgv: ["/bin/claude", "--dangerously-skip-permissions"],
    rigAgentArgv: new Map(),
    missingAgentCommands: new Map(),
    rigPrefixes: new Map(),
    refineryWorktrees: new Set(rest.rigs ?? []),
    roleConfigs: new Map(),
    spawnScreens: new Map(),
    problems: [],
    ...rest,
  };
}

/** A decide context at {@link NOW}; backoff allows everything unless told. */
export function ctx(o: Partial<DecideContext> = {}): DecideContext {
  return {
    now: NOW,
    backoff: () => ({ allowed: true }),
    lastRestart: () => null,
    lifecycleDoneAt: () => null,
    ...o,
  };
}

/** The non-log actions as short strings, e.g. `start gt-x`, `restart gt-x`. */
export function plan(actions: Action[]): string[] {
  return actions.flatMap((a) => {
    switch (a.kind) {
      case "log":
        return [];
      case "startSession":
        return [`${a.killFirst ? "restart" : "start"} ${a.spec.session}`];
      case "nudge":
        return [`nudge ${a.session}`];
      case "sendMail":
        return [`mail ${a.to}: ${a.subject}`];
      case "markDead":
        return [`dead ${a.beadId}`];
      case "deleteMail":
        return [`delete ${a.messageId}`];
      case "lifecycle":
        return [`${a.action} ${a.from}`];
      case "bootStatus":
        return [`boot-status ${a.status.last_action}`];
      case "pendingSpawns":
        return [`pending ${a.entries.length}`];
      case "killSession":
        return [`kill ${a.session}`];
    }
  });
}

/** The log lines the actions carry (log actions and start announcements). */
export function logs(actions: Action[]): string[] {
  return actions.flatMap((a) =>
    a.kind === "log"
      ? [a.message]
      : a.kind === "startSession" && a.startLog
      ? [a.startLog]
      : a.kind === "deleteMail" && a.log
      ? [a.log]
      : []
  );
}

/** A deacon-inbox message. */
export function mail(
  id: string,
  from: string,
  o: Partial<MailMessage> & { agoMs?: number } = {},
): MailMessage {
  const { agoMs, ...rest } = o;
  return {
    id,
    from,
    to: "deacon/",
    subject: "LIFECYCLE: requesting action",
    body: '{"action": "cycle"}',
    timestamp: new Date(NOW.getTime() - (agoMs ?? 0)).toISOString(),
    read: false,
    priority: "normal",
    type: "notification",
    ...rest,
  };
}
