/**
 * The screens a pending-spawn decision needs: for each polecat session named
 * by `spawn/pending.json` or a `POLECAT_STARTED` message that exists and is
 * this town's, its last lines (`capture-pane`), to see whether the agent
 * shows its prompt and may be told to begin.
 *
 * @module
 */

import type { TmuxCore } from "../adapters/tmux_core.ts";
import { checkSpawnMessage } from "../town/pending.ts";
import { isOwnSession } from "./decide/sessions.ts";
import type { MailMessage, PaneInfo, PendingSpawn } from "./types.ts";

/** Lines of a pane a spawn check reads. */
export const SPAWN_SCREEN_LINES = 10;

/** Captures the screens of the live, own sessions of pending spawns. */
export async function captureSpawnScreens(
  pending: readonly PendingSpawn[] | null,
  mail: readonly MailMessage[] | null,
  sessions: ReadonlyMap<string, PaneInfo[]> | null,
  tmux: Pick<TmuxCore, "capturePane">,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (pending === null || sessions === null) return out;
  const names = new Set(pending.map((p) => p.session));
  for (const msg of mail ?? []) {
    const check = checkSpawnMessage(msg);
    if (check.kind === "spawn") names.add(check.spawn.session);
  }
  await Promise.all(
    [...names].sort().map(async (name) => {
      const panes = sessions.get(name);
      if (!panes || panes.length === 0 || !isOwnSession(panes)) return;
      out.set(
        name,
        await tmux.capturePane(name, SPAWN_SCREEN_LINES).catch(() => ""),
      );
    }),
  );
  return out;
}
