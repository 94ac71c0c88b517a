/**
 * What the daemon does with the wake-up files it took from the events
 * directory (see `town/wake_events.ts`): clear backoffs, ask the loop for a
 * heartbeat, run lifecycle processing, and run one recovery pass for any
 * number of dead panes and closed sessions of the town.
 *
 * @module
 */

import type { Log } from "../log.ts";
import { SESSION_PREFIX } from "../town/names.ts";
import type { WakeEvent } from "../town/wake_events.ts";

/** What routing can do. */
export interface WakeHandlers {
  log: Log;
  /** Forgets an agent's backoff (`*`: every agent); true when one was kept. */
  clearBackoff(agent: string): boolean;
  /** Asks the loop for a full heartbeat. */
  requestHeartbeat(): void;
  /** Runs lifecycle processing now. */
  lifecycle(): Promise<void>;
  /** Runs one recovery pass (the session-keeping checks). */
  recover(): Promise<void>;
}

/**
 * Routes `events`. With `backoffDue` (a restart backoff ran out) a
 * recovery pass runs even with no files, unless a dead pane asks for one
 * anyway.
 */
export async function routeWakeEvents(
  events: readonly WakeEvent[],
  backoffDue: boolean,
  h: WakeHandlers,
): Promise<void> {
  const died = events.flatMap((e) => e.kind === "paneDied" ? [e.session] : []);
  if (backoffDue && died.length === 0) await h.recover();
  if (events.length === 0) return;
  for (const e of events) {
    if (e.kind !== "clearBackoff") continue;
    const cleared = h.clearBackoff(e.agent);
    const agent = e.agent === "*" ? "all" : e.agent;
    h.log.log(
      cleared
        ? `Cleared restart backoff for ${agent}`
        : `No restart backoff recorded for ${agent}`,
    );
  }
  if (events.some((e) => e.kind === "heartbeat")) {
    h.log.log("Heartbeat requested through the events directory");
    h.requestHeartbeat();
  }
  if (events.some((e) => e.kind === "lifecycle")) {
    h.log.log("Lifecycle processing requested through the events directory");
    await h.lifecycle();
  }
  if (died.length > 0) {
    h.log.log(`Agent exited in ${died.join(", ")}; checking sessions now`);
  }
  // Closed sessions are not logged: the daemon closes sessions itself on
  // every restart, and a pass that finds something to do logs it.
  const closed = events.some((e) =>
    e.kind === "sessionClosed" && e.session.startsWith(SESSION_PREFIX)
  );
  if (died.length > 0 || closed) await h.recover();
}
