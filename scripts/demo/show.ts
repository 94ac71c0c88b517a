/**
 * What the demo shows: wait until the daemon runs every agent, then kill
 * agents one round at a time (SIGKILL to the pane's process) and watch the
 * daemon bring each one back, timing it.
 *
 * Contract with the stub agent (`tests/fixtures/bin/claude`): it is the
 * pane's process (`pane_pid`), shows as `claude` in tmux, and appends
 * `{"t": <ms>, "pid": …, "env": {"BD_ACTOR": …}}` to `agents.jsonl` when it
 * starts; `t` is the moment an agent came back.
 *
 * @module
 */

import { sendSignal, sleep } from "../../src/adapters/os.ts";
import type { Runner } from "../../src/adapters/process.ts";
import type { Screen } from "./screen.ts";
import { type AgentRow, clock, renderFrame, seconds } from "./table.ts";
import {
  type AgentStart,
  daemonLines,
  fileSize,
  heartbeatCount,
  listPanes,
  logPath,
  type PaneView,
  readAgentStarts,
} from "./observe.ts";
import type { DemoAgent, DemoTown } from "./town.ts";

/** One killed agent. */
export interface Kill {
  agent: DemoAgent;
  /** The killed process. */
  pid: number;
  /** When it was killed (ms since the epoch). */
  at: number;
  /** How long it took to come back, once it did. */
  backMs: number | null;
  /** The agent process that replaced it. */
  newPid: number | null;
}

/** What {@link runShow} needs. */
export interface ShowContext {
  runner: Runner;
  town: DemoTown;
  screen: Screen;
  color: boolean;
  rounds: number;
  /** Ends the show early (Ctrl-C). */
  signal: AbortSignal;
  /** Longest wait for all agents to run. */
  startTimeoutMs?: number;
  /** Longest wait for a killed agent to come back. */
  backTimeoutMs?: number;
  /** Pause between rounds. */
  pauseMs?: number;
}

interface Snapshot {
  panes: Map<string, PaneView>;
  starts: AgentStart[];
  rows: AgentRow[];
  /** Heartbeats the daemon completed (from `state.json`). */
  heartbeats: number;
}

/**
 * The order agents are killed in: polecats and rig agents (witnesses,
 * refineries) by turns, across rigs; the Deacon and Boot are left alone.
 */
export function victimOrder(agents: DemoAgent[]): DemoAgent[] {
  const rigs = [...new Set(agents.map((a) => a.rig))].filter((r) => r);
  const byTurns = (list: DemoAgent[]) => {
    const queues = rigs.map((r) => list.filter((a) => a.rig === r));
    const out: DemoAgent[] = [];
    while (queues.some((q) => q.length > 0)) {
      for (const q of queues) if (q.length > 0) out.push(q.shift()!);
    }
    return out;
  };
  const polecats = byTurns(agents.filter((a) => a.role === "polecat"));
  const rigAgents = byTurns(
    agents.filter((a) => a.role === "witness" || a.role === "refinery"),
  );
  // The first rig agent comes from another rig than the first polecat.
  if (rigAgents.length > 1 && rigAgents[0]?.rig === polecats[0]?.rig) {
    rigAgents.push(rigAgents.shift()!);
  }
  const out: DemoAgent[] = [];
  for (let i = 0; i < Math.max(polecats.length, rigAgents.length); i++) {
    if (polecats[i]) out.push(polecats[i]!);
    if (rigAgents[i]) out.push(rigAgents[i]!);
  }
  return out;
}

/** True when the pane runs the agent. */
function isRunning(pane: PaneView | undefined): pane is PaneView {
  return pane !== undefined && !pane.dead && pane.command === "claude";
}

/** Runs the show; returns the kills with their times. */
export async function runShow(ctx: ShowContext): Promise<Kill[]> {
  const { town, screen, signal } = ctx;
  const agents = town.agents;
  const kills: Kill[] = [];
  const events: string[] = [];
  const event = (text: string) => events.push(`${clock(new Date())}  ${text}`);

  const observe = async (): Promise<Snapshot> => {
    const panes = await listPanes(ctx.runner, town);
    const starts = await readAgentStarts(town.fake);
    const now = Date.now();
    for (const k of kills) {
      if (k.backMs !== null) continue;
      const next = starts.find((s) =>
        s.actor === k.agent.actor && s.t >= k.at && s.pid !== k.pid
      );
      const pane = panes.get(k.agent.session);
      if (next && isRunning(pane) && pane.pid === next.pid) {
        k.backMs = next.t - k.at;
        k.newPid = next.pid;
      }
    }
    const rows = agents.map((a): AgentRow => {
      const kill = kills.findLast((k) => k.agent === a);
      const own = starts.filter((s) => s.actor === a.actor).length;
      return {
        label: a.label,
        session: a.session,
        running: isRunning(panes.get(a.session)),
        restarts: Math.max(0, own - 1),
        backMs: kill?.backMs ?? null,
        downMs: kill && kill.backMs === null ? now - kill.at : null,
      };
    });
    return { panes, starts, rows, heartbeats: await heartbeatCount(town) };
  };

  let status = "";
  const draw = (s: Snapshot) =>
    screen.draw(
      renderFrame({ rows: s.rows, events, status }, {
        color: ctx.color,
        live: screen.tty,
        ...(screen.tty ? { maxLines: screen.maxLines()! } : {}),
      }),
    );
  /** Shows the current state; without a terminal this appends a snapshot. */
  const milestone = async (text: string) => {
    status = text;
    draw(await observe());
  };
  /** Polls until `done`, redrawing on a terminal; throws after `timeoutMs`. */
  const watch = async (
    text: string | ((s: Snapshot) => string),
    done: (s: Snapshot) => boolean,
    timeoutMs: number,
    timeoutError: string | null,
  ): Promise<Snapshot> => {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (signal.aborted) throw new Error("Interrupted");
      const s = await observe();
      status = typeof text === "string" ? text : text(s);
      if (screen.tty) draw(s);
      if (done(s)) return s;
      if (Date.now() >= deadline) {
        if (timeoutError === null) return s;
        throw new Error(timeoutError);
      }
      await sleep(screen.tty ? 100 : 200, signal);
    }
  };

  // The first heartbeat starts every agent; it ends once they all settled.
  const startTimeout = ctx.startTimeoutMs ?? 60_000;
  await watch(
    (s) =>
      `Waiting for the daemon's first heartbeat to start the agents: ${
        s.rows.filter((r) => r.running).length
      } of ${agents.length} running`,
    (s) => s.heartbeats >= 1 && s.rows.every((r) => r.running),
    startTimeout,
    `The daemon did not start every agent within ${seconds(startTimeout)}`,
  );
  event(`All ${agents.length} agents are running`);
  if (!screen.tty) await milestone(`All ${agents.length} agents are running`);

  const order = victimOrder(agents);
  for (let round = 0; round < ctx.rounds; round++) {
    const victim = order[round % order.length]!;
    if (round > 0) {
      const until = Date.now() + (ctx.pauseMs ?? 2_000);
      await watch(
        "Next round in a moment…",
        () => Date.now() >= until,
        60_000,
        null,
      );
    }
    const pane = (await observe()).panes.get(victim.session);
    if (!isRunning(pane)) {
      throw new Error(`No running agent to kill in ${victim.session}`);
    }
    const logOffset = await fileSize(logPath(town));
    const kill: Kill = {
      agent: victim,
      pid: pane.pid,
      at: Date.now(),
      backMs: null,
      newPid: null,
    };
    kills.push(kill);
    sendSignal(pane.pid, "SIGKILL");
    event(
      `Killed the agent of ${victim.label} (PID ${pane.pid}) with SIGKILL`,
    );
    const waiting = `Waiting for the daemon to bring ${victim.label} back…`;
    const row = (s: Snapshot) => s.rows[agents.indexOf(victim)]!;
    await watch(
      waiting,
      (s) => !row(s).running || kill.backMs !== null,
      5_000,
      null,
    );
    if (!screen.tty) await milestone(waiting);
    const timeout = ctx.backTimeoutMs ?? 30_000;
    await watch(
      waiting,
      () => kill.backMs !== null,
      timeout,
      `${victim.label} did not come back within ${seconds(timeout)}`,
    );
    event(
      `${victim.label} is back after ${
        seconds(kill.backMs!)
      } (new agent PID ${kill.newPid})`,
    );
    // The daemon logs the restart once the agent has started; wait for it.
    const logDeadline = Date.now() + 5_000;
    let lines = await daemonLines(town, logOffset, victim);
    while (
      !lines.some((l) => RESTARTED_RE.test(l)) && Date.now() < logDeadline &&
      !signal.aborted
    ) {
      await sleep(100, signal);
      lines = await daemonLines(town, logOffset, victim);
    }
    for (const line of lines) events.push(`          daemon: ${line}`);
    if (!screen.tty) await milestone(`${victim.label} is back`);
  }
  const n = kills.length;
  await milestone(
    n === 0
      ? "Done"
      : `Done: ${n} agent${
        n === 1 ? "" : "s"
      } killed, every one brought back by the daemon`,
  );
  return kills;
}

const RESTARTED_RE = /started successfully|Successfully restarted/;
