/**
 * The ports `act` works through, and the small helpers every action shares
 * (error text substitution, de-duplication).
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { Beads } from "../adapters/beads.ts";
import type { Fs } from "../adapters/fs.ts";
import type { Mail } from "../adapters/mail.ts";
import type { Runner } from "../adapters/process.ts";
import type { Tmux } from "../adapters/tmux.ts";
import type { Log } from "../log.ts";
import type { BackoffBook } from "./backoff.ts";
import type { NoticeBook } from "../heartbeat/notify_slots.ts";

/** The tmux operations actions use. */
export type ActTmux = Pick<
  Tmux,
  | "panes"
  | "hasSession"
  | "killOwnSession"
  | "newSession"
  | "replaceOwnSession"
  | "configureSessionAtOnce"
  | "capturePane"
  | "nudge"
  | "waitForAgent"
  | "acceptBypassPermissions"
>;

/** The `bd` operations actions use. */
export type ActBeads = Pick<
  Beads,
  "updateDescription" | "getRoleConfig" | "closeMessage"
>;

/** The `gt mail` operations actions use. */
export type ActMail = Pick<Mail, "delete" | "send">;

/** Everything actions need. */
export interface ActPorts {
  town: string;
  tmux: ActTmux;
  beads: ActBeads;
  mail: ActMail;
  fs: Fs;
  /** Runs `git` and `bd sync` for pre-sync. */
  runner: Runner;
  log: Log;
  sleep(ms: number): Promise<void>;
  now(): Date;
  backoff: BackoffBook;
  notices: NoticeBook;
  /** True when a pane command is the agent. */
  isAgent(command: string): boolean;
  /** Directory for wake-up files (tmux hooks write here). */
  eventsDir: string;
  /** The town's global `session-closed` hook, set with every new session. */
  sessionClosedHook?: { index: number; command: string };
  /** Upper bound for waiting on a started agent (and its dialog). */
  agentWaitMs: number;
  /** Aborts in-flight work on shutdown. */
  signal?: AbortSignal;
  /**
   * Takes over work that must not hold up the pass: dismissing a started
   * agent's dialog, which can take seconds. Without it the pass waits.
   */
  background?: (task: Promise<void>) => void;
}

/** Replaces `{err}` in a log or mail template. */
export function withErr(template: string, err: string): string {
  return template.split("{err}").join(err);
}

/** True (and recorded) when a de-duplicated notice may go out now. */
export function claimNotice(ports: ActPorts, key: string | undefined): boolean {
  if (key === undefined) return true;
  const now = ports.now();
  if (!ports.notices.shouldSend(key, now)) return false;
  ports.notices.recordSend(key, now);
  return true;
}

/** A mail to send, with its log lines (`{err}` in `errLog` is the error). */
export interface OutgoingMail {
  to: string;
  subject: string;
  body: string;
  okLog?: string | undefined;
  errLog?: string | undefined;
}

/** Sends a mail and logs the outcome; false when it failed. */
export async function sendMail(
  ports: Pick<ActPorts, "mail" | "log">,
  mail: OutgoingMail,
): Promise<boolean> {
  try {
    await ports.mail.send(mail.to, mail.subject, mail.body);
    if (mail.okLog) ports.log.log(mail.okLog);
    return true;
  } catch (err) {
    ports.log.log(
      withErr(
        mail.errLog ?? `Warning: failed to send mail to ${mail.to}: {err}`,
        errorMessage(err),
      ),
    );
    return false;
  }
}
