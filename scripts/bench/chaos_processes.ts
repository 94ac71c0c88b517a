/**
 * Double agent processes under chaos: every stub agent process (from
 * `agents.jsonl`, PID and start time checked via /proc) is tracked by its
 * `BD_ACTOR`; two alive at once with one actor is an incident. Each incident
 * is recorded with what explains it: both processes' start records, /proc
 * state, parent, process group and session, pending signals, children, the
 * tmux session whose pane each one is (or was), the last fault on that
 * session, whether a hang was injected, and how long the overlap lasted
 * (polled every 5 ms from the moment it is seen).
 *
 * An incident whose older process had already lost its pane (its session
 * was closed) and was gone within {@link LEFTOVER_EXIT_S} of the last
 * listing that showed it in that pane is an exiting leftover: the previous
 * agent on its way out, not two agents at work. Those are counted apart.
 *
 * @module
 */

import { cmdline, procStat } from "./proc.ts";
import type { PaneView } from "./panes.ts";
import { procStatFields } from "../../src/adapters/tmux_reaper.ts";

/** One process of a {@link ProcessIncident}. */
export interface IncidentProcess {
  pid: number;
  /** Its start record's time, seconds since the chaos start. */
  startedS: number;
  /** /proc state letter (S, R, Z…) when the incident was seen. */
  state: string;
  ppid: number;
  pgrp: number;
  sid: number;
  /** Pending signals (SigPnd | ShdPnd, hex), e.g. 1 = SIGHUP. */
  sigPending: string;
  /** Children: PID and command name (a `sleep` of the stub's hang loop). */
  children: string[];
  /** The tmux session whose pane this process is (or last was). */
  session: string | null;
  /** Whether a pane of the current listing is this process. */
  inPane: boolean;
  /** Seconds since a pane listing last showed it (null: in one now/never). */
  goneFromTmuxS: number | null;
  /** The last fault on its session: kind and seconds before the incident. */
  lastFault: { kind: string; agoS: number } | null;
  /** Seconds from the incident being seen until this process was gone. */
  exitedAfterS: number | null;
}

/**
 * How long (seconds) a process may outlive the last pane listing that showed
 * it and still count as an exiting leftover rather than a second agent. The
 * real Claude Code exits about 25 ms after its session is killed; listings
 * are about 250 ms apart.
 */
export const LEFTOVER_EXIT_S = 1;

/** Two live agent processes with one identity. */
export interface ProcessIncident {
  actor: string;
  /** Seconds since the chaos start. */
  atS: number;
  /** Whether an injected hang was in force. */
  hangActive: boolean;
  /** The older process first. */
  processes: IncidentProcess[];
  /**
   * At most how long the older process lived after the last listing that
   * showed it in its pane (null: it was in a pane, or outlived the watch).
   */
  leftoverLivedS: number | null;
  /** The older process was the previous agent exiting (see the module doc). */
  exitingLeftover: boolean;
}

interface Known {
  actor: string;
  start: number;
  startedAt: number;
  session: string | null;
  lastInPane: number | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function sigPending(pid: number): string {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const hex = (k: string) =>
      BigInt(`0x${new RegExp(`^${k}:\\s*([0-9a-f]+)`, "m").exec(s)?.[1] ?? 0}`);
    return (hex("SigPnd") | hex("ShdPnd")).toString(16);
  } catch {
    return "?";
  }
}

function statFields(pid: number): string[] {
  try {
    return procStatFields(pid)?.fields ?? [];
  } catch {
    return [];
  }
}

function children(pid: number): string[] {
  try {
    const ids = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`)
      .trim().split(/\s+/).filter((x) => x);
    return ids.map((c) => `${c} ${(cmdline(Number(c)) ?? ["?"]).join(" ")}`);
  } catch {
    return [];
  }
}

/** Tracks stub processes per actor to find two alive at once. */
export class ProcessBook {
  #known = new Map<number, Known>();
  #dup = new Set<string>();
  #faults = new Map<string, { kind: string; at: number }>();
  #hangUntil = 0;
  #watches: Promise<void>[] = [];
  /** Distinct incidents (an actor going from one live process to two). */
  incidents = 0;
  /** Of the incidents, those that were exiting leftovers (after settle()). */
  leftovers = 0;
  /** Start records seen. */
  starts = 0;
  /** Each incident, in order. */
  readonly details: ProcessIncident[] = [];

  /** Date.now() at the chaos start, which incident times count from. */
  t0Epoch = Date.now();

  /** `progress` gets one line per incident once its overlap has ended. */
  constructor(private readonly progress: (line: string) => void = () => {}) {}

  /** A fault hit `session` now. */
  noteFault(session: string, kind: string): void {
    this.#faults.set(session, { kind, at: Date.now() });
  }

  /** A hang is injected until `untilEpoch`. */
  noteHang(untilEpoch: number): void {
    this.#hangUntil = untilEpoch;
  }

  /** Reads new start records, then looks for doubles among live processes. */
  update(
    records: { t: number; pid: number; actor: string }[],
    ps: PaneView[],
  ): void {
    const now = Date.now();
    for (const r of records) {
      if (this.#known.has(r.pid)) continue;
      const st = procStat(r.pid);
      this.#known.set(r.pid, {
        actor: r.actor,
        start: st?.starttime ?? -1,
        startedAt: r.t,
        session: null,
        lastInPane: null,
      });
      this.starts++;
    }
    const inPane = new Map<number, string>();
    for (const p of ps) if (!p.dead) inPane.set(p.pid, p.session);
    const live = new Map<string, number[]>();
    for (const [pid, k] of this.#known) {
      const st = procStat(pid);
      if (!st || st.state === "Z" || st.starttime !== k.start) continue;
      const s = inPane.get(pid);
      if (s !== undefined) {
        k.session = s;
        k.lastInPane = now;
      }
      live.set(k.actor, [...(live.get(k.actor) ?? []), pid]);
    }
    const dup = new Set<string>();
    for (const [actor, pids] of live) {
      if (pids.length < 2) continue;
      dup.add(actor);
      if (this.#dup.has(actor)) continue;
      this.incidents++;
      this.#record(actor, pids, inPane, now);
    }
    this.#dup = dup;
  }

  #record(
    actor: string,
    pids: number[],
    inPane: Map<number, string>,
    now: number,
  ): void {
    const procs: IncidentProcess[] = pids.map((pid) => {
      const k = this.#known.get(pid)!;
      const f = statFields(pid);
      const fault = k.session ? this.#faults.get(k.session) : undefined;
      return {
        pid,
        startedS: round((k.startedAt - this.t0Epoch) / 1000),
        state: f[0] ?? "gone",
        ppid: Number(f[1] ?? NaN),
        pgrp: Number(f[2] ?? NaN),
        sid: Number(f[3] ?? NaN),
        sigPending: sigPending(pid),
        children: children(pid),
        session: k.session,
        inPane: inPane.has(pid),
        goneFromTmuxS: inPane.has(pid) || k.lastInPane === null
          ? null
          : round((now - k.lastInPane) / 1000),
        lastFault: fault
          ? { kind: fault.kind, agoS: round((now - fault.at) / 1000) }
          : null,
        exitedAfterS: null,
      };
    }).sort((a, b) => a.startedS - b.startedS);
    const incident: ProcessIncident = {
      actor,
      atS: round((now - this.t0Epoch) / 1000),
      hangActive: now < this.#hangUntil,
      processes: procs,
      leftoverLivedS: null,
      exitingLeftover: false,
    };
    this.details.push(incident);
    this.#watches.push(this.#watch(incident, now));
  }

  /** Polls the incident's processes until they are gone (at most 10 s). */
  async #watch(incident: ProcessIncident, seenAt: number): Promise<void> {
    const left = new Set(incident.processes);
    while (left.size > 1 && Date.now() - seenAt < 10_000) {
      for (const p of left) {
        const st = procStat(p.pid);
        const k = this.#known.get(p.pid);
        if (!st || st.state === "Z" || st.starttime !== k?.start) {
          p.exitedAfterS = round((Date.now() - seenAt) / 1000);
          left.delete(p);
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const old = incident.processes[0];
    if (
      old && !old.inPane && old.goneFromTmuxS !== null &&
      old.exitedAfterS !== null
    ) {
      incident.leftoverLivedS = round(old.goneFromTmuxS + old.exitedAfterS);
      incident.exitingLeftover = incident.leftoverLivedS <= LEFTOVER_EXIT_S;
      if (incident.exitingLeftover) this.leftovers++;
    }
    this.progress(`chaos: double agent process: ${describe(incident)}`);
  }

  /** Waits for the exit watches of every incident so far. */
  async settle(): Promise<void> {
    await Promise.all(this.#watches);
  }
}

/** One line about an incident, for progress output. */
export function describe(i: ProcessIncident): string {
  const p = i.processes.map((x) =>
    `pid ${x.pid} (started ${x.startedS} s, ${x.state}, ppid ${x.ppid}, ` +
    `sid ${x.sid}, sigpnd ${x.sigPending}, ${
      x.inPane
        ? `pane of ${x.session}`
        : `no pane; was ${x.session ?? "never seen"}${
          x.goneFromTmuxS === null ? "" : ` until ${x.goneFromTmuxS} s before`
        }`
    }${
      x.lastFault ? `, ${x.lastFault.kind} ${x.lastFault.agoS} s before` : ""
    }${x.children.length ? `, children [${x.children.join("; ")}]` : ""}, ${
      x.exitedAfterS === null ? "still alive" : `gone ${x.exitedAfterS} s after`
    })`
  );
  const kind = i.exitingLeftover
    ? `exiting leftover, gone at most ${i.leftoverLivedS} s after its pane`
    : "two agents";
  return `${i.actor} at ${i.atS} s${
    i.hangActive ? " (hang on)" : ""
  }, ${kind}: ${p.join(" + ")}`;
}
