/**
 * Lifecycle requests in the deacon inbox (`LIFECYCLE: …` mail), decided in
 * full: which request runs, which are deleted (stale, superseded, over the
 * pass's budget), and for the one that runs, the session spec to start
 * (with the role bead's config, read by observe), or why it is refused and
 * where the refusal is mailed. `act` only claims the message and carries
 * the action out.
 *
 * @module
 */

import { goDuration, goMinutes, parseRfc3339 } from "../../gotime.ts";
import { MemoryLog } from "../../log.ts";
import { parseIdentity } from "../../town/identity.ts";
import {
  type AgentIdentity,
  mailAddressOf,
  sessionOf,
} from "../../town/names.ts";
import { polecatSessionConflict } from "../../town/session_claims.ts";
import type { DecideContext } from "../engine.ts";
import { parseLifecycleRequest } from "../lifecycle_parse.ts";
import { lifecycleDoneKey } from "../notify_slots.ts";
import { lifecycleSpec } from "../specs.ts";
import type { Action, SessionSpec, TownSnapshot } from "../types.ts";
import { missingRigCommand, sessionState } from "./sessions.ts";

/** Lifecycle requests older than this are deleted unexecuted. */
export const MAX_LIFECYCLE_AGE_MS = 6 * 3_600_000;
/** Most superseded or stale lifecycle messages deleted in one pass. */
export const MAX_DELETES_PER_PASS = 50;

const ADDRESS_RE =
  /^[A-Za-z0-9][A-Za-z0-9_-]*(\/[A-Za-z0-9][A-Za-z0-9_-]*)*\/?$/;
const SESSION_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** What a lifecycle action carries out, resolved from the snapshot. */
export type LifecyclePlan =
  | { refused: string; replyTo: string | null }
  | {
    replyTo: string;
    spec: SessionSpec;
    warnings: string[];
  };

/**
 * Resolves a request from `from`: the spec to (re)start, with the role
 * config's warnings, or why it is refused; and the address a failure is
 * mailed to (null when the sender is not a mail address).
 */
export function resolveLifecycle(
  snap: TownSnapshot,
  from: string,
  refusal: string | null,
): LifecyclePlan {
  const who = parseIdentity(from);
  if (who === null) {
    return {
      refused: `unknown agent identity: ${from}`,
      replyTo: ADDRESS_RE.test(from) && !from.includes("..") ? from : null,
    };
  }
  const replyTo = mailAddressOf(who);
  if (refusal !== null) return { refused: refusal, replyTo };
  const agentArgv = (who.rig ? snap.rigAgentArgv.get(who.rig) : undefined) ??
    snap.agentArgv;
  const { spec, ignored } = lifecycleSpec(
    { town: snap.town, agentArgv },
    who,
    snap.roleConfigs.get(who.roleType) ?? null,
  );
  if (!SESSION_RE.test(spec.session)) {
    return {
      refused: `invalid session name ${
        JSON.stringify(spec.session)
      } from the role config`,
      replyTo,
    };
  }
  const warnings = ignored.map((line) =>
    `Warning: role bead gt-${who.roleType}-role: ${line}`
  );
  return { replyTo, spec, warnings };
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
      ...resolveLifecycle(snap, msg.from, refused),
    };
    if (own) action.doneKey = lifecycleDoneKey(key);
    // A restart that could not start the agent again leaves it alone.
    const missing = who !== null && req.action !== "shutdown" &&
        !snap.roleConfigs.get(who.roleType)?.startCommand
      ? missingRigCommand(snap, who.rig)
      : null;
    if (missing !== null && action.spec !== undefined) {
      action.refused =
        `agent command "${missing}" not found; session ${action.spec.session} left as it is`;
      delete action.spec;
    }
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
