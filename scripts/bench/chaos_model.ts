/**
 * A model of the reference daemon's availability under the chaos mix (it
 * cannot be run through a chaos window in useful time: it looks every 3
 * minutes). The same fault process as the measured run (exponential gaps,
 * the same mix, victims drawn among the agents that are up) is simulated
 * many times against the reference's rules, as measured on the real town:
 * - a session killed outright comes back at the next heartbeat (a uniformly
 *   random phase of the 3-minute cycle) plus a measured restart time — for
 *   the Witness, the Refinery, the Deacon and the polecats whose beads the
 *   reference can find (`gt-<rig>-polecat-<name>`);
 * - an agent process killed inside a session the reference started leaves
 *   the session's shell, which its `has-session` check takes for healthy:
 *   the agent stays down for the rest of the window (polecats); the Witness
 *   and Refinery are restarted at the next heartbeat (their pane no longer
 *   runs the agent);
 * - polecats whose beads the reference cannot find stay down;
 * - a hang counts as available, as in the measured run.
 *
 * @module
 */

import { seededRandom } from "./stats.ts";

/** One agent as the model sees it. */
export interface ModelAgent {
  name: string;
  kind: "polecat" | "polecat-unreachable" | "witness" | "refinery" | "deacon";
}

/** Options for {@link modelGoAvailability}. */
export interface ChaosModelOptions {
  agents: readonly ModelAgent[];
  seconds: number;
  meanGapMs: number;
  mix: { agentKill: number; sessionKill: number; hang: number };
  intervalMs: number;
  /** Measured restart times inside a heartbeat, ms. */
  restartMs: readonly number[];
  runs: number;
  seed: number;
}

/** The model's result: mean availability, and its mean per second of the run. */
export interface ChaosModel {
  availability: number;
  /** Share of agents up in each second, averaged over the runs. */
  perSecond: number[];
}

/** Mean availability (share of agent-seconds up) over the simulated runs. */
export function modelGoAvailability(o: ChaosModelOptions): ChaosModel {
  const secs = Math.max(1, Math.ceil(o.seconds));
  const downPerSecond = new Array<number>(secs).fill(0);
  const rand = seededRandom(o.seed);
  const total = o.mix.agentKill + o.mix.sessionKill + o.mix.hang;
  const restart = () =>
    o.restartMs.length
      ? o.restartMs[Math.floor(rand() * o.restartMs.length)]! / 1000
      : 0;
  let sum = 0;
  for (let run = 0; run < o.runs; run++) {
    const phase = rand() * (o.intervalMs / 1000);
    const nextBeat = (t: number) => {
      const k = Math.ceil((t - phase) / (o.intervalMs / 1000));
      return phase + Math.max(0, k) * (o.intervalMs / 1000);
    };
    const backAt = new Map<string, number>();
    let down = 0;
    let t = 0;
    while (true) {
      t += (-Math.log(1 - rand()) * o.meanGapMs) / 1000;
      if (t >= o.seconds) break;
      const r = rand() * total;
      if (r >= o.mix.agentKill + o.mix.sessionKill) continue;
      const sessionKill = r >= o.mix.agentKill;
      const up = o.agents.filter((a) => (backAt.get(a.name) ?? 0) <= t);
      const v = up[Math.floor(rand() * up.length)];
      if (!v) continue;
      let back = Infinity;
      if (
        v.kind === "witness" || v.kind === "refinery" || v.kind === "deacon"
      ) {
        back = nextBeat(t) + restart();
      } else if (v.kind === "polecat" && sessionKill) {
        back = nextBeat(t) + restart();
      }
      backAt.set(v.name, back);
      const until = Math.min(back, o.seconds);
      down += until - t;
      for (let k = Math.floor(t); k < Math.ceil(until) && k < secs; k++) {
        downPerSecond[k]! += Math.min(k + 1, until) - Math.max(k, t);
      }
    }
    sum += 1 - down / (o.seconds * o.agents.length);
  }
  return {
    availability: sum / o.runs,
    perSecond: downPerSecond.map((d) => 1 - d / (o.runs * o.agents.length)),
  };
}
