/**
 * The reference daemon's subprocess count for one steady-state heartbeat,
 * derived step by step from spec/daemon.md §4 (with §5.2, §5.12, §7, §10.2,
 * §11.3 and §14.2), and the argv list that replays those calls.
 *
 * Steady state: every agent bead says `running`/`working` and was updated
 * recently, every session exists with the agent running, the Deacon's
 * heartbeat is fresh, the deacon inbox is empty and nothing is pending.
 *
 * @module
 */

/** One heartbeat step and the subprocesses it starts. */
export interface FormulaPart {
  step: string;
  count: number;
  why: string;
}

/** The count for a town of `rigs` rigs and `polecats` polecats in total. */
export interface ReferenceCount {
  total: number;
  parts: FormulaPart[];
  /** The closed form, e.g. `18 + 5R + P`. */
  formula: string;
}

/**
 * Counts the reference's subprocesses per heartbeat. `bootMarkerFresh`:
 * a `.boot-running` marker younger than 5 min (only `gt boot triage` writes
 * it, so a daemon whose Boot agent does not run triage respawns Boot on
 * every heartbeat — 8 tmux calls).
 */
export function referenceCount(
  rigs: number,
  polecats: number,
  options: { bootMarkerFresh?: boolean } = {},
): ReferenceCount {
  const fresh = options.bootMarkerFresh ?? false;
  const parts: FormulaPart[] = [
    {
      step: "§4.1 ensureBootRunning",
      count: fresh ? 0 : 8,
      why: fresh
        ? "fresh marker: skip"
        : "tmux -V, has-session, kill-session, new-session, 2× set-environment, send-keys -l + send-keys Enter",
    },
    {
      step: "§4.4 checkDeaconHeartbeat",
      count: 0,
      why: "fresh heartbeat file: no tmux call",
    },
    {
      step: "§4.5 ensureWitnessRunning",
      count: rigs,
      why: "bd show gt-<rig>-witness per rig (bead says running: trusted)",
    },
    {
      step: "§4.6 ensureRefineryRunning",
      count: rigs,
      why: "bd show gt-<rig>-refinery per rig",
    },
    {
      step: "§4.7 triggerPendingSpawns",
      count: 6,
      why:
        "deacon mailbox: bd list for (deacon/, deacon) × (open, hooked, cc:open)",
    },
    {
      step: "§4.6/§5.2 processLifecycleRequests",
      count: 1,
      why: "gt mail inbox --identity deacon/ --json",
    },
    {
      step: "§4.8 checkStaleAgents",
      count: 2 + 2 * rigs,
      why: "bd show hq-deacon, hq-mayor, then witness and refinery per rig",
    },
    {
      step: "§4.9 checkGUPPViolations",
      count: rigs,
      why: "bd list --type=agent --json once per rig",
    },
    {
      step: "§4.10 checkOrphanedWork",
      count: 1,
      why: "bd list --type=agent --json",
    },
    {
      step: "§4.11 checkPolecatSessionHealth",
      count: polecats,
      why: "tmux has-session per polecat (exists: stop)",
    },
  ];
  const total = parts.reduce((s, p) => s + p.count, 0);
  return {
    total,
    parts,
    formula: fresh ? "10 + 5R + P" : "18 + 5R + P",
  };
}

/** What the replay needs to know about the town. */
export interface ReplayTown {
  town: string;
  rigs: readonly string[];
  polecats: ReadonlyMap<string, readonly string[]>;
  /** Session the replay uses for the Boot respawn (never a daemon session). */
  bootSession: string;
}

/** One replayed call: argv, and extra environment. */
export interface ReplayCall {
  argv: string[];
  env?: Record<string, string>;
  /** Milliseconds the reference sleeps after this call (SendKeys). */
  sleepAfterMs?: number;
}

/**
 * The reference's calls for one steady-state heartbeat (no fresh Boot
 * marker), in its order, with the Boot respawn aimed at `bootSession`.
 */
export function referenceReplay(t: ReplayTown): ReplayCall[] {
  const b = t.bootSession;
  const calls: ReplayCall[] = [
    { argv: ["tmux", "-V"] },
    { argv: ["tmux", "has-session", "-t", `=${b}`] },
    { argv: ["tmux", "kill-session", "-t", b] },
    {
      argv: [
        "tmux",
        "new-session",
        "-d",
        "-s",
        b,
        "-c",
        `${t.town}/deacon/dogs/boot`,
      ],
    },
    { argv: ["tmux", "set-environment", "-t", b, "GT_ROLE", "boot"] },
    { argv: ["tmux", "set-environment", "-t", b, "BD_ACTOR", "deacon-boot"] },
    {
      argv: ["tmux", "send-keys", "-t", b, "-l", "true # gt boot triage"],
      sleepAfterMs: 100,
    },
    { argv: ["tmux", "send-keys", "-t", b, "Enter"] },
  ];
  const show = (id: string): ReplayCall => ({
    argv: ["bd", "show", id, "--json"],
  });
  for (const r of t.rigs) calls.push(show(`gt-${r}-witness`));
  for (const r of t.rigs) calls.push(show(`gt-${r}-refinery`));
  const beadsDir = { BEADS_DIR: `${t.town}/.beads` };
  const messages = (filter: string[], status: string): ReplayCall => ({
    argv: [
      "bd",
      "list",
      "--type",
      "message",
      ...filter,
      "--status",
      status,
      "--json",
    ],
    env: beadsDir,
  });
  for (const who of ["deacon/", "deacon"]) {
    for (const status of ["open", "hooked"]) {
      calls.push(messages(["--assignee", who], status));
    }
    calls.push(messages(["--label", `cc:${who}`], "open"));
  }
  calls.push({
    argv: ["gt", "mail", "inbox", "--identity", "deacon/", "--json"],
  });
  calls.push(show("hq-deacon"), show("hq-mayor"));
  for (const r of t.rigs) {
    calls.push(show(`gt-${r}-witness`), show(`gt-${r}-refinery`));
  }
  for (const _ of t.rigs) {
    calls.push({ argv: ["bd", "list", "--type=agent", "--json"] });
  }
  calls.push({ argv: ["bd", "list", "--type=agent", "--json"] });
  for (const r of t.rigs) {
    for (const p of t.polecats.get(r) ?? []) {
      calls.push({ argv: ["tmux", "has-session", "-t", `=gt-${r}-${p}`] });
    }
  }
  return calls;
}
