/**
 * The town files a heartbeat reads: the Deacon heartbeat, the Boot marker,
 * pending spawns, town and rig agent commands, bead prefixes, refinery
 * worktrees and each rig's polecat directories. What cannot be read becomes
 * a problem line or a null field, never an exception.
 *
 * @module
 */

import type { Fs } from "../adapters/fs.ts";
import { errorMessage } from "../errors.ts";
import { validateName } from "../town/names.ts";
import { rigPaths, townPaths } from "../town/paths.ts";
import { parsePending } from "../town/pending.ts";
import { agentArgv, parseRuntimeConfig } from "../town/runtime_config.ts";
import { parseHeartbeat, parseRoutes } from "../town/town_files.ts";
import type { PendingSpawn } from "./types.ts";

/** Largest town file read. */
export const MAX_FILE = 4 * 1024 * 1024;

/** Input of {@link readTownFiles}. */
export interface TownFilesInput {
  /** Rigs named in the rigs file. */
  rigs: readonly string[];
  /** Text of `routes.jsonl`, or null. */
  routesText: string | null;
  /** False: only the default agent command is resolved; nothing is read. */
  wantFiles: boolean;
  fs: Fs;
  /** Resolves argv[0] of an agent command to an absolute path when possible. */
  resolveArgv(argv: string[]): string[];
  /** Reads a file, recording a problem and returning null when it cannot. */
  readText(path: string, what: string): Promise<string | null>;
  /** Receives a line for each thing that could not be read or was skipped. */
  problems: string[];
}

/** What {@link readTownFiles} read. */
export interface TownFiles {
  deaconHeartbeat: Date | null;
  bootMarkerMtimeMs: number | null;
  /** Null when the pending file could not be read ({@link pendingError}). */
  pending: PendingSpawn[] | null;
  pendingError: string | null;
  /** Valid polecat directory names by rig, sorted. */
  polecats: Map<string, string[]>;
  townArgv: string[];
  rigAgentArgv: Map<string, string[]>;
  rigPrefixes: Map<string, string>;
  refineryWorktrees: Set<string>;
  /** Agent commands that did not resolve to a path, by rig ("" for the town). */
  missingAgentCommands: Map<string, string>;
}

/** Reads the town files of `town` (see the module comment). */
export async function readTownFiles(
  town: string,
  input: TownFilesInput,
): Promise<TownFiles> {
  const { rigs, routesText, wantFiles, fs, resolveArgv, readText, problems } =
    input;
  const paths = townPaths(town);
  let deaconHeartbeat: Date | null = null;
  let bootMarkerMtimeMs: number | null = null;
  let pending: PendingSpawn[] | null = [];
  let pendingError: string | null = null;
  const polecats = new Map<string, string[]>();
  const rigAgentArgv = new Map<string, string[]>();
  const rigPrefixes = new Map<string, string>();
  const refineryWorktrees = new Set<string>();
  let townArgv: string[] = resolveArgv(agentArgv(parseRuntimeConfig(null)));

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
      const st = await fs.stat(paths.bootMarker);
      bootMarkerMtimeMs = st?.mtimeMs ?? null;
    } catch {
      bootMarkerMtimeMs = null;
    }
    try {
      const parsed = parsePending(
        await fs.readText(paths.pending, MAX_FILE),
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
    townArgv = resolveArgv(agentArgv(townRuntime));
    const routes = parseRoutes(routesText);
    await Promise.all(rigs.map(async (rig) => {
      const rp = rigPaths(town, rig);
      const text = await readText(rp.settings, "rig settings");
      rigAgentArgv.set(
        rig,
        text === null
          ? townArgv
          : resolveArgv(agentArgv(parseRuntimeConfig(text))),
      );
      const prefix = routes.get(rig);
      if (prefix) rigPrefixes.set(rig, prefix);
      if (await fs.isDir(rp.refineryRig)) refineryWorktrees.add(rig);
      let entries;
      try {
        entries = await fs.readDir(rp.polecats);
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

  return {
    deaconHeartbeat,
    bootMarkerMtimeMs,
    pending,
    pendingError,
    polecats,
    townArgv,
    rigAgentArgv,
    rigPrefixes,
    refineryWorktrees,
    missingAgentCommands: missingCommands(townArgv, rigAgentArgv),
  };
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
