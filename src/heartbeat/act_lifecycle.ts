/**
 * Carrying out a lifecycle request that decide resolved: claim (delete) the
 * message first, then stop or restart the agent's session, or reply to the
 * sender why it could not be done.
 *
 * @module
 */

import { CommandAbortedError, errorMessage } from "../errors.ts";
import { type ActPorts, sendMail } from "./act_ports.ts";
import { startSession } from "./act_session.ts";
import type { Action, SessionSpec } from "./types.ts";

/** Runs one lifecycle action; started sessions are added to `started`. */
export async function carryOutLifecycle(
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
    await sendMail(ports, {
      to: replyTo,
      subject: `LIFECYCLE_FAILED: ${action.action} request ${action.messageId}`,
      body:
        `Your lifecycle request (${action.action}) could not be carried out.\n\nreason: ${reason}\n\nThe request was removed from the deacon inbox.`,
      okLog:
        `Replied to ${replyTo}: lifecycle request ${action.messageId} failed`,
      errLog: `Warning: failed to reply to ${replyTo}: {err}`,
    });
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
