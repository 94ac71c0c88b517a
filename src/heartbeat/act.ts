/**
 * Carrying out the actions the checks decided, in order, logging each. An
 * action that fails is logged and the next one still runs; nothing here
 * throws out of a heartbeat. Destructive actions re-check the one fact they
 * depend on first, since the snapshot may be stale by then.
 *
 * @module
 */

import { CommandAbortedError, errorMessage } from "../errors.ts";
import { type ActPorts, claimNotice, sendMail, withErr } from "./act_ports.ts";
import { carryOutLifecycle } from "./act_lifecycle.ts";
import { pendingSpawns, writeBootStatus } from "./act_files.ts";
import { settleAgent, startSession } from "./act_session.ts";
import { isOwnSession } from "./decide/sessions.ts";
import { startFailedKey } from "./notify_slots.ts";
import type { Action, SessionSpec } from "./types.ts";

const DELETE_CONCURRENCY = 8;

/** Runs `actions`; resolves when they and the agents they started have settled. */
export async function act(
  ports: ActPorts,
  actions: readonly Action[],
): Promise<void> {
  const started: SessionSpec[] = [];
  const touched = new Set<string>();
  const failed = new Map<string, string>();
  const runOne = async (action: Action) => {
    try {
      await actOne(ports, action, { started, touched, failed });
    } catch (err) {
      if (err instanceof CommandAbortedError || ports.signal?.aborted) return;
      ports.log.log(`Error: ${action.kind} failed: ${errorMessage(err)}`);
    }
  };
  for (let i = 0; i < actions.length;) {
    if (ports.signal?.aborted) return;
    // Deletions of superseded mail do not depend on each other: run a few
    // at a time, their log lines first and in order.
    let n = 0;
    while (n < DELETE_CONCURRENCY && actions[i + n]?.kind === "deleteMail") {
      n++;
    }
    if (n === 0) {
      await runOne(actions[i]!);
      i++;
      continue;
    }
    const chunk = actions.slice(i, i + n);
    for (const a of chunk) {
      if (a.kind === "deleteMail" && a.log) ports.log.log(a.log);
    }
    await Promise.all(chunk.map(runOne));
    i += n;
  }
  await Promise.all(started.map((spec) => settleAgent(ports, spec)));
}

/** What one pass has done so far. */
interface PassRecord {
  /** Sessions started (to settle afterwards). */
  started: SessionSpec[];
  /** Sessions a start or nudge already dealt with. */
  touched: Set<string>;
  /** Why the start of an agent failed, by agent. */
  failed: Map<string, string>;
}

async function actOne(
  ports: ActPorts,
  action: Action,
  { started, touched, failed }: PassRecord,
): Promise<void> {
  switch (action.kind) {
    case "log":
      if (claimNotice(ports, action.dedupeKey)) ports.log.log(action.message);
      return;
    case "startSession": {
      // Two checks may want the same session in one pass; the first wins.
      if (touched.has(action.spec.session)) return;
      touched.add(action.spec.session);
      if (action.startLog) ports.log.log(action.startLog);
      try {
        const opts: { killFirst: boolean; killWaitMs?: number } = {
          killFirst: action.killFirst,
        };
        if (action.killWaitMs !== undefined) {
          opts.killWaitMs = action.killWaitMs;
        }
        const outcome = await startSession(ports, action.spec, opts);
        if (outcome === "already-running") {
          ports.log.log(
            `Session ${action.spec.session} is running again; not restarting it`,
          );
          return;
        }
        started.push(action.spec);
        ports.log.log(action.okLog);
      } catch (err) {
        if (err instanceof CommandAbortedError) throw err;
        const text = errorMessage(err);
        failed.set(action.spec.agent, text);
        ports.log.log(withErr(action.errLog, text));
        if (
          action.failureMail &&
          claimNotice(ports, startFailedKey(action.spec.agent))
        ) {
          const m = action.failureMail;
          await sendMail(ports, {
            to: m.to,
            subject: m.subject,
            body: withErr(m.body, text),
            errLog:
              "Warning: failed to notify witness of crashed polecat: {err}",
          });
        }
      }
      return;
    }
    case "killSession": {
      try {
        await ports.tmux.killOwnSession(action.session);
        if (action.okLog) ports.log.log(action.okLog);
      } catch (err) {
        ports.log.log(
          withErr(
            action.errLog ?? "Error killing session: {err}",
            errorMessage(err),
          ),
        );
      }
      return;
    }
    case "nudge": {
      if (touched.has(action.session)) return;
      if (!claimNotice(ports, action.dedupeKey)) return;
      try {
        // Typed only into this town's session, whoever holds the name now.
        const panes = await ports.tmux.panes(action.session);
        if (!isOwnSession(panes)) {
          ports.log.log(
            `Not nudging ${action.session}: the session is not this town's`,
          );
          return;
        }
        await ports.tmux.nudge(action.session, action.text);
      } catch (err) {
        ports.log.log(
          withErr(
            action.errLog ?? "Error nudging session: {err}",
            errorMessage(err),
          ),
        );
      }
      return;
    }
    case "sendMail":
      if (!claimNotice(ports, action.dedupeKey)) return;
      if (
        !(await sendMail(ports, {
          to: action.to,
          subject: action.subject,
          body: action.body,
          okLog: action.okLog,
          errLog: action.errLog,
        }))
      ) {
        if (action.dedupeKey) ports.notices.clear(action.dedupeKey);
      }
      return;
    case "markDead": {
      // Re-check: an agent whose session came back since the snapshot is not dead.
      const live = await agentAlive(ports, action.session);
      if (live) {
        ports.log.log(
          `Not marking ${action.beadId} dead: its session is running again`,
        );
        return;
      }
      try {
        await ports.beads.updateDescription(
          action.beadId,
          action.description,
          action.db,
        );
        if (action.okLog) ports.log.log(action.okLog);
      } catch (err) {
        ports.log.log(
          withErr(
            action.errLog ?? "Warning: failed to mark agent dead: {err}",
            errorMessage(err),
          ),
        );
      }
      return;
    }
    case "deleteMail":
      try {
        await ports.mail.delete(action.messageId);
        ports.log.log(
          action.okLog ?? `Deleted lifecycle message: ${action.messageId}`,
        );
      } catch (err) {
        ports.log.log(
          withErr(
            action.errLog ?? "Warning: failed to delete message: {err}",
            errorMessage(err),
          ),
        );
      }
      return;
    case "lifecycle":
      await carryOutLifecycle(ports, action, started, touched);
      return;
    case "bootStatus": {
      const error = action.startOf ? failed.get(action.startOf) : undefined;
      await writeBootStatus(
        ports,
        error === undefined
          ? action.status
          : { ...action.status, last_action: "error", error },
      );
      return;
    }
    case "pendingSpawns":
      await pendingSpawns(ports, action);
      return;
  }
}

async function agentAlive(ports: ActPorts, session: string): Promise<boolean> {
  try {
    const panes = await ports.tmux.panes(session);
    return panes.some((p) => !p.dead && ports.isAgent(p.command));
  } catch {
    return false;
  }
}
