/**
 * The heartbeat engine: observe the town once, run each check (a pure
 * decide function) in the reference order, and act on what they decide. A
 * check that throws is logged and the next one still runs.
 *
 * @module
 */

import { errorMessage } from "../errors.ts";
import type { Log } from "../log.ts";
import type { BackoffVerdict } from "./backoff.ts";
import type { Action, TownSnapshot } from "./types.ts";

/** What a check may consult besides the snapshot. */
export interface DecideContext {
  now: Date;
  /** Whether an agent may be restarted now (restart backoff). */
  backoff(agent: string): BackoffVerdict;
  /**
   * The agent command of `agent` when it cannot be found (the agent is then
   * not started), else null.
   */
  missingAgentCommand?(agent: string): string | null;
  /** When the daemon last restarted `agent` (ms since the epoch), or null. */
  lastRestart(agent: string): number | null;
  /** When a lifecycle request for `session` was last carried out (ms), or null. */
  lifecycleDoneAt(session: string): number | null;
}

/** One heartbeat step. */
export interface Check {
  /** Name used in logs and `--dry-run`. */
  name: string;
  /** Decides from the snapshot; must not perform I/O. */
  decide(snapshot: TownSnapshot, ctx: DecideContext): Action[];
}

/** Runs every check against one snapshot and collects their actions in order. */
export function decideAll(
  checks: readonly Check[],
  snapshot: TownSnapshot,
  ctx: DecideContext,
  log: Log,
): { check: string; actions: Action[] }[] {
  const out: { check: string; actions: Action[] }[] = [];
  for (const check of checks) {
    try {
      out.push({ check: check.name, actions: check.decide(snapshot, ctx) });
    } catch (err) {
      log.log(`Error: check ${check.name} failed: ${errorMessage(err)}`);
    }
  }
  return out;
}
