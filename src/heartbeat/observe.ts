/**
 * One read of the world per heartbeat: one `tmux list-panes -a`, one
 * `bd list --type=agent --json` per beads database (see `observe_beads.ts`),
 * one `gt mail inbox`, run concurrently, plus the town files (see
 * `observe_files.ts`); then a
 * `bd show` for each polecat bead a check could act on. Every failure
 * becomes a field of the snapshot (null with an error text), never an
 * exception: each check decides with what could be read.
 *
 * @module
 */

import type { Beads } from "../adapters/beads.ts";
import type { Fs } from "../adapters/fs.ts";
import type { Mail } from "../adapters/mail.ts";
import type { TmuxCore } from "../adapters/tmux_core.ts";
import { CommandNotFoundError, errorMessage } from "../errors.ts";
import { validateName } from "../town/names.ts";
import { townPaths } from "../town/paths.ts";
import { parseRigs } from "../town/rigs.ts";
import {
  beadDatabases,
  type BeadsRead,
  earlyShows,
  listAllAgents,
  parseRouteLines,
  polecatBeadsToShow,
  showColumns,
  unlistedDown,
} from "./observe_beads.ts";
import { MAX_FILE, readTownFiles } from "./observe_files.ts";
import { readRoleConfigs } from "./observe_roles.ts";
import { captureSpawnScreens } from "./observe_spawns.ts";
import { GUPP_TIMEOUT_MS, polecatOfBead } from "./decide/recovery.ts";
import { sessionState } from "./decide/sessions.ts";
import type {
  AgentBead,
  MailMessage,
  PaneInfo,
  TownSnapshot,
} from "./types.ts";

/** The ports observation reads through. */
export interface ObservePorts {
  tmux: Pick<TmuxCore, "listPanes" | "capturePane">;
  /** With `listAgentsDetailed`, entries too large to read are reported. */
  beads:
    & Pick<Beads, "listAgents" | "show" | "getRoleConfig">
    & Partial<Pick<Beads, "listAgentsDetailed">>;
  /** With `inboxDetailed`, messages too large to read are reported. */
  mail: Pick<Mail, "inbox"> & Partial<Pick<Mail, "inboxDetailed">>;
  fs: Fs;
  /** `GT_DEGRADED=true` in the daemon's environment. */
  degradedEnv: boolean;
  /** Resolves argv[0] of an agent command to an absolute path when possible. */
  resolveArgv(argv: string[]): string[];
}

/** What to read; a lifecycle-only pass skips beads and town files. */
export interface ObserveScope {
  beads?: boolean;
  mail?: boolean;
  files?: boolean;
  /**
   * Agent beads an earlier pass listed, used instead of listing every
   * database again (a crash-event pass: only the beads of unhealthy polecat
   * sessions are read afresh, with `bd show`). Not used when an unhealthy
   * polecat has no bead in it.
   */
  listed?: ReadonlyMap<string, AgentBead>;
  /** Receives what this pass listed, before `bd show` adds any column. */
  onListed?: (beads: ReadonlyMap<string, AgentBead>) => void;
  /** Sessions whose agents just died: with `listed`, their beads are read at once. */
  died?: readonly string[];
}

/** Reads the town into a snapshot. */
export async function observe(
  town: string,
  ports: ObservePorts,
  now: Date,
  scope: ObserveScope = {},
): Promise<TownSnapshot> {
  const paths = townPaths(town);
  const problems: string[] = [];
  const wantBeads = scope.beads ?? true;
  const wantMail = scope.mail ?? true;
  const wantFiles = scope.files ?? true;

  const readText = async (
    path: string,
    what: string,
  ): Promise<string | null> => {
    try {
      return await ports.fs.readText(path, MAX_FILE);
    } catch (err) {
      problems.push(`Cannot read ${what} "${path}": ${errorMessage(err)}`);
      return null;
    }
  };

  // The dead agents' `bd show`s are the slowest step of a crash restart:
  // they start before anything else.
  const shows = scope.listed && scope.died?.length
    ? earlyShows(scope.listed, scope.died, ports.beads)
    : ports.beads;
  const tmuxP = ports.tmux.listPanes().then(
    (m) => ({
      sessions: m as ReadonlyMap<string, PaneInfo[]>,
      error: null,
      available: true,
    }),
    (err) => ({
      sessions: null,
      error: `tmux: ${errorMessage(err)}`,
      // The tmux adapter wraps a missing program in a TmuxError.
      available: !(err instanceof CommandNotFoundError ||
        (err instanceof Error && err.cause instanceof CommandNotFoundError)),
    }),
  );
  const mailP = wantMail
    ? readInbox(ports.mail).then(
      (inbox) => {
        problems.push(...inbox.unreadable);
        return { mail: inbox.messages as MailMessage[] | null, error: null };
      },
      (err) => ({ mail: null, error: `gt mail: ${errorMessage(err)}` }),
    )
    : Promise.resolve({ mail: [] as MailMessage[] | null, error: null });

  const rigsText = await readText(paths.rigs, "rigs file");
  const rigsResult = parseRigs(rigsText);
  const rigs = rigsResult.rigs;
  const routesText = wantBeads || wantFiles
    ? await readText(`${paths.townBeads}/routes.jsonl`, "bead routes")
    : null;
  const listBeads = async (): Promise<BeadsRead> => {
    const dbs = await beadDatabases(town, {
      rigs,
      routes: parseRouteLines(routesText),
      fs: ports.fs,
    });
    const read = await listAllAgents(dbs, ports.beads);
    if (read.beads !== null) scope.onListed?.(new Map(read.beads));
    return read;
  };
  const beadsP: Promise<BeadsRead> = !wantBeads
    ? Promise.resolve({
      beads: new Map<string, AgentBead>(),
      error: null,
      unreadable: [],
    })
    : scope.listed
    ? Promise.resolve({
      beads: new Map(scope.listed),
      error: null,
      unreadable: [],
    })
    : listBeads();

  const files = await readTownFiles(town, {
    rigs,
    routesText,
    wantFiles,
    fs: ports.fs,
    resolveArgv: ports.resolveArgv,
    readText,
    problems,
  });
  const { polecats, rigAgentArgv, rigPrefixes, townArgv } = files;

  const [t, listed, m] = await Promise.all([tmuxP, beadsP, mailP]);
  let b = listed;
  const view = { sessions: t.sessions, agentArgv: townArgv };
  const healthy = (s: string) =>
    sessionState(view as TownSnapshot, s) === "healthy";
  // Only polecats the daemon could act on (valid names) are shown.
  const polecatOf = (id: string) => {
    const p = polecatOfBead(id, rigs, rigPrefixes);
    return p && validateName("polecat", p.name) === null ? p : null;
  };
  if (
    wantBeads && scope.listed && b.beads !== null &&
    unlistedDown(b.beads, polecats, healthy, polecatOf)
  ) b = await listBeads();
  problems.push(...b.unreadable);
  if (wantBeads && b.beads !== null) {
    const toShow = polecatBeadsToShow({
      beads: b.beads,
      sessions: t.sessions,
      healthy,
      polecatOf,
      now,
      // A pass on an earlier listing only restarts: no GUPP reads.
      idleMs: scope.listed ? Infinity : GUPP_TIMEOUT_MS,
    });
    problems.push(...await showColumns(b.beads, toShow, shows));
  }
  const roleConfigs = await readRoleConfigs(m.mail, ports.beads, now, problems);
  const spawnScreens = wantFiles
    ? await captureSpawnScreens(files.pending, m.mail, t.sessions, ports.tmux)
    : new Map<string, string>();
  return {
    town,
    now,
    rigs,
    rigProblems: rigsResult.problems,
    beads: b.beads,
    beadsError: b.error,
    sessions: t.sessions,
    tmuxError: t.error,
    tmuxAvailable: t.available,
    degraded: ports.degradedEnv || !t.available,
    deaconHeartbeat: files.deaconHeartbeat,
    bootMarkerMtimeMs: files.bootMarkerMtimeMs,
    polecats,
    mail: m.mail,
    mailError: m.error,
    pending: files.pending,
    pendingError: files.pendingError,
    agentArgv: townArgv,
    rigAgentArgv,
    missingAgentCommands: files.missingAgentCommands,
    rigPrefixes,
    refineryWorktrees: files.refineryWorktrees,
    roleConfigs,
    spawnScreens,
    problems,
  };
}

/** The inbox, with what could not be read when the port can tell. */
function readInbox(
  mail: ObservePorts["mail"],
): Promise<{ messages: MailMessage[]; unreadable: string[] }> {
  return mail.inboxDetailed
    ? mail.inboxDetailed()
    : mail.inbox().then((messages) => ({ messages, unreadable: [] }));
}
