/**
 * The tmux adapter: every tmux operation the daemon performs, each one
 * `tmux <argv…>` through the {@link Runner} (no shell), with a timeout.
 *
 * CLI contract relied on (verified on tmux 3.3a; needs tmux ≥ 3.2 for
 * `new-session -e` and `display-popup`):
 * - The server is chosen the normal way: `$TMUX` if set, else
 *   `${TMUX_TMPDIR:-/tmp}/tmux-<uid>/default`. No `-L`/`-S`/`-f` is passed.
 * - Exit status 0 is success; stdout is then trimmed. On failure stderr is
 *   classified (see `tmux_errors.ts`).
 * - Targets always match exactly (the reference used bare names, which tmux
 *   resolves by prefix, O2):
 *   - `-t =S` for session commands: `has-session`, `kill-session`,
 *     `set-environment`;
 *   - `-t =S:` for commands whose target is a window or pane:
 *     `send-keys`, `capture-pane`, `list-panes`, `set-option`, `set-hook`
 *     (tmux 3.3a rejects `set-option -t =S` and `set-hook -t =S` with
 *     `no such session`/`no such window`, and `send-keys -t =S` with
 *     `can't find pane`). A missing session then reports
 *     `can't find session: S`, which classifies as "session not found".
 * - `new-session -d -s S [-c dir] [-e K=V…] [command]` runs `command` with
 *   `default-shell -c`; `-e` puts K=V in the session environment and in the
 *   first pane's process. A lone `;` argument separates commands run in the
 *   same client call (used to set `remain-on-exit` before a fast-dying
 *   command can close the session).
 * - `list-panes -a -F <fmt>` lists every pane; `#{pane_current_command}` is
 *   the base name of argv[0] of the pane's foreground process group.
 * - `send-keys -l -- <text>` types text literally; `send-keys <key>` sends
 *   named keys (`Enter`, `Down`, `C-c`).
 * - `bind-key` changes server-wide key tables (O13).
 * - `pane-died` hooks fire only with `remain-on-exit on`, and on 3.3a not
 *   for every dead pane (its exit status is sometimes never recorded).
 *
 * @module
 */

import { CommandAbortedError, errorMessage } from "../errors.ts";
import { hasClaudePrompt, sessionConfigSteps } from "./tmux_config.ts";
import { POLL_INTERVAL_MS, TmuxCore } from "./tmux_core.ts";
import { pidOf } from "./tmux_panes.ts";
import {
  isSessionGone,
  TmuxError,
  TmuxNoServerError,
  TmuxWaitTimeoutError,
} from "./tmux_errors.ts";

export * from "./tmux_errors.ts";
export { crashHookCommand, sessionConfigSteps } from "./tmux_config.ts";
export {
  type NewSessionOptions,
  POLL_INTERVAL_MS,
  TMUX_CALL_TIMEOUT_MS,
  type TmuxOptions,
} from "./tmux_core.ts";

/** Marker of Claude's bypass-permissions dialog. */
export const BYPASS_MARKER = "Bypass Permissions mode";

/** tmux operations, with exact-match targets and a timeout on every call. */
export class Tmux extends TmuxCore {
  /** Types `text` literally, waits `debounceMs`, then presses Enter. */
  async sendKeys(s: string, text: string, debounceMs = 100): Promise<void> {
    await this.run(["send-keys", "-t", `=${s}:`, "-l", "--", text]);
    if (debounceMs > 0) await this.sleep(debounceMs);
    await this.run(["send-keys", "-t", `=${s}:`, "Enter"]);
  }

  /** Sends named keys (`C-c`, `Down`, …) with no Enter added. */
  async sendKeysRaw(s: string, ...keys: string[]): Promise<void> {
    await this.run(["send-keys", "-t", `=${s}:`, ...keys]);
  }

  /**
   * Types `message`, waits 500 ms, then presses Enter, trying up to 3 times
   * 200 ms apart (`NudgeSession`).
   */
  async nudge(s: string, message: string): Promise<void> {
    await this.run(["send-keys", "-t", `=${s}:`, "-l", "--", message]);
    await this.sleep(500);
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await this.sleep(200);
      try {
        await this.run(["send-keys", "-t", `=${s}:`, "Enter"]);
        return;
      } catch (err) {
        if (err instanceof CommandAbortedError) throw err;
        last = err;
      }
    }
    throw new TmuxError(
      `failed to send Enter after 3 attempts: ${errorMessage(last)}`,
      { cause: last },
    );
  }

  /**
   * Polls every 100 ms until a pane of the session runs a command that
   * `isAgent` accepts. Fails at once when the session is gone or every pane
   * is dead, instead of waiting out the deadline (O6).
   */
  async waitForAgent(
    s: string,
    isAgent: (command: string) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (this.now() < deadline) {
      let panes: { dead: boolean; command: string }[] | null = null;
      try {
        panes = await this.panes(s);
      } catch (err) {
        if (err instanceof CommandAbortedError || isSessionGone(err)) throw err;
      }
      if (panes !== null) {
        if (panes.some((p) => !p.dead && isAgent(p.command))) return;
        if (panes.every((p) => p.dead)) {
          throw new TmuxError(`Agent exited in session ${JSON.stringify(s)}`);
        }
      }
      await this.sleep(POLL_INTERVAL_MS);
    }
    throw new TmuxWaitTimeoutError(
      `Timed out waiting for the agent in session ${JSON.stringify(s)}`,
    );
  }

  /**
   * Dismisses Claude's bypass-permissions dialog: polls the last 30 lines
   * every `intervalMs` for up to `timeoutMs` (default 250 ms and 3 s; the
   * reference made one capture after 1 s, O19). When the dialog shows it
   * sends Down, waits 200 ms and sends Enter, and resolves true. Resolves
   * false when the agent's prompt appears without the dialog, or at the
   * deadline. Fails when the session is gone.
   */
  async acceptBypassPermissions(
    s: string,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<boolean> {
    const interval = options.intervalMs ?? 250;
    const deadline = this.now() + (options.timeoutMs ?? 3_000);
    while (true) {
      await this.sleep(interval);
      let text: string | null = null;
      try {
        text = await this.capturePane(s, 30);
      } catch (err) {
        if (err instanceof CommandAbortedError || isSessionGone(err)) throw err;
      }
      if (text !== null && text.includes(BYPASS_MARKER)) {
        await this.sendKeysRaw(s, "Down");
        await this.sleep(200);
        await this.sendKeysRaw(s, "Enter");
        return true;
      }
      if (text !== null && hasClaudePrompt(text)) return false;
      if (this.now() >= deadline) return false;
    }
  }

  /**
   * Themes a session and installs the Gas Town key bindings
   * (`ConfigureGasTownSession`): the ten settings of {@link sessionConfigSteps}, sent as one tmux
   * command sequence (`;`-separated), so theming a new session costs one
   * process instead of ten. tmux stops at the first failing command.
   */
  async configureSessionAtOnce(
    s: string,
    theme: { bg: string; fg: string },
    look: { rig: string; worker: string; role: string },
  ): Promise<void> {
    const calls = sessionConfigSteps(s, { theme, ...look }).flatMap((st) =>
      st.calls
    );
    await this.runSequence(calls);
  }

  /** Installs the session's `pane-died` hook (see {@link crashHookCommand}). */
  async setPaneDiedHook(s: string, hookCommand: string): Promise<void> {
    await this.run(["set-hook", "-t", `=${s}:`, "pane-died", hookCommand]);
  }

  /**
   * Sets one entry of a global hook array (`set-hook -g name[index] cmd`),
   * leaving the server's other entries of that hook alone, and returns the
   * server's PID (`display-message -p '#{pid}'` in the same call), or null
   * when tmux printed none.
   */
  async setGlobalHook(
    name: string,
    index: number,
    hookCommand: string,
  ): Promise<number | null> {
    const out = await this.runSequence([
      ["set-hook", "-g", `${name}[${index}]`, hookCommand],
      ["display-message", "-p", "#{pid}"],
    ]);
    return pidOf(out);
  }

  /** The server's PID (`display-message -p '#{pid}'`), or null. */
  async serverPid(): Promise<number | null> {
    const out = await this.run(["display-message", "-p", "#{pid}"]);
    return pidOf(out);
  }

  /** Removes one entry of a global hook array; no server counts as success. */
  async unsetGlobalHook(name: string, index: number): Promise<void> {
    try {
      await this.run(["set-hook", "-gu", `${name}[${index}]`]);
    } catch (err) {
      if (err instanceof TmuxNoServerError) return;
      throw err;
    }
  }

  /** Stops the tmux server; no server counts as success. */
  async killServer(): Promise<void> {
    try {
      await this.run(["kill-server"]);
    } catch (err) {
      if (err instanceof TmuxNoServerError) return;
      throw err;
    }
  }
}
