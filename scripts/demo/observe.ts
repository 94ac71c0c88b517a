/**
 * Reading the demo town: its private tmux server (started here, listed in
 * one call), the stub agent's start records, and the daemon's `state.json`
 * and log.
 *
 * Contract with tmux: `TMUX_TMPDIR=<root>/tmux` selects the server; it is
 * started with `tmux -f <root>/tmux.conf new-session -d -s keepalive`, and
 * `display-message -p` names its socket and PID. The server's environment
 * (and so every agent's) is the environment of that first call, which
 * carries `GT_FAKE_DIR` and the stand-ins first on `PATH`. Contract with the
 * stub agent: one JSON line per start in `agents.jsonl` with `t` (ms),
 * `pid` and `env.BD_ACTOR`. Contract with the daemon: `state.json` has
 * `heartbeat_count`; log lines start with `YYYY/MM/DD HH:MM:SS `.
 *
 * @module
 */

import { join } from "node:path";
import type { Runner } from "../../src/adapters/process.ts";
import type { DemoAgent, DemoTown } from "./town.ts";

/** Runs `tmux <args>` on the town's private server; stdout without the final newline. */
export async function tmux(
  runner: Runner,
  t: DemoTown,
  args: string[],
): Promise<string> {
  const r = await runner.run(["tmux", ...args], {
    env: t.env,
    timeoutMs: 10_000,
  });
  if (r.code !== 0) {
    throw new Error(`tmux ${args[0]} failed: ${r.stderr.trim()}`);
  }
  return r.stdout.replace(/\n$/, "");
}

/** Starts the private tmux server; returns its PID. */
export async function startTmuxServer(
  runner: Runner,
  t: DemoTown,
): Promise<number> {
  await tmux(runner, t, [
    "-f",
    join(t.root, "tmux.conf"),
    "new-session",
    "-d",
    "-s",
    "keepalive",
  ]);
  const socket = await tmux(runner, t, [
    "display-message",
    "-p",
    "#{socket_path}",
  ]);
  if (!socket.startsWith(`${t.env.TMUX_TMPDIR}/`)) {
    throw new Error(`tmux server is not private: socket "${socket}"`);
  }
  const pid = await tmux(runner, t, ["display-message", "-p", "#{pid}"]);
  return Number(pid);
}

/** One pane as the demo sees it. */
export interface PaneView {
  session: string;
  pid: number;
  command: string;
  dead: boolean;
}

/** Every pane of the private server, by session (first pane only). */
export async function listPanes(
  runner: Runner,
  t: DemoTown,
): Promise<Map<string, PaneView>> {
  const text = await tmux(runner, t, [
    "list-panes",
    "-a",
    "-F",
    // Spaces, not tabs: without a UTF-8 locale tmux prints a tab as "_".
    "#{session_name} #{pane_pid} #{pane_dead} #{pane_current_command}",
  ]);
  const out = new Map<string, PaneView>();
  for (const line of text.split("\n")) {
    const m = line.match(/^(\S+) (\d+) ([01]) (.*)$/);
    if (!m || out.has(m[1]!)) continue;
    out.set(m[1]!, {
      session: m[1]!,
      pid: Number(m[2]),
      command: m[4]!,
      dead: m[3] === "1",
    });
  }
  return out;
}

/** One start the stub agent recorded in `agents.jsonl`. */
export interface AgentStart {
  t: number;
  pid: number;
  actor: string;
}

/** Reads the stub agent's start records (none when the file is missing). */
export async function readAgentStarts(fake: string): Promise<AgentStart[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(join(fake, "agents.jsonl"));
  } catch {
    return [];
  }
  const out: AgentStart[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const rec = JSON.parse(line);
      out.push({
        t: Number(rec.t),
        pid: Number(rec.pid),
        actor: String(rec.env?.BD_ACTOR ?? ""),
      });
    } catch {
      // a line being written
    }
  }
  return out;
}

/** Heartbeats the daemon completed, from `state.json` (0 when unreadable). */
export async function heartbeatCount(town: DemoTown): Promise<number> {
  try {
    const state = JSON.parse(
      await Deno.readTextFile(join(town.town, "daemon", "state.json")),
    );
    return Number(state.heartbeat_count) || 0;
  } catch {
    return 0;
  }
}

/** The daemon log of the town. */
export function logPath(town: DemoTown): string {
  return join(town.town, "daemon", "daemon.log");
}

/** The size of a file in bytes (0 when missing). */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** The daemon's log lines about `agent` written after `offset`, without the date. */
export async function daemonLines(
  town: DemoTown,
  offset: number,
  agent: DemoAgent,
): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(logPath(town));
  } catch {
    return [];
  }
  const text = new TextDecoder().decode(bytes.subarray(offset));
  return text.split("\n")
    .map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, ""))
    .filter((l) => {
      if (l.includes(agent.session) || l.includes(agent.label)) return true;
      const lower = l.toLowerCase();
      return agent.rig !== "" && agent.role !== "polecat" &&
        (lower.startsWith(`${agent.role} for ${agent.rig} `) ||
          lower.startsWith(`${agent.role} session for ${agent.rig} `));
    })
    .slice(0, 4);
}
