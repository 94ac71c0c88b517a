/**
 * Names of the wake-up files in `<town>/daemon/events/`: the one definition
 * shared by the writers (`gt-daemon poke`, `clear-backoff`, the tmux hooks
 * the daemon installs) and the reader (the daemon's event routing).
 *
 * - `heartbeat`, `lifecycle`: run one now (`poke`).
 * - `pane-died.<session>`: an agent's pane died (per-session tmux hook).
 * - `session-closed.<session>`: a session closed (the town's global hook;
 *   tmux reduces the name to `[A-Za-z0-9_-]`).
 * - `clear-backoff.<agent>`: forget an agent's restart backoff; `/` in the
 *   agent is written as `:`, and `all` means every agent.
 *
 * @module
 */

/** Prefix of a dead-pane notice. */
export const PANE_DIED = "pane-died.";
/** Prefix of a closed-session notice. */
export const SESSION_CLOSED = "session-closed.";
/** Prefix of a backoff-clearing request. */
export const CLEAR_BACKOFF = "clear-backoff.";
/** A heartbeat request. */
export const HEARTBEAT_EVENT = "heartbeat";
/** A lifecycle-processing request. */
export const LIFECYCLE_EVENT = "lifecycle";

/** One wake-up file, decoded. */
export type WakeEvent =
  | { kind: "heartbeat" }
  | { kind: "lifecycle" }
  | { kind: "paneDied"; session: string }
  | { kind: "sessionClosed"; session: string }
  /** `agent` is `*` for every agent. */
  | { kind: "clearBackoff"; agent: string }
  | { kind: "unknown"; name: string };

/** The file name for a dead pane of `session`. */
export function paneDiedEvent(session: string): string {
  return `${PANE_DIED}${session}`;
}

/** The file name asking to clear `agent`'s backoff (`all`: every agent). */
export function clearBackoffEvent(agent: string): string {
  return `${CLEAR_BACKOFF}${agent.replaceAll("/", ":")}`;
}

/** Decodes a wake-up file name. */
export function parseWakeEvent(name: string): WakeEvent {
  if (name === HEARTBEAT_EVENT) return { kind: "heartbeat" };
  if (name === LIFECYCLE_EVENT) return { kind: "lifecycle" };
  if (name.startsWith(PANE_DIED)) {
    return { kind: "paneDied", session: name.slice(PANE_DIED.length) };
  }
  if (name.startsWith(SESSION_CLOSED)) {
    return {
      kind: "sessionClosed",
      session: name.slice(SESSION_CLOSED.length),
    };
  }
  if (name.startsWith(CLEAR_BACKOFF)) {
    const agent = name.slice(CLEAR_BACKOFF.length).replaceAll(":", "/");
    return { kind: "clearBackoff", agent: agent === "all" ? "*" : agent };
  }
  return { kind: "unknown", name };
}
