/**
 * The single-call tmux operations behind {@link Tmux} (see `tmux.ts` for the
 * CLI contract): each is one `tmux` invocation through the runner, with an
 * exact-match target and a timeout. Reading `list-panes` output is in
 * `tmux_panes.ts`, building session commands in `tmux_session_args.ts`;
 * typing into panes, waits and server-wide hooks are in `tmux.ts`.
 *
 * @module
 */

import { systemClock } from "./clock.ts";
import { CommandAbortedError, errorMessage } from "../errors.ts";
import type { PaneInfo } from "../heartbeat/types.ts";
import type { Runner } from "./process.ts";
import { commandSequence, escapeArg, ownerFormat } from "./tmux_args.ts";
import {
  paneFormat,
  parsePaneList,
  parseSessionPanes,
  type SessionPane,
} from "./tmux_panes.ts";
import {
  classifyTmuxError,
  isSessionGone,
  TmuxError,
  TmuxNoServerError,
} from "./tmux_errors.ts";
import {
  killIfOwnArgs,
  newSessionCalls,
  type NewSessionOptions,
} from "./tmux_session_args.ts";

export type { SessionPane } from "./tmux_panes.ts";
export type { NewSessionOptions } from "./tmux_session_args.ts";

/** Options of {@link Tmux}. */
export interface TmuxOptions {
  /** Variables for every tmux call (tests set `TMUX_TMPDIR`). */
  env?: Record<string, string>;
  /** Timeout of each tmux call in ms; default 10 000. */
  timeoutMs?: number;
  /** Sleeps; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic clock in ms for deadlines; replaced in tests. */
  now?: () => number;
  /** Aborts every call. */
  signal?: AbortSignal;
  /**
   * The town root: sessions created are tagged with it (`@gt_town`), and
   * pane listings report whose each session is.
   */
  town?: string;
}

/** Default timeout of one tmux call. */
export const TMUX_CALL_TIMEOUT_MS = 10_000;
/** Poll period of the waits for a pane command. */
export const POLL_INTERVAL_MS = 100;

/** The single-call tmux operations; {@link Tmux} adds the composite ones. */
export class TmuxCore {
  readonly #runner: Runner;
  readonly #env: Record<string, string> | undefined;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #town: string | undefined;
  readonly #owner: string;
  /** Sleeps (injected in tests). */
  protected readonly sleep: (ms: number) => Promise<void>;
  /** Monotonic clock in ms (injected in tests). */
  protected readonly now: () => number;

  /** Creates an adapter that runs tmux through `runner`. */
  constructor(runner: Runner, options: TmuxOptions = {}) {
    this.#runner = runner;
    this.#env = options.env;
    this.#timeoutMs = options.timeoutMs ?? TMUX_CALL_TIMEOUT_MS;
    this.#signal = options.signal;
    this.#town = options.town;
    this.#owner = options.town === undefined ? "-" : ownerFormat(options.town);
    this.sleep = options.sleep ?? ((ms) => systemClock.sleep(ms));
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Runs one tmux command, `tmux <args>`, each argument escaped so tmux
   * reads it back unchanged (see `escapeArg`); resolves with trimmed stdout
   * or throws a TmuxError.
   */
  async run(args: readonly string[]): Promise<string> {
    return await this.#exec(args[0] ?? "", args.map(escapeArg));
  }

  /** Runs several tmux commands in one call (see `commandSequence`). */
  async runSequence(commands: readonly (readonly string[])[]): Promise<string> {
    return await this.#exec(commands[0]?.[0] ?? "", commandSequence(commands));
  }

  async #exec(sub: string, args: readonly string[]): Promise<string> {
    let result;
    try {
      result = await this.#runner.run(["tmux", ...args], {
        timeoutMs: this.#timeoutMs,
        ...(this.#env ? { env: this.#env } : {}),
        ...(this.#signal ? { signal: this.#signal } : {}),
      });
    } catch (err) {
      if (err instanceof CommandAbortedError) throw err;
      throw classifyTmuxError(sub, "", {
        detail: errorMessage(err),
        cause: err,
      });
    }
    if (result.code !== 0) {
      throw classifyTmuxError(sub, result.stderr, {
        detail: `exit status ${result.code}`,
      });
    }
    if (result.truncated) {
      throw new TmuxError(`tmux ${sub}: output exceeds the size limit`, {
        subcommand: sub,
      });
    }
    return result.stdout.trim();
  }

  /** True when `tmux -V` runs and succeeds. */
  async isAvailable(): Promise<boolean> {
    try {
      await this.run(["-V"]);
      return true;
    } catch (err) {
      if (err instanceof CommandAbortedError) throw err;
      return false;
    }
  }

  /** The tmux version, e.g. `3.3a`. */
  async version(): Promise<string> {
    return (await this.run(["-V"])).replace(/^tmux\s+/, "");
  }

  /** True when session `s` exists (exact name); false also with no server. */
  async hasSession(s: string): Promise<boolean> {
    try {
      await this.run(["has-session", "-t", `=${s}`]);
      return true;
    } catch (err) {
      if (isSessionGone(err)) return false;
      throw err;
    }
  }

  /**
   * Creates a detached session in one tmux call: `remainOnExit` and
   * `paneDiedHook` are applied before tmux handles the pane's exit, so even
   * a command that dies at once leaves a dead pane. tmux 3.3a built with
   * libutempter now and then misses a pane's exit and holds `pane-died`
   * back until something else makes it reap (see `tmux_reaper.ts`).
   * A `dir` that does not exist is not an error to tmux (O14); tmux
   * format-expands it, so its `#` are doubled. With a town, the session is
   * tagged with it (`@gt_town`) in the same call.
   * Throws TmuxSessionExistsError when the name is taken.
   */
  async newSession(s: string, options: NewSessionOptions = {}): Promise<void> {
    const calls = newSessionCalls(s, this.#town, options);
    await this.runSequence(calls);
  }

  /** Kills session `s` (exact name); TmuxSessionNotFoundError if absent. */
  async killSession(s: string): Promise<void> {
    await this.run(["kill-session", "-t", `=${s}`]);
  }

  /**
   * Kills session `s` only if it is this town's (tagged for it, or
   * untagged and running inside it), deciding inside tmux in one call, so
   * a session that changed hands since it was looked at is never killed.
   * Resolves true when it killed the session, false when the session is
   * missing or not this town's. Without a town it is {@link killSession}.
   */
  async killOwnSession(s: string): Promise<boolean> {
    if (this.#town === undefined) {
      try {
        await this.killSession(s);
        return true;
      } catch (err) {
        if (isSessionGone(err)) return false;
        throw err;
      }
    }
    let out: string;
    try {
      out = await this.run(killIfOwnArgs(s, this.#owner));
    } catch (err) {
      if (isSessionGone(err)) return false;
      throw err;
    }
    return out !== "kept";
  }

  /**
   * {@link killOwnSession} and {@link newSession} in one tmux call: tmux
   * runs the kill (when the session is this town's) before the create, so
   * no other command can come between them, and a crash restart costs one
   * process instead of two. Resolves true when it killed a session. A
   * session that is not this town's is kept and the create fails with
   * TmuxSessionExistsError. Without a town it is the two calls.
   */
  async replaceOwnSession(
    s: string,
    options: NewSessionOptions = {},
  ): Promise<boolean> {
    if (this.#town === undefined) {
      const killed = await this.killOwnSession(s);
      await this.newSession(s, options);
      return killed;
    }
    const out = await this.runSequence([
      killIfOwnArgs(s, this.#owner),
      ...newSessionCalls(s, this.#town, options),
    ]);
    return out !== "kept";
  }

  /** Sets `key=value` in the session environment (new processes only). */
  async setEnvironment(s: string, key: string, value: string): Promise<void> {
    await this.run(["set-environment", "-t", `=${s}`, key, value]);
  }

  /** `pane_current_command` of each pane in the session's current window. */
  async paneCommands(s: string): Promise<string[]> {
    const out = await this.run([
      "list-panes",
      "-t",
      `=${s}:`,
      "-F",
      "#{pane_current_command}",
    ]);
    return out === "" ? [] : out.split("\n");
  }

  /**
   * The panes of the session's current window: dead flag, command and,
   * with a town, whose the session is.
   */
  async panes(s: string): Promise<SessionPane[]> {
    const out = await this.run([
      "list-panes",
      "-t",
      `=${s}:`,
      "-F",
      `#{pane_dead}:${this.#owner}:#{pane_current_command}`,
    ]);
    return parseSessionPanes(out);
  }

  /** Every pane on the server by session, in one call; empty with no server. */
  async listPanes(): Promise<Map<string, PaneInfo[]>> {
    let out: string;
    try {
      out = await this.run(["list-panes", "-a", "-F", paneFormat(this.#owner)]);
    } catch (err) {
      if (err instanceof TmuxNoServerError) return new Map();
      throw err;
    }
    return parsePaneList(out);
  }

  /** Names of all sessions; empty with no server. */
  async listSessions(): Promise<string[]> {
    try {
      const out = await this.run(["list-sessions", "-F", "#{session_name}"]);
      return out === "" ? [] : out.split("\n");
    } catch (err) {
      if (err instanceof TmuxNoServerError) return [];
      throw err;
    }
  }

  /** The visible screen plus `lines` lines of scrollback, trimmed. */
  async capturePane(s: string, lines: number): Promise<string> {
    return await this.run([
      "capture-pane",
      "-p",
      "-t",
      `=${s}:`,
      "-S",
      `-${lines}`,
    ]);
  }
}
