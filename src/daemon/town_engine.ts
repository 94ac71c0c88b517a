/**
 * The engine the daemon loop drives for a real town: adapters built on one
 * runner (tool paths resolved at start, every call abortable on shutdown),
 * the feed curator, the events directory, and observe → decide → act for a
 * heartbeat, a lifecycle pass or a crash notification.
 *
 * @module
 */

import { Beads } from "../adapters/beads.ts";
import {
  ensureEventsDir,
  takeEvents,
  watchEvents,
} from "../adapters/events_dir.ts";
import {
  type FeedCuratorHandle,
  startFeedCurator,
} from "../adapters/feed_files.ts";
import { isDirSync, realFs } from "../adapters/fs.ts";
import { Mail } from "../adapters/mail.ts";
import { sleep } from "../adapters/os.ts";
import { createRunner } from "../adapters/process.ts";
import { Tmux } from "../adapters/tmux.ts";
import { REAP_NUDGE_MS, TmuxReaper } from "../adapters/tmux_reaper.ts";
import { DAEMON_TOOLS, resolveTools, toolReport } from "../adapters/tools.ts";
import { errorMessage } from "../errors.ts";
import type { Log } from "../log.ts";
import { act } from "../heartbeat/act.ts";
import {
  type SessionClosedHook,
  sessionClosedHook,
} from "../heartbeat/act_session.ts";
import type { ActPorts } from "../heartbeat/act_ports.ts";
import { BackoffBook } from "../heartbeat/backoff.ts";
import {
  HEARTBEAT_CHECKS,
  LIFECYCLE_CHECKS,
  RECOVERY_CHECKS,
} from "../heartbeat/checks.ts";
import {
  type Check,
  decideAll,
  type DecideContext,
} from "../heartbeat/engine.ts";
import {
  LIFECYCLE_DONE,
  lifecycleDoneKey,
  NoticeBook,
  startFailedAgent,
} from "../heartbeat/notify_slots.ts";
import { observe, type ObserveScope } from "../heartbeat/observe.ts";
import type { Action, TownSnapshot } from "../heartbeat/types.ts";
import { SESSION_PREFIX } from "../town/names.ts";
import { townPaths } from "../town/paths.ts";
import { parseWakeEvent } from "../town/wake_events.ts";
import { isAgentCommand } from "../town/startup.ts";
import type { Engine } from "./daemon.ts";
import type { SignalQueue } from "./signal_queue.ts";

/** Options for {@link createTownEngine}. */
export interface TownEngineOptions {
  town: string;
  log: Log;
  queue: SignalQueue;
  /** The process environment (PATH, HOME, GT_DEGRADED, CLAUDE_SESSION_ID). */
  env: Record<string, string | undefined>;
  /** Aborted on shutdown. */
  signal: AbortSignal;
  /** Longest wait for a started agent to show up. */
  agentWaitMs?: number;
  /** Counts subprocesses (benchmarks). */
  onSpawn?: (argv: readonly string[]) => void;
  /** Restart backoff carried over from the previous daemon (state.json). */
  backoff?: unknown;
  /**
   * Install the town's `session-closed` hook and nudge the tmux server
   * (default true); a one-off heartbeat has nobody to wake.
   */
  watchTmux?: boolean;
}

/** Builds the engine for a town. */
export function createTownEngine(opts: TownEngineOptions): TownEngine {
  return new TownEngine(opts);
}

/** The real town engine. */
export class TownEngine implements Engine {
  readonly #o: TownEngineOptions;
  readonly #paths;
  #programs: Record<string, string> = {};
  #missing = new Set<string>();
  #curator: FeedCuratorHandle | null = null;
  #watcher: { close(): Promise<void> } | null = null;
  #notices: NoticeBook;
  readonly #backoff: BackoffBook;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #recoverDue = false;
  readonly #resolveCache = new Map<string, string>();
  readonly #reaper: TmuxReaper;
  readonly #closedHook: SessionClosedHook | null;
  /**
   * The tmux server (PID) being watched; it has this town's
   * `session-closed` hook when there is one.
   */
  #watchedServer: number | null = null;
  #hookWarned = false;

  /** Creates the engine; nothing runs until {@link start}. */
  constructor(opts: TownEngineOptions) {
    this.#o = opts;
    this.#paths = townPaths(opts.town);
    this.#notices = new NoticeBook();
    this.#backoff = BackoffBook.fromJSON(opts.backoff);
    this.#resolveTools(true);
    this.#reaper = new TmuxReaper({
      intervalMs: nudgeInterval(opts.env.GT_DAEMON_TMUX_NUDGE_MS, opts.log),
      note: (line) => opts.log.log(`Warning: ${line}`),
    });
    this.#closedHook = sessionClosedHook(opts.town, this.#paths.events);
  }

  #resolveTools(first: boolean): void {
    const env = { PATH: this.#o.env.PATH, HOME: this.#o.env.HOME };
    const r = resolveTools({ names: [...DAEMON_TOOLS, "claude"], env });
    const missing = new Set(r.missing);
    if (first) {
      for (const line of toolReport(r)) this.#o.log.log(line);
    } else {
      for (const [name, path] of Object.entries(r.found)) {
        if (this.#missing.has(name)) {
          this.#o.log.log(`Tool "${name}" found: ${path}`);
        }
      }
      for (const name of missing) {
        if (!this.#missing.has(name)) {
          this.#o.log.log(
            `Tool "${name}" not found: searched ${
              r.searched.join(":")
            }; steps that need it are skipped`,
          );
        }
      }
    }
    this.#programs = r.found;
    this.#missing = missing;
    this.#resolveCache.clear();
  }

  #resolveArgv = (argv: string[]): string[] => {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd.includes("/")) return argv;
    let path = this.#resolveCache.get(cmd) ?? this.#programs[cmd];
    if (path === undefined) {
      const r = resolveTools({
        names: [cmd],
        env: { PATH: this.#o.env.PATH, HOME: this.#o.env.HOME },
      });
      path = r.found[cmd] ?? cmd;
    }
    this.#resolveCache.set(cmd, path);
    return [path, ...rest];
  };

  #ports() {
    const runner = createRunner({
      programs: this.#programs,
      signal: this.#o.signal,
      ...(this.#o.onSpawn ? { onSpawn: this.#o.onSpawn } : {}),
    });
    const town = this.#o.town;
    const tmux = new Tmux(runner, { signal: this.#o.signal, town });
    const beadsOpts: ConstructorParameters<typeof Beads>[1] = {
      town,
      signal: this.#o.signal,
    };
    const sid = this.#o.env.CLAUDE_SESSION_ID;
    if (sid) beadsOpts.sessionId = sid;
    const beads = new Beads(runner, beadsOpts);
    const mail = new Mail(runner, { town });
    return { runner, tmux, beads, mail };
  }

  /** Loads the de-duplication state a previous run saved. */
  async load(): Promise<void> {
    try {
      const text = await realFs.readText(
        this.#paths.notifications,
        4 * 1024 * 1024,
      );
      if (text) this.#notices = NoticeBook.fromJSON(JSON.parse(text));
    } catch {
      // a damaged notifications file costs at most repeated warnings
    }
  }

  /** Starts the feed curator and the events watcher. */
  async start(): Promise<void> {
    const log = this.#o.log;
    try {
      this.#curator = await startFeedCurator(this.#o.town, log);
      log.log("Feed curator started");
    } catch (err) {
      log.log(`Warning: failed to start feed curator: ${errorMessage(err)}`);
    }
    await this.load();
    try {
      await ensureEventsDir(this.#paths.events);
      this.#watcher = watchEvents(
        this.#paths.events,
        () => this.#o.queue.push("events"),
      );
      this.#o.queue.push("events");
    } catch (err) {
      log.log(
        `Warning: cannot watch ${this.#paths.events}: ${
          errorMessage(err)
        }; crash notifications fall back to the heartbeat`,
      );
    }
  }

  /** Stops the curator and the watcher; saves de-duplication state. */
  async stop(): Promise<void> {
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#reaper.stop();
    await this.#removeClosedHook();
    await this.#watcher?.close();
    if (this.#curator) await this.#curator.stop();
    this.#o.log.log("Feed curator stopped");
    await this.#saveNotices();
  }

  /** One full heartbeat. */
  async heartbeat(_signal: AbortSignal): Promise<void> {
    this.#resolveTools(false);
    this.#backoff.decay(Date.now());
    await this.#tick(HEARTBEAT_CHECKS, {}, true);
  }

  /** Lifecycle requests only. */
  async lifecycle(_signal: AbortSignal): Promise<void> {
    await this.#tick(LIFECYCLE_CHECKS, { beads: false, files: false }, false);
  }

  /** Handles files dropped into the events directory, and expired backoffs. */
  async events(_signal: AbortSignal): Promise<void> {
    const events = (await takeEvents(this.#paths.events)).map(parseWakeEvent);
    const died = events.flatMap((e) =>
      e.kind === "paneDied" ? [e.session] : []
    );
    if (this.#recoverDue) {
      this.#recoverDue = false;
      if (died.length === 0) {
        await this.#tick(RECOVERY_CHECKS, { mail: false }, false);
      }
    }
    if (events.length === 0) return;
    const log = this.#o.log;
    for (const e of events) {
      if (e.kind !== "clearBackoff") continue;
      const cleared = this.#backoff.clear(e.agent);
      const agent = e.agent === "*" ? "all" : e.agent;
      log.log(
        cleared
          ? `Cleared restart backoff for ${agent}`
          : `No restart backoff recorded for ${agent}`,
      );
    }
    if (events.some((e) => e.kind === "heartbeat")) {
      log.log("Heartbeat requested through the events directory");
      this.#o.queue.push("heartbeat");
    }
    if (events.some((e) => e.kind === "lifecycle")) {
      log.log("Lifecycle processing requested through the events directory");
      await this.lifecycle(this.#o.signal);
    }
    if (died.length > 0) {
      log.log(`Agent exited in ${died.join(", ")}; checking sessions now`);
    }
    // Closed sessions are not logged: the daemon closes sessions itself on
    // every restart, and a pass that finds something to do logs it.
    const closed = events.some((e) =>
      e.kind === "sessionClosed" && e.session.startsWith(SESSION_PREFIX)
    );
    if (died.length > 0 || closed) {
      await this.#tick(RECOVERY_CHECKS, { mail: false }, false);
    }
  }

  /** Backoff state for state.json. */
  stateExtras() {
    return { backoff: this.#backoff.toJSON() };
  }

  /** Observes and decides a full heartbeat without acting; returns the plan. */
  async plan(): Promise<{ check: string; actions: Action[] }[]> {
    return (await this.#tick(HEARTBEAT_CHECKS, {}, false, true)).plan;
  }

  /** Runs one observe → decide → act pass (or only decides, for a dry run). */
  async #tick(
    checks: readonly Check[],
    scope: ObserveScope,
    sweep: boolean,
    dryRun = false,
  ): Promise<{ plan: { check: string; actions: Action[] }[] }> {
    const { log } = this.#o;
    const { runner, tmux, beads, mail } = this.#ports();
    const now = new Date();
    const snap = await observe(
      this.#o.town,
      {
        tmux,
        beads,
        mail,
        fs: realFs,
        degradedEnv: this.#o.env.GT_DEGRADED === "true",
        resolveArgv: this.#resolveArgv,
      },
      now,
      scope,
    );
    // Shutting down: what observation failed to read is not news.
    if (this.#o.signal.aborted) return { plan: [] };
    for (const p of [...snap.rigProblems, ...snap.problems]) {
      log.log(`Warning: ${p}`);
    }
    for (const e of [snap.tmuxError, snap.beadsError, snap.mailError]) {
      if (e && !this.#isMissingTool(e)) log.log(`Error: ${e}`);
    }
    const ctx: DecideContext = {
      now,
      backoff: (agent) => this.#backoff.check(agent, Date.now()),
      lastRestart: (agent) => this.#backoff.lastRestart(agent),
      lifecycleDoneAt: (session) =>
        this.#notices.sentAt(lifecycleDoneKey(session))?.getTime() ?? null,
      dirExists: isDirSync,
    };
    const decided = decideAll(checks, snap, ctx, log);
    if (dryRun) return { plan: decided };
    const actions = decided.flatMap((d) => d.actions);
    const ports: ActPorts = {
      town: this.#o.town,
      tmux,
      beads,
      mail,
      fs: realFs,
      runner,
      log,
      sleep: (ms) => sleep(ms, this.#o.signal),
      now: () => new Date(),
      backoff: this.#backoff,
      notices: this.#notices,
      isAgent: (cmd) => isAgentCommand(cmd, snap.agentArgv[0] ?? "claude"),
      eventsDir: this.#paths.events,
      agentWaitMs: this.#o.agentWaitMs ?? 15_000,
      agentArgv: (rig) =>
        (rig ? snap.rigAgentArgv.get(rig) : undefined) ?? snap.agentArgv,
      signal: this.#o.signal,
    };
    await act(ports, actions);
    this.#armBackoffWake();
    await this.#watchServer(tmux, snap, actions);
    if (
      sweep && snap.beads !== null && snap.sessions !== null &&
      snap.mail !== null
    ) {
      const active = actions.flatMap((
        a,
      ) => ("dedupeKey" in a && a.dedupeKey ? [a.dedupeKey] : []));
      const backoff = this.#backoff.toJSON();
      const keep = this.#notices.keys().filter((k) => {
        const agent = startFailedAgent(k);
        return k.startsWith(LIFECYCLE_DONE) ||
          (agent !== null && backoff[agent] !== undefined);
      });
      this.#notices.sweep([...active, ...keep], now);
      await this.#saveNotices();
    }
    return { plan: decided };
  }

  /**
   * Wakes the daemon when the earliest restart backoff runs out, so an
   * agent held back for 1 s is restarted then, not at the next heartbeat.
   */
  #armBackoffWake(): void {
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    if (this.#o.signal.aborted) return;
    const now = Date.now();
    const next = Object.values(this.#backoff.toJSON())
      .map((e) => e.nextAllowedMs)
      .filter((t) => t > now)
      .reduce((a, b) => Math.min(a, b), Infinity);
    if (next === Infinity) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#recoverDue = true;
      this.#o.queue.push("events");
    }, next - now + 50);
  }

  /**
   * Points the SIGCHLD nudge at the tmux server of this town's sessions and
   * installs the town's `session-closed` hook once per server: one tmux call
   * when the server is new (or the daemon just started agents on one it has
   * not seen), none in the steady state.
   */
  async #watchServer(
    tmux: Tmux,
    snap: TownSnapshot,
    actions: readonly Action[],
  ): Promise<void> {
    if (
      this.#o.watchTmux === false || this.#o.signal.aborted ||
      snap.sessions === null
    ) return;
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
    if (pid !== null && pid === this.#watchedServer) {
      this.#reaper.target(pid);
      return;
    }
    try {
      const hook = this.#closedHook;
      const server = hook
        ? await tmux.setGlobalHook("session-closed", hook.index, hook.command)
        : await tmux.serverPid();
      if (server !== null) this.#watchedServer = server;
      this.#reaper.target(server);
      if (this.#reaper.pid !== null) {
        this.#o.log.log(
          `Watching tmux server PID ${this.#reaper.pid} (session-closed hook ${
            hook ? `session-closed[${hook.index}]` : "not installed"
          })`,
        );
      }
      this.#hookWarned = false;
    } catch (err) {
      if (this.#o.signal.aborted || this.#hookWarned) return;
      this.#hookWarned = true;
      this.#o.log.log(
        `Warning: cannot install the session-closed hook: ${
          errorMessage(err)
        }; closed sessions are noticed at the next heartbeat`,
      );
    }
  }

  /** Removes the town's `session-closed` hook from the server it was put on. */
  async #removeClosedHook(): Promise<void> {
    const hook = this.#closedHook;
    if (hook === null || this.#watchedServer === null) return;
    this.#watchedServer = null;
    // The engine's runner is aborted by now; this call gets its own.
    const tmux = new Tmux(createRunner({ programs: this.#programs }), {
      timeoutMs: 2_000,
    });
    try {
      await tmux.unsetGlobalHook("session-closed", hook.index);
    } catch (err) {
      this.#o.log.log(
        `Warning: cannot remove the session-closed hook: ${errorMessage(err)}`,
      );
    }
  }

  #isMissingTool(error: string): boolean {
    return [...this.#missing].some((t) =>
      error.startsWith(`${t === "gt" ? "gt mail" : t}:`) &&
      /not (found|installed)/i.test(error)
    );
  }

  async #saveNotices(): Promise<void> {
    try {
      await realFs.writeAtomic(
        this.#paths.notifications,
        JSON.stringify(this.#notices.toJSON(), null, 2),
        0o644,
      );
    } catch (err) {
      this.#o.log.log(
        `Warning: failed to save notifications: ${errorMessage(err)}`,
      );
    }
  }
}

/** The SIGCHLD nudge period from `GT_DAEMON_TMUX_NUDGE_MS` (0 turns it off). */
export function nudgeInterval(value: string | undefined, log: Log): number {
  if (value === undefined || value === "") return REAP_NUDGE_MS;
  if (/^\d{1,7}$/.test(value)) return Number(value);
  log.log(
    `Warning: GT_DAEMON_TMUX_NUDGE_MS=${
      JSON.stringify(value)
    } is not a number of milliseconds; using ${REAP_NUDGE_MS}`,
  );
  return REAP_NUDGE_MS;
}
