/**
 * Carrying out the actions the checks decided, in order, logging each. An
 * action that fails is logged and the next one still runs; nothing here
 * throws out of a heartbeat. Destructive actions re-check the one fact they
 * depend on first, since the snapshot may be stale by then.
 *
 * @module
 */

import { CommandAbortedError, errorMessage } from "../errors.ts";
import { goJson } from "../gotime.ts";
import { townPaths } from "../town/paths.ts";
import { formatPending, prunePending } from "../town/pending.ts";
import { type ActPorts, claimNotice, withErr } from "./act_ports.ts";
import { settleAgent, startSession } from "./act_session.ts";
import { isOwnSession } from "./decide/sessions.ts";
import { isSessionGone } from "../adapters/tmux.ts";
import { startFailedKey } from "./notify_slots.ts";
import { PENDING_MAX_AGE_MS } from "./decide/recovery.ts";
import type { Action, BootStatus, PendingSpawn, SessionSpec } from "./types.ts";

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
          await sendMail(
            ports,
            m.to,
            m.subject,
            withErr(m.body, text),
            undefined,
            "Warning: failed to notify witness of crashed polecat: {err}",
          );
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
        !(await sendMail(
          ports,
          action.to,
          action.subject,
          action.body,
          action.okLog,
          action.errLog,
        ))
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
      await lifecycle(ports, action, started, touched);
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

async function sendMail(
  ports: ActPorts,
  to: string,
  subject: string,
  body: string,
  okLog: string | undefined,
  errLog: string | undefined,
): Promise<boolean> {
  try {
    await ports.mail.send(to, subject, body);
    if (okLog) ports.log.log(okLog);
    return true;
  } catch (err) {
    ports.log.log(
      withErr(
        errLog ?? `Warning: failed to send mail to ${to}: {err}`,
        errorMessage(err),
      ),
    );
    return false;
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

async function lifecycle(
  ports: ActPorts,
  action: Extract<Action, { kind: "lifecycle" }>,
  started: SessionSpec[],
  touched: Set<string>,
): Promise<void> {
  const fail = async (reason: string) => {
    ports.log.log(`Error executing lifecycle action: ${reason}`);
    const replyTo = action.replyTo;
    if (replyTo === null) {
      ports.log.log(
        `Not replying to ${JSON.stringify(action.from)}: not a mail address`,
      );
      return;
    }
    await sendMail(
      ports,
      replyTo,
      `LIFECYCLE_FAILED: ${action.action} request ${action.messageId}`,
      `Your lifecycle request (${action.action}) could not be carried out.\n\nreason: ${reason}\n\nThe request was removed from the deacon inbox.`,
      `Replied to ${replyTo}: lifecycle request ${action.messageId} failed`,
      `Warning: failed to reply to ${replyTo}: {err}`,
    );
  };
  try {
    await ports.mail.delete(action.messageId);
    ports.log.log(`Deleted lifecycle message: ${action.messageId}`);
  } catch (err) {
    ports.log.log(
      `Warning: failed to delete message ${action.messageId} before execution: ${
        errorMessage(err)
      }`,
    );
  }
  const spec = action.spec;
  if (action.refused !== undefined || spec === undefined) {
    await fail(action.refused ?? "no session to act on");
    return;
  }
  for (const line of action.warnings ?? []) ports.log.log(line);
  ports.log.log(`Executing ${action.action} for session ${spec.session}`);
  if (action.doneKey) ports.notices.recordSend(action.doneKey, ports.now());
  touched.add(spec.session);
  try {
    // Killed only if it is (still) this town's: tmux checks the tag in the
    // same call.
    const killed = await ports.tmux.killOwnSession(spec.session);
    if (!killed && await ports.tmux.hasSession(spec.session)) {
      throw new Error(`session ${spec.session} is not this town's`);
    }
    if (action.action === "shutdown") {
      if (killed) ports.log.log(`Killed session ${spec.session}`);
      return;
    }
    if (killed) {
      ports.log.log(`Killed session ${spec.session} for restart`);
      await ports.sleep(500);
    }
    await startSession(ports, spec, { killFirst: false });
    started.push(spec);
    ports.log.log(`Restarted session ${spec.session}`);
  } catch (err) {
    if (err instanceof CommandAbortedError) throw err;
    await fail(
      `${action.action === "shutdown" ? "killing" : "restarting"} session: ${
        errorMessage(err)
      }`,
    );
  }
}

async function writeBootStatus(
  ports: ActPorts,
  status: BootStatus,
): Promise<void> {
  const paths = townPaths(ports.town);
  const out: Record<string, unknown> = {
    running: status.running,
    started_at: status.started_at,
    completed_at: status.completed_at,
  };
  if (status.last_action) out.last_action = status.last_action;
  if (status.target) out.target = status.target;
  if (status.error) out.error = status.error;
  try {
    await ports.fs.mkdirp(paths.bootDir, 0o755);
    await ports.fs.writeAtomic(paths.bootStatus, goJson(out), 0o644);
  } catch (err) {
    ports.log.log(`Warning: failed to save Boot status: ${errorMessage(err)}`);
  }
}

async function pendingSpawns(
  ports: ActPorts,
  action: Extract<Action, { kind: "pendingSpawns" }>,
): Promise<void> {
  const { closeMessageIds: closeIds, entries, sessions } = action;
  const paths = townPaths(ports.town);
  ports.log.log(
    `Found ${entries.length} pending spawn(s), attempting to trigger...`,
  );
  const kept: PendingSpawn[] = [];
  let triggered = 0;
  for (const e of entries) {
    switch (sessions[e.session] ?? "unreadable") {
      case "gone":
        ports.log.log(
          `Error triggering ${e.session}: session no longer exists`,
        );
        continue;
      case "unreadable":
        ports.log.log(`Error triggering ${e.session}: tmux could not be read`);
        kept.push(e);
        continue;
      case "waiting":
        kept.push(e);
        continue;
      case "ready":
        break;
    }
    try {
      // Re-checked before typing: the session may have gone or changed
      // hands since it was observed.
      const panes = await ports.tmux.panes(e.session).catch((err) => {
        if (isSessionGone(err)) return null;
        throw err;
      });
      if (panes === null) {
        ports.log.log(
          `Error triggering ${e.session}: session no longer exists`,
        );
        continue;
      }
      if (!isOwnSession(panes)) {
        ports.log.log(
          `Error triggering ${e.session}: the session is not this town's; dropping it`,
        );
        continue;
      }
      await ports.tmux.nudge(e.session, "Begin.");
      triggered++;
      ports.log.log(`Triggered polecat: ${e.rig}/${e.polecat}`);
    } catch (err) {
      if (err instanceof CommandAbortedError) throw err;
      ports.log.log(`Error triggering ${e.session}: ${errorMessage(err)}`);
      kept.push(e);
    }
  }
  if (triggered > 0) {
    ports.log.log(`Triggered ${triggered}/${entries.length} pending spawn(s)`);
  }
  const { kept: fresh, pruned } = prunePending(
    kept,
    ports.now(),
    PENDING_MAX_AGE_MS,
  );
  if (pruned > 0) ports.log.log(`Pruned ${pruned} stale pending spawn(s)`);
  try {
    await ports.fs.mkdirp(`${ports.town}/spawn`, 0o755);
    await ports.fs.writeAtomic(paths.pending, formatPending(fresh), 0o644);
  } catch (err) {
    ports.log.log(
      `Error triggering spawns: saving remaining: ${errorMessage(err)}`,
    );
    return;
  }
  // Recorded first, then marked read: a crash in between re-reads the mail
  // and the mail_id check keeps it from being recorded twice.
  for (const id of closeIds) {
    await ports.beads.closeMessage(id).catch((err) =>
      ports.log.log(
        `Warning: failed to mark spawn message ${id} read: ${
          errorMessage(err)
        }`,
      )
    );
  }
}
