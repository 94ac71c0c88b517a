/**
 * What every command shares: the I/O port, town resolution, interval
 * parsing, and styled output (glyphs always, as the reference prints them;
 * colour only on a terminal and never with `NO_COLOR`).
 *
 * @module
 */

import { join } from "../posix_path.ts";
import { UsageError } from "../errors.ts";
import { parseDuration } from "../gotime.ts";
import { type DiscoverFs, findTown, isTown } from "../town/discover.ts";

/** The process facts and I/O a command uses. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  tty: boolean;
  discoverFs: DiscoverFs;
}

/** Default heartbeat interval: 3 minutes, like the reference. */
export const DEFAULT_INTERVAL_MS = 180_000;

/** Smallest interval accepted (tests and benchmarks use short ones). */
export const MIN_INTERVAL_MS = 10;

/**
 * Finds the town: `--town`, else `GT_TOWN_ROOT`, else a walk up from the
 * current directory, else `~/gt` when it is a town.
 */
export async function resolveTown(
  io: CliIo,
  flag: string | undefined,
): Promise<string> {
  const explicit = flag ?? io.env.GT_TOWN_ROOT;
  if (explicit !== undefined && explicit !== "") {
    const dir = explicit.startsWith("/") ? explicit : join(io.cwd, explicit);
    const found = await findTown(dir, io.discoverFs, io.cwd);
    if (found !== null && (await isTown(dir, io.discoverFs))) return found;
    const source = flag !== undefined ? "--town" : "GT_TOWN_ROOT";
    throw new UsageError(
      `Not a Gas Town workspace: "${dir}" (from ${source}) has no "mayor/town.json" or "mayor/" directory`,
    );
  }
  const found = await findTown(io.cwd, io.discoverFs, io.cwd);
  if (found !== null) return found;
  const home = io.env.HOME;
  if (home && (await isTown(join(home, "gt"), io.discoverFs))) {
    return join(home, "gt");
  }
  throw new UsageError(
    `Not in a Gas Town workspace: no "mayor/town.json" or "mayor/" directory found from "${io.cwd}" upward` +
      (home ? ` or in "${join(home, "gt")}"` : "") +
      `; use --town DIR or set GT_TOWN_ROOT`,
  );
}

/** Resolves the heartbeat interval from `--interval` or `GT_DAEMON_INTERVAL`. */
export function resolveInterval(
  io: CliIo,
  flag: string | undefined,
): number {
  const text = flag ?? io.env.GT_DAEMON_INTERVAL;
  if (text === undefined || text === "") return DEFAULT_INTERVAL_MS;
  const ms = parseDuration(text);
  const source = flag !== undefined ? "--interval" : "GT_DAEMON_INTERVAL";
  if (ms === null || ms < MIN_INTERVAL_MS) {
    throw new UsageError(
      `Invalid ${source}: "${text}": use a duration such as "500ms", "2s" or "3m" (at least ${MIN_INTERVAL_MS}ms)`,
    );
  }
  return ms;
}

/** Glyph helpers: bold/dim only on a colour terminal. */
export function styler(io: CliIo) {
  const wrap = (code: string, text: string) =>
    io.tty ? `\x1b[${code}m${text}\x1b[0m` : text;
  return {
    ok: (text: string) => `${wrap("32;1", "✓")} ${text}`,
    running: (text: string) => `${wrap("32;1", "●")} ${text}`,
    stopped: (text: string) => `${wrap("2", "○")} ${text}`,
    warn: (text: string) => `${wrap("33;1", "⚠")} ${text}`,
    bold: (text: string) => wrap("1", text),
  };
}

/** Parses `-n`-style integers strictly. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`Invalid ${flag}: "${text}": expected a whole number`);
  }
  return Number(text);
}
