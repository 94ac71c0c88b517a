/**
 * The errors of the `bd` adapter, and how `bd` stderr is classified into
 * them (see the CLI contract in `beads.ts`).
 *
 * @module
 */

import { AppError, CommandNotFoundError } from "../errors.ts";
import { isBeadId } from "./bead_json.ts";
import { ExternalCommandError, formatArgv } from "./cli_output.ts";
import type { RunResult } from "./process.ts";

/** `bd` is not installed (not found on PATH). */
export class BeadsNotInstalledError extends CommandNotFoundError {}
/** `bd` says the directory is not a beads repository. */
export class BeadsNotARepoError extends AppError {}
/** `bd` reports a sync conflict. */
export class BeadsSyncConflictError extends AppError {}
/** The bead or message does not exist. */
export class BeadNotFoundError extends AppError {}
/** A role bead id names a bead of another type. */
export class NotRoleBeadError extends AppError {}
/** An id or name that must not be passed to `bd`. */
export class InvalidBeadIdError extends AppError {}

/** Throws InvalidBeadIdError unless `id` looks like a bead id. */
export function checkId(id: string): void {
  if (!isBeadId(id)) {
    throw new InvalidBeadIdError(`Invalid bead id: ${JSON.stringify(id)}`);
  }
}

/** True when `bd` stderr says the bead or message does not exist. */
export function missing(stderr: string): boolean {
  return stderr.includes("not found") || stderr.includes("no issue found");
}

/** True when `bd` stderr says the directory is not a beads repository. */
export function notARepo(stderr: string): boolean {
  return stderr.includes("not a beads repository") ||
    stderr.includes("No .beads directory") ||
    stderr.includes("no beads database found") ||
    (stderr.includes(".beads") && stderr.includes("not found"));
}

/**
 * The error of a failed `bd show` (classified from stderr as the module doc
 * of `beads.ts` lists), or null when bd says the bead does not exist.
 */
export function showFailure(
  argv: readonly string[],
  res: RunResult,
): AppError | null {
  if (notARepo(res.stderr)) {
    return new BeadsNotARepoError(
      `Not a beads repository: ${formatArgv(argv)}: ${res.stderr.trim()}`,
    );
  }
  if (res.stderr.includes("sync conflict") || res.stderr.includes("CONFLICT")) {
    return new BeadsSyncConflictError(
      `Beads sync conflict: ${formatArgv(argv)}: ${res.stderr.trim()}`,
    );
  }
  if (missing(res.stderr)) return null;
  return new ExternalCommandError(argv, res);
}
