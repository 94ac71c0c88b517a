/**
 * The engine the daemon loop drives for a real town, as a composition root:
 * it wires the adapters (one runner, tool paths resolved at start, every
 * call abortable on shutdown; see `engine_ports.ts`) into the ports of a
 * tick, runs ticks for a
 * heartbeat, a lifecycle pass or a wake-up, and routes the wake-up files
 * of the events directory.
 *
 * @module
 */

import { type Clock, systemClock } from "../adapters/clock.ts";
import {
  ensureEventsDir,
  takeEvents,
  watchEvents,
} from "../adapters/events_dir.ts";
import {
  type FeedCuratorHandle,
  startFeedCurator,
} from "../adapters/feed_files.ts";
import { errorMessage } from "../errors.ts";
import type { Log } from "../log.ts";
import { BackoffBook, DEFAULT_BACKOFF } from "../heartbeat/backoff.ts";
import {
  HEARTBEAT_CHECKS,
  LIFECYCLE_CHECKS,
  RECOVERY_CHECKS,
} from "../heartbeat/checks.ts";
import { NoticeBook } from "../heartbeat/notify_slots.ts";
import {
  BackoffWake,
  type CheckPlan,
  runTick,
  type TickOptions,
} from "../heartbeat/tick.ts";
import { townPaths } from "../town/paths.ts";
import { parseWakeEvent } from "../town/wake_events.ts";
import type { EngineFactory } from "../cli/run.ts";
import type { Engine } from "./daemon.ts";
import type { SignalQueue } from "./signal_queue.ts";
import { TmuxWatch } from "./tmux_watch.ts";
import { minUptimeFromEnv } from "./env_settings.ts";
import { loadNotices, saveNotices } from "./notice_file.ts";
import { ToolPaths } from "./tool_paths.ts";
import { ListingCache } from "./listing_cache.ts";
import { routeWakeEvents } from "./wake_routes.ts";
import { type EngineWiring, tickPorts, townAdapters } from "./engine_ports.ts";

export { nudgeInterval } from "./env_settings.ts";

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
   * Uptime after which an agent's death is healthy (no backoff); default
   * from `GT_DAEMON_MIN_UPTIME`, else 10 s.
   */
  minUptimeMs?: number;
  /**
   * Install the town's `session-closed` hook and nudge the tmux server
   * (default true); a one-off heartbeat has nobody to wake.
   */
  watchTmux?: boolean;
  /** Time and timers (default: the system clock). */
  clock?: Clock;
}

/** Builds the engine for a town. */
export function createTownEngine(opts: TownEngineOptions): TownEngine {
  return new TownEngine(opts);
}

/** The daemon's engine factory: a town engine that keeps the last run's backoff. */
export function townEngineFactory(
  env: Record<string, string | undefined>,
): EngineFactory {
  return ({ town, log, queue, signal, previous, minUptimeMs }) =>
    createTownEngine({
      town,
      log,
      queue,
      env,
      signal,
      backoff: previous?.backoff,
      ...(minUptimeMs !== undefined ? { minUptimeMs } : {}),
    });
}

/** The real town engine. */
export class TownEngine implements Engine {
  readonly #o: TownEngineOptions;
  readonly #paths;
  readonly #clock: Clock;
  readonly #tools: ToolPaths;
  readonly #backoff: BackoffBook;
  readonly #wake: BackoffWake;
  readonly #watch: TmuxWatch | null;
  #notices = new NoticeBook();
  #curator: FeedCuratorHandle | null = null;
  /** Work the passes handed over (dialogs being dismissed). */
  #background = new Set<Promise<void>>();
  #watcher: { close(): Promise<void> } | null = null;
  #recoverDue = false;
  /** The last bead listing, which crash-event passes reuse while fresh. */
  readonly #listing: ListingCache;

  /** Creates the engine; nothing runs until {@link start}. */
  constructor(opts: TownEngineOptions) {
    this.#o = opts;
    this.#paths = townPaths(opts.town);
    this.#clock = opts.clock ?? systemClock;
    this.#listing = new ListingCache(this.#clock);
    this.#backoff = BackoffBook.fromJSON(opts.backoff, {
      policy: {
        ...DEFAULT_BACKOFF,
        minUptimeMs: opts.minUptimeMs ?? minUptimeFromEnv(opts.env, opts.log),
      },
      nowMs: this.#clock.now(),
    });
    this.#tools = new ToolPaths(opts.env, opts.log);
    this.#wake = new BackoffWake(this.#clock, () => {
      this.#recoverDue = true;
      opts.queue.push("events");
    });
    this.#watch = opts.watchTmux === false ? null : new TmuxWatch({
      town: opts.town,
      eventsDir: this.#paths.events,
      log: opts.log,
      nudgeMs: opts.env.GT_DAEMON_TMUX_NUDGE_MS,
      signal: opts.signal,
    });
  }

  #wiring(): EngineWiring {
    return {
      ...this.#o,
      clock: this.#clock,
      tools: this.#tools,
      backoff: this.#backoff,
      notices: this.#notices,
      wake: this.#wake,
      watch: this.#watch,
      eventsDir: this.#paths.events,
      saveNotices: () => this.#saveNotices(),
      background: (task) => {
        this.#background.add(task);
        task.finally(() => this.#background.delete(task));
      },
    };
  }

  async #tick(options: TickOptions): Promise<CheckPlan[]> {
    return (await runTick(tickPorts(this.#wiring()), options)).plan;
  }

  /** Loads the de-duplication state a previous run saved. */
  async load(): Promise<void> {
    this.#notices = await loadNotices(this.#paths.notifications);
  }

  /**
   * Starts the feed curator and the events watcher, and puts the
   * `session-closed` hook in place before any agent is started.
   */
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
    await this.#watch?.begin(townAdapters(this.#wiring()).tmux);
  }

  /** Stops the curator and the watcher; saves de-duplication state. */
  async stop(): Promise<void> {
    this.#wake.cancel();
    // Aborted with the loop's signal; they end at once.
    await Promise.all(this.#background);
    await this.#watch?.stop(this.#tools.programs);
    await this.#watcher?.close();
    if (this.#curator) await this.#curator.stop();
    this.#o.log.log("Feed curator stopped");
    await this.#saveNotices();
  }

  /** One full heartbeat. */
  async heartbeat(_signal: AbortSignal): Promise<void> {
    this.#tools.refresh();
    this.#backoff.decay(this.#clock.now());
    await this.#tick({
      checks: HEARTBEAT_CHECKS,
      sweep: true,
      scope: { onListed: this.#listing.keep },
    });
  }

  /** Lifecycle requests only. */
  async lifecycle(_signal: AbortSignal): Promise<void> {
    await this.#tick({
      checks: LIFECYCLE_CHECKS,
      scope: { beads: false, files: false },
    });
  }

  /** Handles files dropped into the events directory, and expired backoffs. */
  async events(_signal: AbortSignal): Promise<void> {
    const events = (await takeEvents(this.#paths.events)).map(parseWakeEvent);
    const due = this.#recoverDue;
    this.#recoverDue = false;
    const died = events.flatMap((e) =>
      e.kind === "paneDied" ? [e.session] : []
    );
    await routeWakeEvents(events, due, {
      log: this.#o.log,
      clearBackoff: (agent) => this.#backoff.clear(agent),
      requestHeartbeat: () => this.#o.queue.push("heartbeat"),
      lifecycle: () => this.lifecycle(this.#o.signal),
      recover: async () => {
        // A crash restart needs the dead sessions' beads, not a new listing
        // of every database: that is what keeps `bd list` off its path.
        const listed = this.#listing.fresh();
        await this.#tick({
          checks: RECOVERY_CHECKS,
          scope: listed
            ? { mail: false, listed, died }
            : { mail: false, onListed: this.#listing.keep },
        });
      },
    });
  }

  /** Backoff state and the engine's warnings (a missing agent command) for state.json. */
  stateExtras() {
    return { backoff: this.#backoff.toJSON(), warnings: this.#tools.warnings };
  }

  /** Observes and decides a full heartbeat without acting; returns the plan. */
  async plan(): Promise<CheckPlan[]> {
    return await this.#tick({ checks: HEARTBEAT_CHECKS, dryRun: true });
  }

  async #saveNotices(): Promise<void> {
    await saveNotices(this.#paths.notifications, this.#notices, this.#o.log);
  }
}
