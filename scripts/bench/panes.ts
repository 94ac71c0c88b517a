/**
 * Reading and seeding a benchmark town's tmux sessions: every pane with its
 * PID and command, which sessions run a live agent, and starting the stub
 * agent in every session directly for a steady state.
 *
 * @module
 */

import { FIXTURE_BIN, runner, waitFor } from "./proc.ts";
import { type BenchTown, tmux } from "./town.ts";

/** One pane as the benchmarks read it. */
export interface PaneView {
  session: string;
  pid: number;
  dead: boolean;
  command: string;
}

/** Every pane of the private server (empty when no server runs). */
export async function panes(t: BenchTown): Promise<PaneView[]> {
  const r = await runner.run([
    "tmux",
    "list-panes",
    "-a",
    "-F",
    "#{session_name}\t#{pane_pid}\t#{pane_dead}\t#{pane_current_command}",
  ], { env: t.env, timeoutMs: 10_000 });
  if (r.code !== 0) return [];
  return r.stdout.split("\n").filter((l) => l).map((l) => {
    const [session, pid, dead, command] = l.split("\t");
    return {
      session: session ?? "",
      pid: Number(pid),
      dead: dead === "1",
      command: command ?? "",
    };
  });
}

/** Sessions with a live `claude` pane → that pane's PID. */
export async function liveAgents(t: BenchTown): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const p of await panes(t)) {
    if (!p.dead && p.command === "claude") out.set(p.session, p.pid);
  }
  return out;
}

/** Waits until every session of the town has a live agent. */
export async function waitAllLive(t: BenchTown, ms: number): Promise<boolean> {
  return await waitFor(
    async () => {
      const live = await liveAgents(t);
      return t.sessions.every((s) => live.has(s));
    },
    ms,
    200,
  );
}

/** Working directory of a session's agent. */
function sessionDir(t: BenchTown, session: string): string {
  if (session === "gt-deacon") return `${t.town}/deacon`;
  if (session === "gt-boot") return `${t.town}/deacon/dogs/boot`;
  const m = /^gt-([^-]+)-(.+)$/.exec(session);
  if (!m) return t.town;
  const [, rig, who] = m;
  if (who === "witness") return `${t.town}/${rig}/witness`;
  if (who === "refinery") return `${t.town}/${rig}/refinery/rig`;
  return `${t.town}/${rig}/polecats/${who}`;
}

/**
 * Starts the stub agent in every session of the town directly (batched
 * tmux calls), as a steady state for heartbeats to find.
 */
export async function precreateAgents(t: BenchTown): Promise<void> {
  for (let i = 0; i < t.sessions.length; i += 40) {
    const args: string[] = [];
    for (const s of t.sessions.slice(i, i + 40)) {
      if (args.length) args.push(";");
      args.push(
        "new-session",
        "-d",
        "-s",
        s,
        "-c",
        sessionDir(t, s),
        `exec ${FIXTURE_BIN}/claude`,
      );
    }
    await tmux(t, args);
  }
}
