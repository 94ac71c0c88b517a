/**
 * One pass of the daemon's work: observe the town once, run the chosen
 * checks (pure decide functions) and act on what they decide; then sweep
 * the notices whose condition cleared. Everything comes in through narrow
 * ports, so a whole tick runs in-process in tests.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../adapters/clock.ts";
import type { Log } from "../log.ts";
import { act } from "./act.ts";
import type { ActPorts } from "./act_ports.ts";
import type { BackoffBook } from "./backoff.ts";
import { type Check, decideAll, type DecideContext } from "./engine.ts";
import { missingAgentCommand } from "./decide/sessions.ts";
import {
  LIFECYCLE_DONE,
  lifecycleDoneKey,
  type NoticeBook,
  startFailedAgent,
} from "./notify_slots.ts";
import { observe, type ObservePorts, type ObserveScope } from "./observe.ts";
import { isAgentCommand } from "../town/agent_process.ts";
import type { Action, TownSnapshot } from "./types.ts";

/** What `act` needs that does not depend on the snapshot. */
export type ActBase = Omit<
  ActPorts,
  "isAgent" | "backoff" | "notices" | "log" | "now" | "sleep"
>;

/** The ports a tick works through. */
export interface TickPorts {
  town: string;
  log: Log;
  clock: Clock;
  /** Aborted on shutdown. */
  signal: AbortSignal;
  observe: ObservePorts;
  act: ActBase;
  backoff: BackoffBook;
  notices: NoticeBook;
  /** True when an observation error only says a known-missing tool is missing. */
  isMissingTool(error: string): boolean;
  /** Persists the notices after a sweep. */
  saveNotices(): Promise<void>;
  /**
   * Told, after each observation, which agent commands are missing (by
   * rig), so it can report a change once.
   */
  agentCommands?(missing: ReadonlyMap<string, string>): void;
  /** Runs after `act` (tmux server watching); never throws. */
  afterAct?(snap: TownSnapshot, actions: readonly Action[]): Promise<void>;
}

/** What a tick runs. */
export interface TickOptions {
  checks: readonly Check[];
  /** What to observe (a lifecycle pass skips beads and files). */
  scope?: ObserveScope;
  /** Forget notices whose condition cleared (full heartbeats only). */
  sweep?: boolean;
  /** Decide only; nothing is done. */
  dryRun?: boolean;
}

/** One check's decisions. */
export interface CheckPlan {
  check: string;
  actions: Action[];
}

/** What a tick saw and decided. */
export interface TickResult {
  /** Null when shutting down interrupted the tick after observation. */
  snapshot: TownSnapshot | null;
  plan: CheckPlan[];
}

/** Runs one observe → decide → act pass. */
export async function runTick(
  ports: TickPorts,
  options: TickOptions,
): Promise<TickResult> {
  const { log, clock } = ports;
  const now = new Date(clock.now());
  const snap = await observe(ports.town, ports.observe, now, options.scope);
  // Shutting down: what observation failed to read is not news.
  if (ports.signal.aborted) return { snapshot: null, plan: [] };
  for (const p of [...snap.rigProblems, ...snap.problems]) {
    log.log(`Warning: ${p}`);
  }
  // One line per beads database that could not be read.
  const beadsErrors = snap.beadsError?.split("\n") ?? [];
  for (const e of [snap.tmuxError, ...beadsErrors, snap.mailError]) {
    if (e && !ports.isMissingTool(e)) log.log(`Error: ${e}`);
  }
  ports.agentCommands?.(snap.missingAgentCommands);
  const plan = decideAll(
    options.checks,
    snap,
    decideContext(ports, now, snap),
    log,
  );
  if (options.dryRun) return { snapshot: snap, plan };
  const actions = plan.flatMap((d) => d.actions);
  await act(actPorts(ports, snap), actions);
  await ports.afterAct?.(snap, actions);
  if (options.sweep && complete(snap)) {
    ports.notices.sweep([...activeKeys(actions), ...keptKeys(ports)], now);
    await ports.saveNotices();
  }
  return { snapshot: snap, plan };
}

function decideContext(
  ports: TickPorts,
  now: Date,
  snap: TownSnapshot,
): DecideContext {
  return {
    now,
    missingAgentCommand: (agent) => missingAgentCommand(snap, agent),
    backoff: (agent) => ports.backoff.check(agent, ports.clock.now()),
    lastRestart: (agent) => ports.backoff.lastRestart(agent),
    lifecycleDoneAt: (session) =>
      ports.notices.sentAt(lifecycleDoneKey(session))?.getTime() ?? null,
  };
}

function actPorts(ports: TickPorts, snap: TownSnapshot): ActPorts {
  const { clock, signal } = ports;
  return {
    ...ports.act,
    log: ports.log,
    backoff: ports.backoff,
    notices: ports.notices,
    now: () => new Date(clock.now()),
    sleep: (ms) => clock.sleep(ms, signal),
    isAgent: (cmd) => isAgentCommand(cmd, snap.agentArgv[0] ?? "claude"),
  };
}

/** True when every source was read, so a missing condition really cleared. */
function complete(snap: TownSnapshot): boolean {
  return snap.beads !== null && snap.beadsError === null &&
    snap.sessions !== null && snap.mail !== null;
}

function activeKeys(actions: readonly Action[]): string[] {
  return actions.flatMap((a) =>
    "dedupeKey" in a && a.dedupeKey ? [a.dedupeKey] : []
  );
}

/** Keys a sweep keeps: done lifecycle requests, failed starts still backed off. */
function keptKeys(ports: TickPorts): string[] {
  const backoff = ports.backoff.toJSON();
  return ports.notices.keys().filter((k) => {
    const agent = startFailedAgent(k);
    return k.startsWith(LIFECYCLE_DONE) ||
      (agent !== null && backoff[agent] !== undefined);
  });
}

/** The earliest end of a restart backoff after `nowMs`, or null. */
export function nextBackoffEnd(
  backoff: Pick<BackoffBook, "toJSON">,
  nowMs: number,
): number | null {
  const next = Object.values(backoff.toJSON())
    .map((e) => e.nextAllowedMs)
    .filter((t) => t > nowMs)
    .reduce((a, b) => Math.min(a, b), Infinity);
  return next === Infinity ? null : next;
}

/** Slack after a backoff ends before the wake-up fires. */
export const BACKOFF_WAKE_SLACK_MS = 50;

/**
 * Wakes the daemon when the earliest restart backoff runs out, so an agent
 * held back for 1 s is restarted then, not at the next heartbeat.
 */
export class BackoffWake {
  readonly #clock: Clock;
  readonly #wake: () => void;
  #timer: TimerHandle | null = null;

  /** `wake` runs once the earliest backoff has ended. */
  constructor(clock: Clock, wake: () => void) {
    this.#clock = clock;
    this.#wake = wake;
  }

  /** Re-arms the wake-up for the earliest backoff in `backoff`. */
  arm(backoff: Pick<BackoffBook, "toJSON">): void {
    this.cancel();
    const now = this.#clock.now();
    const next = nextBackoffEnd(backoff, now);
    if (next === null) return;
    this.#timer = this.#clock.timer(
      next - now + BACKOFF_WAKE_SLACK_MS,
      () => {
        this.#timer = null;
        this.#wake();
      },
    );
  }

  /** True while a wake-up is pending. */
  get armed(): boolean {
    return this.#timer !== null;
  }

  /** Drops the pending wake-up. */
  cancel(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }
}
