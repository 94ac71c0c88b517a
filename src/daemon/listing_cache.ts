/**
 * The last agent-bead listing of a full pass, kept so that a crash-event
 * pass can restart a dead agent without listing every beads database again
 * (it reads only the dead agents' beads). A listing older than the default
 * heartbeat interval is not used.
 *
 * @module
 */

import type { Clock } from "../adapters/clock.ts";
import type { AgentBead } from "../heartbeat/types.ts";

/** How long a crash-event pass may use the last bead listing (the default interval). */
export const LISTING_MAX_AGE_MS = 180_000;

/** The last listing and when it was taken. */
export class ListingCache {
  readonly #clock: Pick<Clock, "now">;
  #last: { beads: ReadonlyMap<string, AgentBead>; atMs: number } | null = null;

  /** Ages are measured on `clock`. */
  constructor(clock: Pick<Clock, "now">) {
    this.#clock = clock;
  }

  /** Keeps a listing (an observe `onListed` callback). */
  keep = (beads: ReadonlyMap<string, AgentBead>): void => {
    this.#last = { beads, atMs: this.#clock.now() };
  };

  /** The last listing when it is fresh enough, else null. */
  fresh(): ReadonlyMap<string, AgentBead> | null {
    const l = this.#last;
    return l !== null && this.#clock.now() - l.atMs <= LISTING_MAX_AGE_MS
      ? l.beads
      : null;
  }
}
