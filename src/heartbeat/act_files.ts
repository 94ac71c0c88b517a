/**
 * Actions that write town files: Boot's status file (degraded triage) and
 * the pending-spawn list, whose ready polecats are told to begin.
 *
 * @module
 */

import { CommandAbortedError, errorMessage } from "../errors.ts";
import { goJson } from "../gotime.ts";
import { isSessionGone } from "../adapters/tmux.ts";
import { townPaths } from "../town/paths.ts";
import { formatPending, prunePending } from "../town/pending.ts";
import type { ActPorts } from "./act_ports.ts";
import { PENDING_MAX_AGE_MS } from "./decide/spawns.ts";
import { isOwnSession } from "./decide/sessions.ts";
import type { Action, BootStatus, PendingSpawn } from "./types.ts";

/** Writes Boot's status file; a failure is logged. */
export async function writeBootStatus(
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

/** Records, nudges and prunes pending spawns, then marks their mail read. */
export async function pendingSpawns(
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
