/**
 * Reads the agent beads of a town from every beads database, where `gt`
 * puts them: the town's `<town>/.beads` (Mayor, Deacon, role beads and, at
 * the reference, each rig's Witness and Refinery) and each rig's database
 * (its polecats), found through `<town>/.beads/routes.jsonl` (paths relative
 * to the town root, `.` for the town) and the rig layout
 * (`<rig>/mayor/rig/.beads`, else `<rig>/.beads`).
 *
 * A real `bd list` sees only its own database and never prints the
 * `hook_bead` and `agent_state` columns, so a heartbeat costs one
 * `bd list` per database (run concurrently) plus one `bd show` per polecat
 * bead a check could act on: its session is not healthy, or its bead has
 * not moved for the GUPP timeout.
 *
 * @module
 */

import type { Beads } from "../adapters/beads.ts";
import type { Fs } from "../adapters/fs.ts";
import { errorMessage } from "../errors.ts";
import { polecatSession } from "../town/names.ts";
import type { AgentBead, PaneInfo } from "./types.ts";

/** Most `bd show` calls in flight at once. */
export const SHOW_CONCURRENCY = 4;

/** One line of `routes.jsonl`. */
export interface BeadRoute {
  prefix: string;
  path: string;
}

/** Valid `{prefix, path}` lines of `routes.jsonl`; others are skipped. */
export function parseRouteLines(text: string | null): BeadRoute[] {
  const out: BeadRoute[] = [];
  for (const line of (text ?? "").split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    try {
      const r = JSON.parse(t);
      if (typeof r?.prefix === "string" && typeof r?.path === "string") {
        if (r.prefix !== "" && r.path !== "") out.push(r);
      }
    } catch {
      // a bad line is skipped, as bd does
    }
  }
  return out;
}

/** A route path that stays inside the town (no `..`, not absolute). */
function safeRoutePath(path: string): boolean {
  if (path.startsWith("/")) return false;
  return path.split("/").every((seg) => seg !== ".." && seg !== "");
}

async function isDir(fs: Fs, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path))?.isDirectory === true;
  } catch {
    return false;
  }
}

/**
 * The beads databases (`.beads` directories) of a town, town first, each
 * once: routed ones whose path starts with a listed rig (or is `.`), then
 * each listed rig's by layout. Only existing directories count.
 */
export async function beadDatabases(
  town: string,
  options: { rigs: readonly string[]; routes: readonly BeadRoute[]; fs: Fs },
): Promise<string[]> {
  const dbs: string[] = [`${town}/.beads`];
  const add = (db: string) => {
    if (!dbs.includes(db)) dbs.push(db);
  };
  const rigs = new Set(options.rigs);
  for (const r of options.routes) {
    if (r.path === ".") continue;
    const rig = r.path.split("/")[0] ?? "";
    if (!safeRoutePath(r.path) || !rigs.has(rig)) continue;
    const db = `${town}/${r.path}/.beads`;
    if (await isDir(options.fs, db)) add(db);
  }
  for (const rig of options.rigs) {
    for (
      const db of [`${town}/${rig}/mayor/rig/.beads`, `${town}/${rig}/.beads`]
    ) {
      if (await isDir(options.fs, db)) {
        add(db);
        break;
      }
    }
  }
  return dbs;
}

/** What reading every database gave. */
export interface BeadsRead {
  /** Beads by id; null when no database could be read. */
  beads: Map<string, AgentBead> | null;
  /**
   * The failed databases, one `bd: <db>: <error>` line each; null when
   * none.
   */
  error: string | null;
  /** Entries that could not be read (too large), one line each. */
  unreadable: string[];
}

/**
 * Lists the agent beads of each database concurrently and merges them. An
 * id found in two databases keeps the first (town first). A failed
 * database is reported; the others still count.
 */
export async function listAllAgents(
  dbs: readonly string[],
  beads: Pick<Beads, "listAgents"> & Partial<Pick<Beads, "listAgentsDetailed">>,
): Promise<BeadsRead> {
  const list = (db: string) =>
    beads.listAgentsDetailed
      ? beads.listAgentsDetailed(db)
      : beads.listAgents(db).then((agents) => ({ agents, unreadable: [] }));
  const results = await Promise.all(dbs.map((db) =>
    list(db).then(
      (r) => ({ db, list: r.agents, unreadable: r.unreadable, error: null }),
      (err) => ({ db, list: null, unreadable: [], error: errorMessage(err) }),
    )
  ));
  const merged = new Map<string, AgentBead>();
  const errors: string[] = [];
  const unreadable: string[] = [];
  let read = 0;
  for (const r of results) {
    unreadable.push(...r.unreadable.map((u) => `${u} in ${r.db}`));
    if (r.list === null) {
      errors.push(`bd: ${r.db}: ${r.error}`);
      continue;
    }
    read++;
    for (const b of r.list) if (!merged.has(b.id)) merged.set(b.id, b);
  }
  return {
    beads: read === 0 ? null : merged,
    error: errors.length === 0 ? null : errors.join("\n"),
    unreadable,
  };
}

/** Input of {@link polecatBeadsToShow}. */
export interface ShowScope {
  beads: ReadonlyMap<string, AgentBead>;
  /** The tmux sessions; null when unreadable (then only idle beads count). */
  sessions: ReadonlyMap<string, PaneInfo[]> | null;
  /** Says whether a session holds a live agent. */
  healthy(session: string): boolean;
  /** Rig and polecat name of a polecat bead id; null for other beads. */
  polecatOf(id: string): { rig: string; name: string } | null;
  now: Date;
  /** A bead unchanged for longer than this is shown (GUPP). */
  idleMs: number;
}

/**
 * The polecat beads whose columns a check needs: the session is not
 * healthy (crash restart, orphaned work) or the bead has not moved for
 * `idleMs` (GUPP). Beads that already carry a column are skipped.
 */
export function polecatBeadsToShow(scope: ShowScope): AgentBead[] {
  const out: AgentBead[] = [];
  for (const bead of scope.beads.values()) {
    if (bead.hookBead !== "" || bead.agentState !== "") continue;
    const p = scope.polecatOf(bead.id);
    if (p === null) continue;
    const down = scope.sessions !== null &&
      !scope.healthy(polecatSession(p.rig, p.name));
    const idle = bead.updated !== null &&
      scope.now.getTime() - bead.updated.getTime() > scope.idleMs;
    if (down || idle) out.push(bead);
  }
  return out;
}

/**
 * Re-reads `list` with `bd show` in the database each came from (at most
 * {@link SHOW_CONCURRENCY} at once) and puts the result, columns included,
 * into `beads`. Returns the problems; a bead that cannot be shown keeps its
 * listed form.
 */
export async function showColumns(
  beads: Map<string, AgentBead>,
  list: readonly AgentBead[],
  port: Pick<Beads, "show">,
): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const bead = list[next++] as AgentBead;
      try {
        const shown = await port.show(bead.id, bead.db);
        if (shown !== null && shown.id === bead.id) beads.set(bead.id, shown);
      } catch (err) {
        problems.push(`Cannot show bead "${bead.id}": ${errorMessage(err)}`);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(SHOW_CONCURRENCY, list.length) }, worker),
  );
  return problems;
}

/** True when a polecat whose session is unhealthy has no bead in `beads`. */
export function unlistedDown(
  beads: ReadonlyMap<string, AgentBead>,
  polecats: ReadonlyMap<string, readonly string[]>,
  healthy: (session: string) => boolean,
  polecatOf: (id: string) => { rig: string; name: string } | null,
): boolean {
  const known = new Set<string>();
  for (const id of beads.keys()) {
    const p = polecatOf(id);
    if (p) known.add(`${p.rig}/${p.name}`);
  }
  for (const [rig, names] of polecats) {
    for (const name of names) {
      if (!known.has(`${rig}/${name}`) && !healthy(polecatSession(rig, name))) {
        return true;
      }
    }
  }
  return false;
}

/**
 * A `show` port that has already started `bd show` for the polecat beads
 * of `died` (sessions whose agents just died), found in `listed` by their
 * role and rig fields: those reads run beside the tmux listing instead of
 * after it. Other ids go to `port` as they come.
 */
export function earlyShows(
  listed: ReadonlyMap<string, AgentBead>,
  died: readonly string[],
  port: Pick<Beads, "show">,
): Pick<Beads, "show"> {
  type Settled = { bead: AgentBead | null } | { error: unknown };
  const early = new Map<string, Promise<Settled>>();
  const dead = new Set(died);
  for (const bead of listed.values()) {
    const at = bead.id.lastIndexOf("-polecat-");
    if (bead.fields.roleType !== "polecat" || bead.fields.rig === "") continue;
    if (at < 0) continue;
    const name = bead.id.slice(at + "-polecat-".length);
    if (!dead.has(polecatSession(bead.fields.rig, name))) continue;
    early.set(
      bead.id,
      port.show(bead.id, bead.db).then((b) => ({ bead: b }), (error) => ({
        error,
      })),
    );
  }
  return {
    show: async (id, db) => {
      const e = early.get(id);
      if (e === undefined) return await port.show(id, db);
      const r = await e;
      if ("error" in r) throw r.error;
      return r.bead;
    },
  };
}
