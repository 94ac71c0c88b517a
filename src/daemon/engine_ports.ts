/**
 * How the town engine wires the adapters into the ports of one tick: one
 * runner over the resolved tool paths, every call abortable on shutdown,
 * the tmux, `bd` and mail adapters on it, and the engine's backoff, notice
 * book, wake timer and tmux watch.
 *
 * @module
 */

import { Beads } from "../adapters/beads.ts";
import type { Clock } from "../adapters/clock.ts";
import { realFs } from "../adapters/fs.ts";
import { Mail } from "../adapters/mail.ts";
import { createRunner, type Runner } from "../adapters/process.ts";
import { Tmux } from "../adapters/tmux.ts";
import type { Log } from "../log.ts";
import type { BackoffBook } from "../heartbeat/backoff.ts";
import type { NoticeBook } from "../heartbeat/notify_slots.ts";
import type { BackoffWake, TickPorts } from "../heartbeat/tick.ts";
import type { TmuxWatch } from "./tmux_watch.ts";
import type { ToolPaths } from "./tool_paths.ts";

/** What the engine hands over to build adapters and tick ports. */
export interface EngineWiring {
  town: string;
  log: Log;
  /** The process environment (GT_DEGRADED, CLAUDE_SESSION_ID). */
  env: Record<string, string | undefined>;
  /** Aborted on shutdown. */
  signal: AbortSignal;
  clock: Clock;
  tools: ToolPaths;
  backoff: BackoffBook;
  notices: NoticeBook;
  wake: BackoffWake;
  watch: TmuxWatch | null;
  /** The events directory of the town. */
  eventsDir: string;
  /** Longest wait for a started agent to show up; default 15 s. */
  agentWaitMs?: number;
  /** Counts subprocesses (benchmarks). */
  onSpawn?: (argv: readonly string[]) => void;
  /** Saves the notice book. */
  saveNotices(): Promise<void>;
  /** Takes over work a pass need not wait for (see `ActPorts.background`). */
  background?: (task: Promise<void>) => void;
}

/** The adapters of one tick, sharing one runner. */
export interface TownAdapters {
  runner: Runner;
  tmux: Tmux;
  beads: Beads;
  mail: Mail;
}

/** Builds the runner and the tmux, `bd` and mail adapters on it. */
export function townAdapters(w: EngineWiring): TownAdapters {
  const { town, signal, env } = w;
  const runner = createRunner({
    programs: w.tools.programs,
    signal,
    ...(w.onSpawn ? { onSpawn: w.onSpawn } : {}),
  });
  const tmux = new Tmux(runner, { signal, town });
  const beads = new Beads(runner, {
    town,
    signal,
    ...(env.CLAUDE_SESSION_ID ? { sessionId: env.CLAUDE_SESSION_ID } : {}),
  });
  const mail = new Mail(runner, { town });
  return { runner, tmux, beads, mail };
}

/**
 * The ports of one tick over fresh adapters; after acting, the backoff
 * wake-up is re-armed (unless shutting down) and the tmux watch sees the
 * tick's snapshot and actions.
 */
export function tickPorts(w: EngineWiring): TickPorts {
  const { town, log, signal, env } = w;
  const { runner, tmux, beads, mail } = townAdapters(w);
  const hook = w.watch?.hook;
  return {
    town,
    log,
    clock: w.clock,
    signal,
    observe: {
      tmux,
      beads,
      mail,
      fs: realFs,
      degradedEnv: env.GT_DEGRADED === "true",
      resolveArgv: w.tools.resolveArgv,
    },
    act: {
      town,
      tmux,
      beads,
      mail,
      fs: realFs,
      runner,
      eventsDir: w.eventsDir,
      agentWaitMs: w.agentWaitMs ?? 15_000,
      signal,
      ...(hook ? { sessionClosedHook: hook } : {}),
      ...(w.background ? { background: w.background } : {}),
    },
    backoff: w.backoff,
    notices: w.notices,
    isMissingTool: w.tools.isMissingTool,
    agentCommands: w.tools.agentCommands,
    saveNotices: () => w.saveNotices(),
    afterAct: async (snap, actions) => {
      if (!signal.aborted) w.wake.arm(w.backoff);
      await w.watch?.afterTick(tmux, snap, actions);
    },
  };
}
