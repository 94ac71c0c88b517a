/**
 * Watching the tmux server of this town's sessions: the town's global
 * `session-closed` hook (a killed session wakes the daemon) and the SIGCHLD
 * nudge of the server (see `tmux_reaper.ts`). The hook goes onto a server
 * the daemon finds at start, and rides along with every session the daemon
 * creates, so no session of the town ever lives on a server without it.
 *
 * @module
 */

import { createRunner } from "../adapters/process.ts";
import { Tmux, TmuxNoServerError } from "../adapters/tmux.ts";
import { TmuxReaper } from "../adapters/tmux_reaper.ts";
import { nudgeInterval } from "./env_settings.ts";
import { errorMessage } from "../errors.ts";
import {
  type SessionClosedHook,
  sessionClosedHook,
} from "../heartbeat/act_session.ts";
import type { Action, TownSnapshot } from "../heartbeat/types.ts";
import type { Log } from "../log.ts";
import { SESSION_PREFIX } from "../town/names.ts";

/** Options for {@link TmuxWatch}. */
export interface TmuxWatchOptions {
  town: string;
  eventsDir: string;
  log: Log;
  /** `GT_DAEMON_TMUX_NUDGE_MS`. */
  nudgeMs: string | undefined;
  /** Aborted on shutdown. */
  signal: AbortSignal;
}

/** The hook and the nudge for one daemon. */
export class TmuxWatch {
  readonly #o: TmuxWatchOptions;
  readonly #reaper: TmuxReaper;
  /** The town's hook; null when the events path cannot be quoted. */
  readonly hook: SessionClosedHook | null;
  /** The server (PID) that has the hook, when known. */
  #server: number | null = null;
  #warned = false;

  /** Creates an idle watch. */
  constructor(opts: TmuxWatchOptions) {
    this.#o = opts;
    this.#reaper = new TmuxReaper({
      intervalMs: nudgeInterval(opts.nudgeMs, opts.log),
      note: (line) => opts.log.log(`Warning: ${line}`),
    });
    this.hook = sessionClosedHook(opts.town, opts.eventsDir);
  }

  /**
   * Puts the hook on the server that is running now, if any, before the
   * daemon starts an agent. With no server yet, the first session the
   * daemon creates brings the hook along.
   */
  async begin(tmux: Tmux): Promise<void> {
    if (this.hook === null) return;
    try {
      await this.#install(tmux);
    } catch (err) {
      if (err instanceof TmuxNoServerError) return;
      this.#warn(err);
    }
  }

  /**
   * Points the nudge at the server of this town's sessions and (re)installs
   * the hook once per server: one tmux call when the server is new (or the
   * daemon just started agents on one it has not seen), none in the steady
   * state.
   */
  async afterTick(
    tmux: Tmux,
    snap: TownSnapshot,
    actions: readonly Action[],
  ): Promise<void> {
    if (this.#o.signal.aborted || snap.sessions === null) return;
    let pid: number | null = null;
    let ours = false;
    for (const [name, panes] of snap.sessions) {
      if (!name.startsWith(SESSION_PREFIX)) continue;
      ours = true;
      pid ??= panes[0]?.serverPid ?? null;
    }
    const started = actions.some((a) => a.kind === "startSession");
    if (!ours && !started) {
      this.#reaper.target(null);
      return;
    }
    // Sessions the daemon just created carried the hook to their server.
    const known = pid ?? (started ? this.#server : null);
    if (known !== null && known === this.#server) {
      this.#reaper.target(known);
      return;
    }
    try {
      await this.#install(tmux);
    } catch (err) {
      if (!this.#o.signal.aborted) this.#warn(err);
    }
  }

  async #install(tmux: Tmux): Promise<void> {
    const hook = this.hook;
    const server = hook
      ? await tmux.setGlobalHook("session-closed", hook.index, hook.command)
      : await tmux.serverPid();
    if (server !== null) this.#server = server;
    this.#reaper.target(server);
    if (this.#reaper.pid !== null) {
      this.#o.log.log(
        `Watching tmux server PID ${this.#reaper.pid} (session-closed hook ${
          hook ? `session-closed[${hook.index}]` : "not installed"
        })`,
      );
    }
    this.#warned = false;
  }

  #warn(err: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#o.log.log(
      `Warning: cannot install the session-closed hook: ${
        errorMessage(err)
      }; closed sessions are noticed at the next heartbeat`,
    );
  }

  /** Stops the nudge and removes the hook from the server it was put on. */
  async stop(programs: Record<string, string>): Promise<void> {
    this.#reaper.stop();
    const hook = this.hook;
    if (hook === null || this.#server === null) return;
    this.#server = null;
    // The daemon's runner is aborted by now; this call gets its own.
    const tmux = new Tmux(createRunner({ programs }), { timeoutMs: 2_000 });
    try {
      await tmux.unsetGlobalHook("session-closed", hook.index);
    } catch (err) {
      this.#o.log.log(
        `Warning: cannot remove the session-closed hook: ${errorMessage(err)}`,
      );
    }
  }
}
