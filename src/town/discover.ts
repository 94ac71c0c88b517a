/**
 * Finding the town root (the reference's `workspace.Find`): walk up from a
 * start directory looking for `mayor/town.json` (primary marker) and a
 * `mayor/` directory (secondary marker). Inside a worktree (a path with
 * `/polecats/` or `/crew/`) the outermost primary marker wins, so a fixture
 * town inside a polecat's checkout is skipped.
 *
 * @module
 */

import { dirname, isAbsolute, normalize, resolve } from "../posix_path.ts";

/** The two questions discovery asks of the file system. */
export interface DiscoverFs {
  /** True when `path` exists (any type). */
  exists(path: string): Promise<boolean>;
  /** True when `path` is a directory (symlinks followed). */
  isDir(path: string): Promise<boolean>;
}

/** Returns the town root for `startDir`, or null when there is none. */
export async function findTown(
  startDir: string,
  fs: DiscoverFs,
  cwd = "/",
): Promise<string | null> {
  const start = normalize(
    isAbsolute(startDir) ? startDir : resolve(cwd, startDir),
  ).replace(/(.)\/+$/, "$1");
  const inWorktree = start.includes("/polecats/") ||
    start.includes("/crew/");
  let primary: string | null = null;
  let secondary: string | null = null;
  let dir = start;
  while (true) {
    if (await fs.exists(`${dir === "/" ? "" : dir}/mayor/town.json`)) {
      if (!inWorktree) return dir;
      primary = dir;
    }
    if (
      secondary === null && await fs.isDir(`${dir === "/" ? "" : dir}/mayor`)
    ) {
      secondary = dir;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return primary ?? secondary;
}

/** True when `dir` itself carries a town marker. */
export async function isTown(dir: string, fs: DiscoverFs): Promise<boolean> {
  return await fs.exists(`${dir}/mayor/town.json`) ||
    await fs.isDir(`${dir}/mayor`);
}
