/**
 * Finds the real `bd` and `gt` for the tests under `tests/real/`.
 *
 * Lookup order for each tool:
 * 1. `GT_DAEMON_REAL_BD` / `GT_DAEMON_REAL_GT`: an executable built elsewhere
 *    (for a run by hand);
 * 2. `<repo>/.cache/real-tools/bin/<name>`, installed by `deno task real-tools`;
 * 3. none: the result carries a one-line reason (Go missing, the module proxy
 *    refused the module, or the task was not run) for the test to print as it
 *    skips. A missing tool is never replaced by a stand-in.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The real tools the tests can use. */
export type RealToolName = "bd" | "gt";

/** A found tool (`path`) or the reason it is missing (`path` null). */
export type RealTool =
  | { readonly name: RealToolName; readonly path: string; readonly skip: null }
  | { readonly name: RealToolName; readonly path: null; readonly skip: string };

/** The repository root. */
const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(
  /\/$/,
  "",
);

/** Where `deno task real-tools` keeps its work (ignored by git). */
export const REAL_TOOLS_DIR = `${REPO}/.cache/real-tools`;

/** The environment variable that points at a tool built elsewhere. */
export function realToolEnvVar(name: RealToolName): string {
  return `GT_DAEMON_REAL_${name.toUpperCase()}`;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function readFirstLine(path: string): string | null {
  try {
    const line = Deno.readTextFileSync(path).split("\n")[0]?.trim() ?? "";
    return line === "" ? null : line;
  } catch {
    return null;
  }
}

function goOnPath(): boolean {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "");
  return dirs.some((dir) => isExecutableFile(`${dir}/go`));
}

/**
 * Finds one real tool (synchronously, so a test can decide `ignore` when it
 * is declared).
 */
export function findRealTool(name: RealToolName): RealTool {
  const envVar = realToolEnvVar(name);
  const fromEnv = Deno.env.get(envVar);
  if (fromEnv !== undefined && fromEnv !== "") {
    if (isExecutableFile(fromEnv)) {
      return { name, path: fromEnv, skip: null };
    }
    return {
      name,
      path: null,
      skip:
        `real ${name} skipped: ${envVar}="${fromEnv}" is not an executable file`,
    };
  }
  const cached = `${REAL_TOOLS_DIR}/bin/${name}`;
  if (isExecutableFile(cached)) return { name, path: cached, skip: null };
  const recorded = readFirstLine(`${REAL_TOOLS_DIR}/${name}.unavailable`);
  if (recorded !== null) {
    return {
      name,
      path: null,
      skip:
        `real ${name} skipped: ${recorded} (set ${envVar} to a ${name} built elsewhere${
          name === "gt"
            ? ', or build it with "deno task real-tools --gt-source <gastown repository>"'
            : ""
        })`,
    };
  }
  if (!goOnPath()) {
    return {
      name,
      path: null,
      skip:
        `real ${name} skipped: go is not installed, so "deno task real-tools" cannot install it`,
    };
  }
  return {
    name,
    path: null,
    skip: `real ${name} skipped: not installed; run "deno task real-tools"`,
  };
}

/**
 * Finds the named tools; `skip` is the first missing tool's reason, printed
 * once on stderr, or null when all are present.
 */
export function findRealTools(
  names: readonly RealToolName[],
): { tools: Record<RealToolName, string | null>; skip: string | null } {
  const tools: Record<RealToolName, string | null> = { bd: null, gt: null };
  let skip: string | null = null;
  for (const name of names) {
    const found = findRealTool(name);
    tools[name] = found.path;
    if (found.path === null && skip === null) skip = found.skip;
  }
  if (skip !== null) console.error(skip);
  return { tools, skip };
}
