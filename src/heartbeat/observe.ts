/**
 * One read of the world per heartbeat: one `tmux list-panes -a`, one
 * `bd list --type=agent --json` per beads database (see `observe_beads.ts`),
 * one `gt mail inbox`, run concurrently, plus the town files; then a
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
import { rigPaths, townPaths } from "../town/paths.ts";
import { parsePending } from "../town/pending.ts";
import { parseRigs } from "../town/rigs.ts";
import { agentArgv, parseRuntimeConfig } from "../town/runtime_config.ts";
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
import { readRoleConfigs } from "./observe_roles.ts";
import { parseHeartbeat, parseRoutes } from "../town/town_files.ts";
import { captureSpawnScreens } from "./observe_spawns.ts";
import { GUPP_TIMEOUT_MS, polecatOfBead } from "./decide/recovery.ts";
import { sessionState } from "./decide/sessions.ts";
import type {
  AgentBead,
  MailMessage,
  PaneInfo,
  PendingSpawn,
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

const MAX_FILE = 4 * 1024 * 1024;

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
  const shows = scope.listed && scope.died?.length
    ? earlyShows(scope.listed, scope.died, ports.beads)
    : ports.beads;
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

  let deaconHeartbeat: Date | null = null;
  let bootMarkerMtimeMs: number | null = null;
  let pending: PendingSpawn[] | null = [];
  let pendingError: string | null = null;
  const polecats = new Map<string, string[]>();
  const rigAgentArgv = new Map<string, string[]>();
  const rigPrefixes = new Map<string, string>();
  const refineryWorktrees = new Set<string>();
  let townArgv: string[] = ports.resolveArgv(
    agentArgv(parseRuntimeConfig(null)),
  );

  if (wantFiles) {
    const hb = await readText(paths.deaconHeartbeat, "Deacon heartbeat");
    deaconHeartbeat = parseHeartbeat(hb);
    if (hb !== null && deaconHeartbeat === null) {
      problems.push(
        `Ignoring Deacon heartbeat "${paths.deaconHeartbeat}": no RFC 3339 "timestamp" in ${
          JSON.stringify(hb.slice(0, 40))
        }`,
      );
    }
    try {
      const st = await ports.fs.stat(paths.bootMarker);
      bootMarkerMtimeMs = st?.mtimeMs ?? null;
    } catch {
      bootMarkerMtimeMs = null;
    }
    try {
      const parsed = parsePending(
        await ports.fs.readText(paths.pending, MAX_FILE),
      );
      pending = parsed.spawns;
      if (parsed.skipped > 0) {
        problems.push(
          `Skipped ${parsed.skipped} malformed pending spawn entr${
            parsed.skipped === 1 ? "y" : "ies"
          }`,
        );
      }
    } catch (err) {
      pending = null;
      pendingError = `loading pending: ${errorMessage(err)}`;
    }
    const townRuntime = parseRuntimeConfig(
      await readText(paths.townSettings, "town settings"),
    );
    townArgv = ports.resolveArgv(agentArgv(townRuntime));
    const routes = parseRoutes(routesText);
    await Promise.all(rigs.map(async (rig) => {
      const rp = rigPaths(town, rig);
      const text = await readText(rp.settings, "rig settings");
      rigAgentArgv.set(
        rig,
        text === null
          ? townArgv
          : ports.resolveArgv(agentArgv(parseRuntimeConfig(text))),
      );
      const prefix = routes.get(rig);
      if (prefix) rigPrefixes.set(rig, prefix);
      if (await ports.fs.isDir(rp.refineryRig)) refineryWorktrees.add(rig);
      let entries;
      try {
        entries = await ports.fs.readDir(rp.polecats);
      } catch (err) {
        problems.push(
          `Cannot list polecats of rig "${rig}": ${errorMessage(err)}`,
        );
        entries = null;
      }
      const names: string[] = [];
      for (const e of entries ?? []) {
        if (!e.isDirectory || e.isSymlink || e.name.startsWith(".")) continue;
        const bad = validateName("polecat", e.name);
        if (bad) {
          problems.push(`Ignoring polecat directory in rig "${rig}": ${bad}`);
          continue;
        }
        names.push(e.name);
      }
      polecats.set(rig, names.sort());
    }));
  }

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
    ? await captureSpawnScreens(pending, m.mail, t.sessions, ports.tmux)
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
    deaconHeartbeat,
    bootMarkerMtimeMs,
    polecats,
    mail: m.mail,
    mailError: m.error,
    pending,
    pendingError,
    agentArgv: townArgv,
    rigAgentArgv,
    missingAgentCommands: missingCommands(townArgv, rigAgentArgv),
    rigPrefixes,
    refineryWorktrees,
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

/** The agent commands that did not resolve to a path, by rig ("" for the town). */
function missingCommands(
  townArgv: readonly string[],
  rigArgv: ReadonlyMap<string, readonly string[]>,
): Map<string, string> {
  const out = new Map<string, string>();
  const check = (rig: string, argv: readonly string[]) => {
    const cmd = argv[0];
    if (cmd !== undefined && !cmd.includes("/")) out.set(rig, cmd);
  };
  check("", townArgv);
  for (const [rig, argv] of rigArgv) check(rig, argv);
  return out;
}
