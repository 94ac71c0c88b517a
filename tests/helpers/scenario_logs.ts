/**
 * Log lines of recovery scenarios that are run both in-process (whole
 * ticks on fakes) and end to end (the daemon on real tmux and the
 * stand-ins): both must log the same lines, so they are written once here.
 *
 * @module
 */

import { assertStringIncludes } from "./assert.ts";

/** A polecat with hooked work, its session dead, restarted. */
export const CRASH_RESTART_LINES: readonly string[] = [
  "CRASH DETECTED: polecat gastown/Toast has hook_bead=gt-abc but session gt-gastown-Toast is dead",
  "Successfully restarted crashed polecat gastown/Toast",
];

/**
 * Four pending spawns: Toast ready and nudged, Nux's session gone, one
 * still waiting and one pruned as stale.
 */
export const PENDING_SPAWN_LINES: readonly string[] = [
  "Found 4 pending spawn(s), attempting to trigger...",
  "Triggered polecat: gastown/Toast",
  "Error triggering gt-gastown-Nux: session no longer exists",
  "Triggered 1/4 pending spawn(s)",
  "Pruned 1 stale pending spawn(s)",
];

/** Asserts that `log` holds every one of `lines`. */
export function assertLogHas(log: string, lines: readonly string[]): void {
  for (const line of lines) assertStringIncludes(log, line);
}
