/**
 * Killing one agent and timing its return: the kill (SIGKILL to the pane's
 * agent process), the new agent's start record in agents.jsonl, a light
 * tmux poll that confirms the live pane, and when each crash hook ran.
 *
 * @module
 */

import { runner, signalPid, sleep, waitFor } from "./proc.ts";
import type { BenchTown } from "./town.ts";
import { readCalls } from "./wrappers.ts";

/** The session's live agent PID, or null. */
export async function agentPid(
  t: BenchTown,
  session: string,
): Promise<number | null> {
  const r = await runner.run([
    "tmux",
    "list-panes",
    "-t",
    `=${session}:`,
    "-F",
    "#{pane_pid}\t#{pane_dead}\t#{pane_current_command}",
  ], { env: t.env, timeoutMs: 10_000 });
  if (r.code !== 0) return null;
  for (const line of r.stdout.split("\n")) {
    const [pid, dead, cmd] = line.split("\t");
    if (dead === "0" && cmd === "claude") return Number(pid);
  }
  return null;
}

/** One timed kill. */
export interface Kill {
  session: string;
  killedAt: number;
  /** Kill → the new agent's start record; null when not back within the cap. */
  ms: number | null;
  /** Kill → first poll that saw the live `claude` pane (coarser, 50 ms polls). */
  paneMs: number | null;
}

/** The BD_ACTOR of a polecat session `gt-<rig>-<name>`. */
function actorOf(session: string): string {
  const m = /^gt-([^-]+)-(.+)$/.exec(session);
  return m ? `${m[1]}/polecats/${m[2]}` : session;
}

/** Offset of the end of agents.jsonl (0 when missing). */
async function agentsSize(t: BenchTown): Promise<number> {
  return (await Deno.stat(`${t.fake}/agents.jsonl`).catch(() => null))?.size ??
    0;
}

/** The start time of a new agent for `actor` recorded past `offset`, or null. */
async function newAgentStart(
  t: BenchTown,
  offset: number,
  actor: string,
): Promise<number | null> {
  if ((await agentsSize(t)) <= offset) return null;
  const text = await Deno.readTextFile(`${t.fake}/agents.jsonl`);
  const tail = new TextDecoder().decode(
    new TextEncoder().encode(text).subarray(offset),
  );
  for (const line of tail.split("\n")) {
    if (!line.includes(`"BD_ACTOR":"${actor}"`)) continue;
    try {
      return JSON.parse(line).t;
    } catch {
      // a line still being written
    }
  }
  return null;
}

/**
 * Kills the agent of `session` and times its return. The new agent writes
 * its start record (a wall-clock timestamp) right before it re-executes as
 * `claude`, so that record times the return without polling tmux hard on a
 * two-core machine; a 50 ms tmux poll confirms the live pane.
 */
export async function killOnce(
  t: BenchTown,
  session: string,
  capMs: number,
): Promise<Kill> {
  let old: number | null = null;
  await waitFor(
    async () => (old = await agentPid(t, session)) !== null,
    30_000,
    100,
  );
  if (old === null) throw new Error(`no live agent in ${session}`);
  const actor = actorOf(session);
  const offset = await agentsSize(t);
  const killedAt = Date.now();
  const t0 = performance.now();
  signalPid(old, "SIGKILL");
  let started: number | null = null;
  let paneMs: number | null = null;
  let lastPoll = 0;
  while (performance.now() - t0 < capMs && paneMs === null) {
    started ??= await newAgentStart(t, offset, actor);
    if (started !== null && performance.now() - lastPoll >= 50) {
      lastPoll = performance.now();
      const pid = await agentPid(t, session);
      if (pid !== null && pid !== old) paneMs = performance.now() - t0;
    }
    await sleep(5);
  }
  if (paneMs === null) {
    // Unstick a lost pane-died: any SIGCHLD makes tmux reap and run the hook.
    if (t.serverPid !== null) signalPid(t.serverPid, "SIGCHLD");
    await waitFor(
      async () => {
        const pid = await agentPid(t, session);
        return pid !== null && pid !== old;
      },
      60_000,
      50,
    );
    return { session, killedAt, ms: null, paneMs: null };
  }
  return {
    session,
    killedAt,
    ms: started === null ? paneMs : Math.max(0, started - killedAt),
    paneMs,
  };
}

/**
 * When each `gt log crash` for a session started: from the stand-in's calls,
 * or in a real town from the call-counting wrappers' log.
 */
export async function crashLogTimes(
  t: BenchTown,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const c of await readCalls(`${t.root}/calls.tsv`)) {
    const m = /^log crash .*--session (\S+)/.exec(c.args);
    if (c.tool !== "gt" || !m) continue;
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), c.t]);
  }
  let text = "";
  try {
    text = await Deno.readTextFile(`${t.fake}/calls.jsonl`);
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    if (!line.includes('"crash"')) continue;
    try {
      const r = JSON.parse(line);
      const i = r.argv.indexOf("--session");
      const s = i >= 0 ? r.argv[i + 1] : undefined;
      if (r.argv[1] !== "crash" || !s) continue;
      out.set(s, [...(out.get(s) ?? []), r.t]);
    } catch {
      // partial line
    }
  }
  return out;
}
