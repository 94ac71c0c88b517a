/**
 * `deno task bench --vs-go`: the reference `gt daemon` and this daemon on
 * the same real towns (built by the real `gt` and `bd`), one after the
 * other in one run: heartbeat cost, crash → live agent, `status`, idle
 * memory and CPU with floors, and availability under the chaos mix
 * (measured for this daemon, modelled for the reference). The real tools
 * come from `GT_DAEMON_REAL_BD` / `GT_DAEMON_REAL_GT` or the cache that
 * `deno task real-tools` fills.
 *
 * @module
 */

import { findRealTool } from "../../tests/real/find_tools.ts";
import { benchChaos } from "./chaos.ts";
import {
  type ChaosModel,
  type ModelAgent,
  modelGoAvailability,
} from "./chaos_model.ts";
import { createRealTown, type RealTools } from "./real_town.ts";
import type { ChaosResult } from "./results.ts";
import { benchVsGoHeartbeat, type VsGoHeartbeat } from "./vs_go_heartbeat.ts";
import { benchVsGoIdle, type VsGoIdle } from "./vs_go_idle.ts";
import { benchVsGoRestart, type VsGoRestart } from "./vs_go_restart.ts";
import { benchVsGoStatus, type VsGoStatus } from "./vs_go_status.ts";

/** The parts of the side-by-side run, in the order they run. */
export const VS_GO_PARTS = [
  "heartbeat",
  "restart",
  "status",
  "chaos",
  "idle",
] as const;

/** One part's name. */
export type VsGoPart = typeof VS_GO_PARTS[number];

/** Everything the side-by-side run found. */
export interface VsGoResults {
  tools: { bd: string; gt: string; bdVersion: string; gtVersion: string };
  heartbeat: VsGoHeartbeat[];
  restart: VsGoRestart | null;
  status: VsGoStatus | null;
  idle: VsGoIdle | null;
  chaos: { ours: ChaosResult; goModel: ChaosModel; goModelRuns: number } | null;
  /** Parts that failed, with the error; the others still ran. */
  failed: string[];
}

/** Options for {@link benchVsGo}. */
export interface VsGoOptions {
  parts: VsGoPart[];
  sizes: { rigs: number; polecatsPerRig: number }[];
  heartbeatRuns: number;
  kills: number;
  goKills: number;
  capMs: number;
  gapMs: number;
  statusRuns: number;
  idleSeconds: number;
  idleTicks: number;
  chaosSeconds: number;
  chaosGapMs: number;
  chaosMix: { agentKill: number; sessionKill: number; hang: number };
  hangMs: number;
  seed: number;
  progress: (line: string) => void;
}

/** The real tools, or the one-line reason they are missing. */
export function realTools(): { tools: RealTools } | { skip: string } {
  const bd = findRealTool("bd");
  if (bd.path === null) return { skip: bd.skip };
  const gt = findRealTool("gt");
  if (gt.path === null) return { skip: gt.skip };
  return { tools: { bd: bd.path, gt: gt.path } };
}

async function version(path: string): Promise<string> {
  try {
    const out = await new Deno.Command(path, {
      args: ["version"],
      stdin: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

/** Runs the side-by-side benchmarks. */
export async function benchVsGo(
  tools: RealTools,
  o: VsGoOptions,
): Promise<VsGoResults> {
  const r: VsGoResults = {
    tools: {
      ...tools,
      bdVersion: await version(tools.bd),
      gtVersion: await version(tools.gt),
    },
    heartbeat: [],
    restart: null,
    status: null,
    idle: null,
    chaos: null,
    failed: [],
  };
  const p = (part: VsGoPart) => o.parts.includes(part);
  // One part failing (a tool timing out under load) must not lose the rest.
  const guard = async (part: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      const msg = `${part}: ${err instanceof Error ? err.message : err}`;
      r.failed.push(msg);
      o.progress(`vs-go ${msg}`);
    }
  };
  if (p("heartbeat")) {
    for (const size of o.sizes) {
      await guard(`heartbeat ${size.rigs}×${size.polecatsPerRig}`, async () => {
        r.heartbeat.push(
          await benchVsGoHeartbeat({
            ...size,
            // The reference's heartbeat of a 20×10 town takes minutes.
            runs: size.rigs * size.polecatsPerRig > 50 ? 1 : o.heartbeatRuns,
            tools,
            progress: o.progress,
          }),
        );
      });
    }
  }
  if (p("restart")) {
    await guard("restart", async () => {
      r.restart = await benchVsGoRestart({
        rigs: 5,
        polecatsPerRig: 10,
        kills: o.kills,
        goKills: o.goKills,
        capMs: o.capMs,
        gapMs: o.gapMs,
        seed: o.seed,
        tools,
        progress: o.progress,
      });
    });
  }
  if (p("status")) {
    await guard("status", async () => {
      r.status = await benchVsGoStatus({
        runs: o.statusRuns,
        tools,
        progress: o.progress,
      });
    });
  }
  if (p("chaos")) {
    await guard("chaos", async () => {
      const ours = await benchChaos({
        rigs: 5,
        polecatsPerRig: 10,
        seconds: o.chaosSeconds,
        interval: "3m",
        intervalMs: 180_000,
        meanGapMs: o.chaosGapMs,
        mix: o.chaosMix,
        hangMs: o.hangMs,
        daemonEnv: {},
        seed: o.seed,
        progress: o.progress,
        makeTown: () =>
          createRealTown({
            rigs: 5,
            polecatsPerRig: 10,
            tools,
            progress: o.progress,
          }),
      });
      const agents: ModelAgent[] = [{ name: "deacon", kind: "deacon" }];
      for (let i = 1; i <= 5; i++) {
        const rig = `r${String(i).padStart(2, "0")}`;
        agents.push({ name: `${rig}-w`, kind: "witness" }, {
          name: `${rig}-r`,
          kind: "refinery",
        });
        for (let j = 1; j <= 10; j++) {
          agents.push({
            name: `${rig}-${j}`,
            kind: i === 1 ? "polecat" : "polecat-unreachable",
          });
        }
      }
      const runs = 2_000;
      r.chaos = {
        ours,
        goModel: modelGoAvailability({
          agents,
          seconds: o.chaosSeconds,
          meanGapMs: o.chaosGapMs,
          mix: o.chaosMix,
          intervalMs: 180_000,
          restartMs: r.restart?.go.fromHeartbeatMs ?? [],
          runs,
          seed: o.seed,
        }),
        goModelRuns: runs,
      };
    });
  }
  if (p("idle")) {
    await guard("idle", async () => {
      r.idle = await benchVsGoIdle({
        minSeconds: o.idleSeconds,
        ticks: o.idleTicks,
        sampleMs: 2_000,
        tools,
        progress: o.progress,
      });
    });
  }
  return r;
}
