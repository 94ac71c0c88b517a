/**
 * Subprocesses and wall time per heartbeat. The engine runs in this process
 * (createTownEngine with `onSpawn` counting every subprocess its runner
 * starts) against a town whose agents all run on a private tmux server. A
 * first heartbeat starts every agent (cold start); the steady heartbeats
 * after it find everything healthy. The reference's calls for the same town
 * are replayed one after another through the same runner for comparison.
 *
 * @module
 */

import { SignalQueue } from "../../src/daemon/signal_queue.ts";
import { createTownEngine } from "../../src/daemon/town_engine.ts";
import { MemoryLog } from "../../src/log.ts";
import { referenceCount, referenceReplay } from "./formula.ts";
import { runner, sleep } from "./proc.ts";
import type { HeartbeatResult } from "./results.ts";
import { summarize } from "./stats.ts";
import { precreateAgents, waitAllLive } from "./panes.ts";
import { createTown, tmux } from "./town.ts";

/** Options for {@link benchHeartbeat}. */
export interface HeartbeatOptions {
  rigs: number;
  polecatsPerRig: number;
  steadyRuns: number;
  replay: boolean;
  progress: (line: string) => void;
}

const ENV_KEYS = ["TMUX_TMPDIR", "PATH", "GT_FAKE_DIR"] as const;

/** Measures one town size. */
export async function benchHeartbeat(
  o: HeartbeatOptions,
): Promise<HeartbeatResult> {
  const t = await createTown({
    rigs: o.rigs,
    polecatsPerRig: o.polecatsPerRig,
    tmuxServer: true,
  });
  // The engine's runner inherits this process's environment: point tmux at
  // the private server and the stand-ins at this town for the duration.
  const saved = ENV_KEYS.map((k) => [k, Deno.env.get(k)] as const);
  for (const k of ENV_KEYS) Deno.env.set(k, t.env[k]!);
  const ac = new AbortController();
  try {
    const spawned: string[][] = [];
    const log = new MemoryLog();
    const engine = createTownEngine({
      town: t.town,
      log,
      queue: new SignalQueue(),
      env: { PATH: t.env.PATH, HOME: t.env.HOME },
      signal: ac.signal,
      onSpawn: (argv) => spawned.push([...argv]),
    });
    const polecats = o.rigs * o.polecatsPerRig;
    o.progress(
      `heartbeat ${o.rigs}×${o.polecatsPerRig}: starting ${t.sessions.length} agents`,
    );
    await precreateAgents(t);
    if (!(await waitAllLive(t, 120_000))) {
      throw new Error("not every agent came up");
    }
    // One warm-up heartbeat (module JIT, first file reads), not counted.
    await engine.heartbeat(ac.signal);
    let t0 = 0;
    const counts: number[] = [];
    const times: number[] = [];
    let byProgram: Record<string, number> = {};
    for (let i = 0; i < o.steadyRuns; i++) {
      spawned.length = 0;
      const before = log.lines.length;
      t0 = performance.now();
      await engine.heartbeat(ac.signal);
      times.push(performance.now() - t0);
      counts.push(spawned.length);
      byProgram = {};
      for (const a of spawned) {
        const p = (a[0] ?? "?").replace(/.*\//, "");
        byProgram[p] = (byProgram[p] ?? 0) + 1;
      }
      const started = log.lines.slice(before).filter((l) =>
        /starting|restarted|Spawning/i.test(l)
      );
      if (started.length > 0) {
        throw new Error(`steady heartbeat started agents: ${started[0]}`);
      }
    }
    let replay: HeartbeatResult["replay"] = null;
    if (o.replay) {
      o.progress(`heartbeat ${o.rigs}×${o.polecatsPerRig}: reference replay`);
      const bootSession = "bench-ref-boot";
      await tmux(t, ["new-session", "-d", "-s", bootSession]);
      const calls = referenceReplay({
        town: t.town,
        rigs: t.rigs,
        polecats: t.polecats,
        bootSession,
      });
      t0 = performance.now();
      for (const c of calls) {
        await runner.run(c.argv, {
          cwd: t.town,
          ...(c.env ? { env: c.env } : {}),
          timeoutMs: 30_000,
        });
        if (c.sleepAfterMs) await sleep(c.sleepAfterMs);
      }
      replay = { subprocesses: calls.length, ms: performance.now() - t0 };
    }
    const ref = referenceCount(o.rigs, polecats, { bootMarkerFresh: false });
    return {
      rigs: o.rigs,
      polecatsPerRig: o.polecatsPerRig,
      agents: t.sessions.length,
      steady: {
        runs: o.steadyRuns,
        subprocesses: counts,
        byProgram,
        ms: summarize(times),
      },
      reference: { formula: ref.formula, total: ref.total, parts: ref.parts },
      replay,
    };
  } finally {
    ac.abort();
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await t.close();
  }
}
