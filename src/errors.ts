/**
 * Error types shared by the CLI and the daemon. Every error that can reach
 * `main.ts` is an {@link AppError} whose `exitCode` decides the process exit
 * status.
 *
 * @module
 */

/** Base class of every error the program reports to the operator. */
export class AppError extends Error {
  /** Process exit status to use when this error ends the program. */
  readonly exitCode: number = 1;
  /** Creates an error with a message and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line usage (exit 2). */
export class UsageError extends AppError {
  override readonly exitCode: number = 2;
}

/** A program the daemon needs could not be found (exit 127). */
export class CommandNotFoundError extends AppError {
  override readonly exitCode: number = 127;
}

/** A subprocess ran longer than its timeout and was killed (exit 124). */
export class CommandTimeoutError extends AppError {
  override readonly exitCode: number = 124;
}

/** A subprocess exited with a non-zero status (exit 1). */
export class CommandFailedError extends AppError {
  override readonly exitCode: number = 1;
}

/** A subprocess was aborted because the daemon is shutting down. */
export class CommandAbortedError extends AppError {
  override readonly exitCode: number = 130;
}

/** Returns the message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Returns the message of an error followed by its cause chain, one per line. */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  const seen = new Set<unknown>();
  while (cur !== undefined && cur !== null && !seen.has(cur)) {
    seen.add(cur);
    out.push(errorMessage(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}
