/**
 * The heartbeat's data model: a {@link TownSnapshot} is one read of the world,
 * each check is a pure function from the snapshot to {@link Action}s, and
 * `act` carries the actions out.
 *
 * @module
 */

import type { RoleConfig } from "../town/bead_text.ts";

/** Agent fields parsed from a bead description (`key: value` lines). */
export interface AgentFields {
  roleType: string;
  rig: string;
  agentState: string;
  hookBead: string;
  roleBead: string;
  cleanupStatus: string;
  activeMr: string;
  notificationLevel: string;
}

/** One agent bead as listed by `bd list --type=agent --json`. */
export interface AgentBead {
  id: string;
  issueType: string;
  title: string;
  description: string;
  /** Fields from the description (the reference's source of `agent_state`). */
  fields: AgentFields;
  /** The `hook_bead` JSON column; "" when absent. */
  hookBead: string;
  /** The `agent_state` JSON column; "" when absent. */
  agentState: string;
  /** Raw `updated_at`. */
  updatedAt: string;
  /** `updated_at` parsed; null when missing or not RFC 3339. */
  updated: Date | null;
  /** The beads database (`.beads` directory) the bead was read from. */
  db?: string;
}

/** Whose a pane's session is (see `ownerFormat` in the tmux adapter). */
export type PaneOwner =
  /** Tagged for this town. */
  | "town"
  /** Tagged for another town. */
  | "other-town"
  /** Untagged, the pane's current directory inside this town. */
  | "untagged-in-town"
  /** Untagged and elsewhere (or a dead pane, which has no directory). */
  | "untagged";

/** One pane as listed by `tmux list-panes -a`. */
export interface PaneInfo {
  session: string;
  paneId: string;
  pid: number;
  /** `pane_current_command`. */
  command: string;
  /** `pane_dead` (only with `remain-on-exit`). */
  dead: boolean;
  /** `session_created`, seconds since the epoch; 0 when unknown. */
  created?: number;
  /** PID of the tmux server (`#{pid}`); absent when unknown. */
  serverPid?: number;
  /** Whose the session is; absent when the adapter knows no town. */
  owner?: PaneOwner;
}

/** One message of `gt mail inbox --identity deacon/ --json`. */
export interface MailMessage {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  timestamp: string;
  read: boolean;
  priority: string;
  type: string;
}

/** A pending polecat spawn (`<town>/spawn/pending.json`). */
export interface PendingSpawn {
  rig: string;
  polecat: string;
  session: string;
  issue: string;
  spawned_at: string;
  mail_id: string;
}

/** One read of the world, taken at the start of a heartbeat. */
export interface TownSnapshot {
  town: string;
  now: Date;
  /** Valid rig names from `mayor/rigs.json`, sorted. */
  rigs: string[];
  /** Problems with `rigs.json` or rejected rig names, logged once a tick. */
  rigProblems: string[];
  /** Agent beads by id; null when `bd` could not be read this tick. */
  beads: ReadonlyMap<string, AgentBead> | null;
  beadsError: string | null;
  /** Panes by session name; null when tmux could not be read this tick. */
  sessions: ReadonlyMap<string, PaneInfo[]> | null;
  tmuxError: string | null;
  /** False when tmux is missing (degraded Boot triage). */
  tmuxAvailable: boolean;
  /** `GT_DEGRADED=true` or tmux unavailable. */
  degraded: boolean;
  /** Deacon heartbeat timestamp; null when missing or unreadable. */
  deaconHeartbeat: Date | null;
  /** mtime of the Boot marker; null when absent. */
  bootMarkerMtimeMs: number | null;
  /** Valid polecat directory names per rig. */
  polecats: ReadonlyMap<string, string[]>;
  /** Deacon inbox; null when it could not be read. */
  mail: MailMessage[] | null;
  mailError: string | null;
  /** Pending spawns; null when the file could not be read. */
  pending: PendingSpawn[] | null;
  pendingError: string | null;
  /** The agent argv for town-level agents (argv[0] absolute when found). */
  agentArgv: string[];
  /** The agent argv per rig (from `<rig>/settings/config.json`). */
  rigAgentArgv: ReadonlyMap<string, string[]>;
  /**
   * Agent commands that could not be found, by rig ("" for town-level
   * agents): the agents that need them are not started.
   */
  missingAgentCommands: ReadonlyMap<string, string>;
  /**
   * Role bead configs (`gt-<role>-role`) of the senders of lifecycle
   * requests, by role; null when the role has no config bead.
   */
  roleConfigs: ReadonlyMap<string, RoleConfig | null>;
  /**
   * Screens (last lines) of the live sessions of pending spawns, by
   * session; a session missing here is gone, foreign or not read.
   */
  spawnScreens: ReadonlyMap<string, string>;
  /** Rigs whose `refinery/rig` work directory exists. */
  refineryWorktrees: ReadonlySet<string>;
  /** Bead id prefix per rig (from `.beads/routes.jsonl`; default `gt`). */
  rigPrefixes: ReadonlyMap<string, string>;
  /** Problems met while observing (logged by the engine). */
  problems: string[];
}

/** Everything `act` needs to (re)start one agent session. */
export interface SessionSpec {
  /** Stable agent key, e.g. `deacon`, `gastown/witness`, `gastown/polecats/Toast`. */
  agent: string;
  session: string;
  workDir: string;
  /** Fail (instead of falling back) when `workDir` does not exist. */
  requireWorkDir: boolean;
  /** tmux session environment, set in order. */
  env: [string, string][];
  /** The startup command line typed into (or run by) the session. */
  command: string;
  /** Status-line theming; absent for roles the reference leaves plain. */
  theme?: { bg: string; fg: string; rig: string; worker: string; role: string };
  /** Agent id for the pane-died crash hook. */
  crashHookAgent?: string;
  /** Run `git fetch`, `git pull --rebase`, `bd sync` in `workDir` first. */
  preSync: boolean;
}

/** One thing a check decided to do. Every field is plain data (dry-run JSON). */
export type Action =
  | {
    kind: "log";
    message: string;
    /** Logged once while the key holds (see `sendMail.dedupeKey`). */
    dedupeKey?: string;
  }
  | {
    kind: "startSession";
    spec: SessionSpec;
    /** Kill an existing session of that name first (even a healthy one). */
    killFirst: boolean;
    /** Log line before starting. */
    startLog?: string;
    /** Log line on success. */
    okLog: string;
    /** Log line on failure; `{err}` is replaced by the error text. */
    errLog: string;
    /** Mail sent when the start fails; `{err}` in the body is replaced. */
    failureMail?: { to: string; subject: string; body: string };
    /** Wait between the kill and the start (lifecycle restarts: 500 ms). */
    killWaitMs?: number;
  }
  | {
    kind: "killSession";
    session: string;
    okLog?: string;
    errLog?: string;
  }
  | {
    kind: "nudge";
    session: string;
    text: string;
    errLog?: string;
    dedupeKey?: string;
  }
  | {
    kind: "sendMail";
    to: string;
    subject: string;
    body: string;
    okLog?: string;
    errLog?: string;
    /** De-duplication key; the same key is not re-sent while it holds. */
    dedupeKey?: string;
  }
  | {
    kind: "markDead";
    beadId: string;
    /** The database holding the bead (`bd update` does not route). */
    db?: string;
    /** The agent's session, re-checked before marking. */
    session: string;
    description: string;
    okLog?: string;
    errLog?: string;
  }
  | {
    /** Claim (delete) a lifecycle message, then carry out its request. */
    kind: "lifecycle";
    messageId: string;
    from: string;
    action: "cycle" | "restart" | "shutdown";
    /** Records when the request was carried out (later duplicates are dropped). */
    doneKey?: string;
    /** Why the request is claimed and answered but not carried out. */
    refused?: string;
    /** Where a failure is mailed; null when the sender is no mail address. */
    replyTo: string | null;
    /** The session to stop or (re)start, when the request is not refused. */
    spec?: SessionSpec;
    /** Role bead warnings, logged when the request is carried out. */
    warnings?: string[];
  }
  | {
    /** Delete a message without acting on it (stale or duplicate request). */
    kind: "deleteMail";
    messageId: string;
    /** Logged before the deletion (why the message goes). */
    log?: string;
    okLog?: string;
    errLog?: string;
  }
  | {
    /** Write Boot's status file (degraded triage). */
    kind: "bootStatus";
    status: BootStatus;
    /**
     * The agent whose start earlier in the same pass this status reports:
     * if that start failed, the status says "error" with the reason.
     */
    startOf?: string;
  }
  | {
    /** Record new POLECAT_STARTED spawns, nudge ready ones, prune old ones. */
    kind: "pendingSpawns";
    /** Messages to mark read (`bd close`) once recorded. */
    closeMessageIds: string[];
    /** The whole pending list: old entries plus new ones. */
    entries: PendingSpawn[];
    /** What was observed of each entry's session, by session name. */
    sessions: Record<string, SpawnSessionState>;
  };

/**
 * A pending spawn's session as observed: showing the agent's prompt
 * (nudge it), not yet (keep waiting), gone (drop the entry), or tmux could
 * not be read (keep it). Spawns whose session is not this town's are
 * dropped by decide before they get here.
 */
export type SpawnSessionState = "ready" | "waiting" | "gone" | "unreadable";

/** Boot's status file (`.boot-status.json`). */
export interface BootStatus {
  running: boolean;
  started_at: string;
  completed_at: string;
  last_action?: string;
  target?: string;
  error?: string;
}
