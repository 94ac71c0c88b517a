/**
 * Keeps the tmux server's crash hooks on time by sending it SIGCHLD now and
 * then.
 *
 * tmux runs a pane's `pane-died` hook only once it has reaped the pane's
 * process, and it reaps on SIGCHLD. tmux 3.3 as Debian and Ubuntu build it
 * (linked with libutempter) sometimes never sees that signal: the pane reads
 * `pane_dead` 1 but the hook waits until some later child of the server
 * exits. A SIGCHLD sent from outside makes the server reap at once
 * (`waitpid(…, WNOHANG)`; with nothing to reap it does nothing), so a lost
 * crash notification is late by at most one period instead of a heartbeat.
 *
 * Contract relied on:
 * - the server's PID comes from `#{pid}` in `tmux list-panes -F`;
 * - on Linux, `/proc/<pid>/stat` gives the process name (`tmux: server`)
 *   and its start time (field 22), which must stay the same between
 *   signals: a PID that now belongs to another process is never signalled.
 *   Without `/proc` (macOS, where tmux does not use libutempter) nothing is
 *   sent.
 *
 * @module
 */

import { type Clock, every, systemClock, type TimerHandle } from "./clock.ts";
import { errorMessage } from "../errors.ts";
import { procStatFields } from "./os.ts";

export { procStatFields };

/** Default period between two nudges. */
export const REAP_NUDGE_MS = 100;

/** Name and start time of a process, from `/proc/<pid>/stat`. */
export interface ProcIdentity {
  comm: string;
  startTime: string;
}

/** A process's name and start time (see {@link procStatFields}). */
export function procIdentity(pid: number): ProcIdentity | null {
  const st = procStatFields(pid);
  const startTime = st?.fields[19];
  if (!st || startTime === undefined) return null;
  return { comm: st.comm, startTime };
}

/** Options of {@link TmuxReaper}. */
export interface TmuxReaperOptions {
  /** Period between nudges in ms; 0 disables them. */
  intervalMs?: number;
  /** Which process names count as a tmux server. */
  isServer?: (comm: string) => boolean;
  /** Called with a one-line note when the target is dropped or refused. */
  note?: (line: string) => void;
  /** Timers of the period (default: the system clock). */
  clock?: Pick<Clock, "timer">;
}

/** Sends SIGCHLD to one tmux server on a timer; see the module doc. */
export class TmuxReaper {
  readonly #intervalMs: number;
  readonly #isServer: (comm: string) => boolean;
  readonly #note: (line: string) => void;
  readonly #clock: Pick<Clock, "timer">;
  #pid: number | null = null;
  #identity: ProcIdentity | null = null;
  #timer: TimerHandle | undefined;
  #sent = 0;
  #unreadable = false;

  /** Creates an idle reaper; {@link target} starts it. */
  constructor(options: TmuxReaperOptions = {}) {
    this.#intervalMs = options.intervalMs ?? REAP_NUDGE_MS;
    this.#isServer = options.isServer ?? ((c) => c.startsWith("tmux"));
    this.#note = options.note ?? (() => {});
    this.#clock = options.clock ?? systemClock;
  }

  /** The PID being nudged, or null. */
  get pid(): number | null {
    return this.#pid;
  }

  /** Signals sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /**
   * Nudges the server with PID `pid` from now on (null: nobody). A PID that
   * is not a live tmux server is refused.
   */
  target(pid: number | null): void {
    if (pid === this.#pid) return;
    this.stop();
    if (pid === null || this.#intervalMs <= 0) return;
    let id: ProcIdentity | null;
    try {
      id = procIdentity(pid);
    } catch (err) {
      if (!this.#unreadable) {
        this.#unreadable = true;
        this.#note(
          `Cannot read /proc/${pid}/stat: ${
            errorMessage(err)
          }; the tmux server is not nudged`,
        );
      }
      return;
    }
    if (id === null || !this.#isServer(id.comm)) return;
    this.#pid = pid;
    this.#identity = id;
    this.#timer = every(this.#clock, this.#intervalMs, () => this.#nudge());
  }

  /** Stops nudging. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#pid = null;
    this.#identity = null;
  }

  #nudge(): void {
    const pid = this.#pid;
    const was = this.#identity;
    if (pid === null || was === null) return;
    let now: ProcIdentity | null = null;
    try {
      now = procIdentity(pid);
    } catch {
      // unreadable now: treat as gone
    }
    if (
      now === null || now.startTime !== was.startTime || now.comm !== was.comm
    ) {
      this.stop();
      return;
    }
    try {
      Deno.kill(pid, "SIGCHLD");
      this.#sent++;
    } catch (err) {
      this.stop();
      this.#note(
        `Cannot signal the tmux server (PID ${pid}): ${
          errorMessage(err)
        }; crash notifications may wait for the heartbeat`,
      );
    }
  }
}
