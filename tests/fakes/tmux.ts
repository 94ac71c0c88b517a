/**
 * An in-process tmux: sessions with panes that run the agent or not, every
 * call recorded. It answers like the adapter: a missing session throws
 * {@link TmuxSessionNotFoundError}, a taken name
 * {@link TmuxSessionExistsError}.
 *
 * @module
 */

import {
  type NewSessionOptions,
  TmuxError,
  TmuxSessionExistsError,
  TmuxSessionNotFoundError,
} from "../../src/adapters/tmux.ts";
import type { ActTmux } from "../../src/heartbeat/act_ports.ts";
import type { PaneInfo, PaneOwner } from "../../src/heartbeat/types.ts";

/** One fake session. */
export interface FakeSession {
  /** Foreground command of its only pane (`claude` for a live agent). */
  command: string;
  dead: boolean;
  owner: PaneOwner;
  /** What `capture-pane` shows. */
  screen: string;
  /** Options it was created with (null for sessions set up by the test). */
  created: NewSessionOptions | null;
  /** Text nudged into it, in order. */
  nudges: string[];
  /** `session_created`, in seconds. */
  createdAt: number;
}

/** A scripted tmux server. */
export class FakeTmux implements ActTmux {
  readonly sessions = new Map<string, FakeSession>();
  /** Every call, as `verb session`. */
  readonly calls: string[] = [];
  /** When set, `listPanes` fails with this message. */
  listError: string | null = null;
  /** The command a session created by the daemon runs (default `claude`). */
  agentCommand = "claude";
  /** Sessions whose agent exits at once when created. */
  readonly diesAtStart = new Set<string>();
  #pid = 1000;
  readonly #now: () => number;

  /** `now` gives the creation times of sessions (ms). */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  /** Adds a session as the test's world has it. */
  add(name: string, session: Partial<FakeSession> = {}): void {
    this.sessions.set(name, {
      command: "claude",
      dead: false,
      owner: "town",
      screen: "> ",
      created: null,
      nudges: [],
      createdAt: Math.floor(this.#now() / 1000),
      ...session,
    });
  }

  #get(s: string): FakeSession {
    const session = this.sessions.get(s);
    if (!session) {
      throw new TmuxSessionNotFoundError(`can't find session: ${s}`);
    }
    return session;
  }

  /** `list-panes -a`. */
  listPanes(): Promise<Map<string, PaneInfo[]>> {
    this.calls.push("listPanes");
    if (this.listError !== null) {
      return Promise.reject(new TmuxError(this.listError));
    }
    const out = new Map<string, PaneInfo[]>();
    for (const [name, s] of this.sessions) {
      out.set(name, [{
        session: name,
        paneId: `%${name.length}`,
        pid: this.#pid,
        command: s.command,
        dead: s.dead,
        owner: s.owner,
        created: s.createdAt,
        serverPid: 1,
      }]);
    }
    return Promise.resolve(out);
  }

  panes(s: string) {
    this.calls.push(`panes ${s}`);
    const { dead, command, owner } = this.#get(s);
    return Promise.resolve([{ dead, command, owner }]);
  }

  hasSession(s: string): Promise<boolean> {
    this.calls.push(`hasSession ${s}`);
    return Promise.resolve(this.sessions.has(s));
  }

  killSession(s: string): Promise<void> {
    this.calls.push(`killSession ${s}`);
    this.#get(s);
    this.sessions.delete(s);
    return Promise.resolve();
  }

  /** Kills `s` when it is this town's; false when missing or not ours. */
  killOwnSession(s: string): Promise<boolean> {
    this.calls.push(`killSession ${s}`);
    const session = this.sessions.get(s);
    if (
      !session || session.owner === "other-town" || session.owner === "untagged"
    ) {
      return Promise.resolve(false);
    }
    this.sessions.delete(s);
    return Promise.resolve(true);
  }

  /** Both calls in one, as the real adapter runs them in one tmux call. */
  async replaceOwnSession(
    s: string,
    options: NewSessionOptions = {},
  ): Promise<boolean> {
    const killed = await this.killOwnSession(s);
    await this.newSession(s, options);
    return killed;
  }

  newSession(s: string, options: NewSessionOptions = {}): Promise<void> {
    this.calls.push(`newSession ${s}`);
    if (this.sessions.has(s)) {
      return Promise.reject(
        new TmuxSessionExistsError(`duplicate session: ${s}`),
      );
    }
    const dies = this.diesAtStart.has(s);
    this.add(s, {
      command: dies ? "bash" : this.agentCommand,
      dead: dies,
      screen: dies ? "claude: crashed" : "> ",
      created: options,
    });
    return Promise.resolve();
  }

  configureSessionAtOnce(s: string): Promise<void> {
    this.calls.push(`configure ${s}`);
    this.#get(s);
    return Promise.resolve();
  }

  capturePane(s: string, _lines: number): Promise<string> {
    this.calls.push(`capture ${s}`);
    return Promise.resolve(this.#get(s).screen);
  }

  nudge(s: string, text: string): Promise<void> {
    this.calls.push(`nudge ${s}`);
    this.#get(s).nudges.push(text);
    return Promise.resolve();
  }

  waitForAgent(
    s: string,
    isAgent: (command: string) => boolean,
    _timeoutMs: number,
  ): Promise<void> {
    this.calls.push(`waitForAgent ${s}`);
    const session = this.#get(s);
    if (session.dead || !isAgent(session.command)) {
      return Promise.reject(new TmuxError(`Agent exited in session "${s}"`));
    }
    return Promise.resolve();
  }

  acceptBypassPermissions(s: string): Promise<boolean> {
    this.calls.push(`acceptBypass ${s}`);
    this.#get(s);
    return Promise.resolve(false);
  }

  /** Calls of one verb, in order (e.g. `newSession`). */
  callsOf(verb: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${verb} `)).map((c) =>
      c.slice(verb.length + 1)
    );
  }
}
