/**
 * Errors of the tmux adapter and their classification from tmux's stderr
 * (platform §2.2). The texts are the reference's, since they end up in the
 * daemon log: `no tmux server running`, `session already exists`,
 * `session not found`, `tmux <subcommand>: <stderr>`.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** Options of a {@link TmuxError}. */
export interface TmuxErrorOptions extends ErrorOptions {
  /** The tmux subcommand that failed (`has-session`, …). */
  subcommand?: string;
  /** tmux's trimmed stderr. */
  stderr?: string;
}

/** A tmux call failed; the generic kind. */
export class TmuxError extends AppError {
  /** The tmux subcommand that failed; "" when not a single call. */
  readonly subcommand: string;
  /** tmux's trimmed stderr; "" when there was none. */
  readonly stderr: string;
  /** Creates an error with the message shown in the log. */
  constructor(message: string, options: TmuxErrorOptions = {}) {
    super(message, options);
    this.subcommand = options.subcommand ?? "";
    this.stderr = options.stderr ?? "";
  }
}

/** No tmux server is running (or its socket is stale). */
export class TmuxNoServerError extends TmuxError {}

/** `new-session` found the name taken. */
export class TmuxSessionExistsError extends TmuxError {}

/** The target session does not exist. */
export class TmuxSessionNotFoundError extends TmuxError {}

/** A wait (for a command, an agent, a prompt) reached its deadline. */
export class TmuxWaitTimeoutError extends TmuxError {}

/**
 * Classifies a failed tmux call from its stderr, checked in this order
 * (case-sensitive substrings): `no server running` or `error connecting to`
 * → no server; `duplicate session` → exists; `session not found` or
 * `can't find session` → not found; any other stderr → `tmux <sub>:
 * <stderr>`; no stderr → `tmux <sub>: <detail>` (`exit status N`, or the
 * reason the program could not run).
 */
export function classifyTmuxError(
  subcommand: string,
  stderr: string,
  extra: { detail?: string; cause?: unknown } = {},
): TmuxError {
  const err = stderr.trim();
  const options: TmuxErrorOptions = { subcommand, stderr: err };
  if (extra.cause !== undefined) options.cause = extra.cause;
  if (
    err.includes("no server running") || err.includes("error connecting to")
  ) {
    return new TmuxNoServerError("no tmux server running", options);
  }
  if (err.includes("duplicate session")) {
    return new TmuxSessionExistsError("session already exists", options);
  }
  if (err.includes("session not found") || err.includes("can't find session")) {
    return new TmuxSessionNotFoundError("session not found", options);
  }
  if (err !== "") return new TmuxError(`tmux ${subcommand}: ${err}`, options);
  return new TmuxError(`tmux ${subcommand}: ${extra.detail ?? ""}`, options);
}

/** True for the errors that mean "the session is not there". */
export function isSessionGone(err: unknown): boolean {
  return err instanceof TmuxSessionNotFoundError ||
    err instanceof TmuxNoServerError;
}
