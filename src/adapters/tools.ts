/**
 * The programs the daemon runs, and the daemon itself as a program.
 *
 * Contract: a tool is found the way `execvp` would find it, but over a wider
 * list of directories, because cron and launchd start the daemon with
 * `PATH=/usr/bin:/bin`. The search order is every absolute `PATH` entry,
 * then `~/.local/bin`, `~/bin`, `~/go/bin`, `/usr/local/bin`,
 * `/opt/homebrew/bin`, then the directories set in config. A name that
 * contains `/` is taken as a path. A candidate counts when it is a regular
 * file (after symlinks) with an execute bit set.
 *
 * Re-running this program: a compiled binary (`Deno.build.standalone`) is
 * `[Deno.execPath()]`; under `deno run` it is
 * `[Deno.execPath(), "run", ...PERMISSION_FLAGS, "--no-prompt",
 * "--v8-flags=<V8_FLAGS>", --config or --no-config, <main module path>]`, so
 * the child has exactly the permissions and V8 flags a compiled binary has
 * (`deno compile` bakes both in).
 *
 * @module
 */

import { dirname, fileUrlToPath, isAbsolute, join } from "../posix_path.ts";
import { programMtime, programPath } from "./os.ts";

/**
 * The permissions the program runs with, shared by `deno compile` and by the
 * `deno run` re-spawn: all of them. Narrower flags would protect nothing,
 * since the program must run arbitrary programs (`tmux`, `gt`, `bd`, `git`,
 * the agent command, found at run time), and Deno refuses every read under
 * `/proc` without `--allow-all`: the lock probe reads `/proc/locks` (it must
 * not take the lock to see who holds it) and the tmux SIGCHLD nudge reads
 * `/proc/<pid>/stat`.
 */
export const PERMISSION_FLAGS: readonly string[] = ["--allow-all"];

/**
 * V8 flags the program runs with, given to `deno compile` and to every
 * `deno run` re-spawn. A 1 MiB semi-space keeps the young generation of an
 * idle daemon (a few MiB of live heap) from widening to V8's default maximum
 * and keeping that memory resident; scavenges stay short. `--max-opt=2`
 * stops at the Maglev compiler: TurboFan's code and its pages of the
 * executable cost about 5 MiB of resident memory, and a daemon that sleeps
 * between short passes gains nothing from it.
 */
export const V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=1",
  "--max-opt=2",
];

/** Returns the `--v8-flags=` argument of `deno run` and `deno compile`. */
export function v8FlagsArg(flags: readonly string[] = V8_FLAGS): string {
  return `--v8-flags=${flags.join(",")}`;
}

/** The tools the daemon resolves at startup, besides the agent command. */
export const DAEMON_TOOLS: readonly string[] = ["tmux", "gt", "bd", "git"];

/** Directories searched after `PATH`; `~` is the user's home. */
export const FALLBACK_DIRS: readonly string[] = [
  "~/.local/bin",
  "~/bin",
  "~/go/bin",
  "/usr/local/bin",
  "/opt/homebrew/bin",
];

/** Agent identity variables the daemon must not pass on from its parent. */
export const AGENT_ENV_VARS: readonly string[] = [
  "GT_ROLE",
  "GT_RIG",
  "GT_POLECAT",
  "GT_CREW",
  "BD_ACTOR",
  "GIT_AUTHOR_NAME",
  "BEADS_AGENT_NAME",
  "BEADS_DIR",
  "BEADS_NO_DAEMON",
];

/** Input of {@link resolveTools}. */
export interface ResolveToolsOptions {
  /** Program names (or paths) to find. */
  names: readonly string[];
  /** Directories from config, searched last. */
  extraDirs?: readonly string[];
  /** The environment to take `PATH` and `HOME` from. */
  env: { PATH?: string | undefined; HOME?: string | undefined };
  /** Tells whether a path is an executable file; {@link isExecutable} by default. */
  isExecutable?: (path: string) => boolean;
}

/** What {@link resolveTools} found. */
export interface ToolResolution {
  /** Name → absolute path, for every tool found. */
  found: Record<string, string>;
  /** Names not found anywhere, in input order. */
  missing: string[];
  /** The directories searched, in order, without duplicates. */
  searched: string[];
}

/** True when `path` is a regular file (after symlinks) with an execute bit. */
export function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Returns the directories to search, in order: PATH, fallbacks, extras. */
export function toolSearchDirs(
  env: { PATH?: string | undefined; HOME?: string | undefined },
  extraDirs: readonly string[] = [],
): string[] {
  const home = env.HOME;
  const expand = (dir: string): string | undefined => {
    if (dir === "~" || dir.startsWith("~/")) {
      return home && isAbsolute(home) ? join(home, dir.slice(1)) : undefined;
    }
    return dir;
  };
  const out: string[] = [];
  const fromPath = (env.PATH ?? "").split(":");
  for (const raw of [...fromPath, ...FALLBACK_DIRS, ...extraDirs]) {
    const dir = expand(raw.trim());
    // Relative PATH entries would depend on the daemon's cwd; skip them.
    if (dir === undefined || !isAbsolute(dir)) continue;
    const clean = dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
    if (!out.includes(clean)) out.push(clean);
  }
  return out;
}

/** Resolves each name to an absolute executable path (see module doc). */
export function resolveTools(options: ResolveToolsOptions): ToolResolution {
  const check = options.isExecutable ?? isExecutable;
  const searched = toolSearchDirs(options.env, options.extraDirs);
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of options.names) {
    if (name === "" || Object.hasOwn(found, name) || missing.includes(name)) {
      continue;
    }
    let hit: string | undefined;
    if (name.includes("/")) {
      if (isAbsolute(name) && check(name)) hit = name;
    } else {
      hit = searched.map((d) => join(d, name)).find((p) => check(p));
    }
    if (hit === undefined) missing.push(name);
    else found[name] = hit;
  }
  return { found, missing, searched };
}

/** Formats a resolution as log lines: one per tool found, one per missing tool. */
export function toolReport(result: ToolResolution): string[] {
  const lines = Object.entries(result.found).map(([name, path]) =>
    `Tool "${name}" found: ${path}`
  );
  for (const name of result.missing) {
    lines.push(
      `Tool "${name}" not found: searched ${
        result.searched.join(":")
      }; steps that need it are skipped`,
    );
  }
  return lines;
}

/**
 * Builds a PATH for service units: the directories of the tools found, then
 * `/usr/local/bin:/usr/bin:/bin`, without duplicates.
 */
export function servicePath(found: Record<string, string>): string {
  const dirs = [...Object.values(found).map((p) => dirname(p))];
  dirs.push("/usr/local/bin", "/usr/bin", "/bin");
  return [...new Set(dirs)].join(":");
}

/**
 * Removes the inherited agent identity variables from this process's
 * environment, then sets `set`; returns the names that were removed.
 */
export function scrubAgentEnv(
  options: { set?: Record<string, string> } = {},
): string[] {
  const removed: string[] = [];
  for (const name of AGENT_ENV_VARS) {
    if (Deno.env.get(name) !== undefined) {
      Deno.env.delete(name);
      removed.push(name);
    }
  }
  for (const [key, value] of Object.entries(options.set ?? {})) {
    Deno.env.set(key, value);
  }
  return removed;
}

/** What {@link selfCommandFor} needs to know about the running program. */
export interface SelfFacts {
  /** True in a `deno compile` binary. */
  standalone: boolean;
  /** `Deno.execPath()`: the binary, or the `deno` executable. */
  execPath: string;
  /** `Deno.mainModule` (a URL). */
  mainModule: string;
  /** `deno.json` beside the main module, if there is one. */
  configPath?: string | undefined;
}

/** Returns the argv prefix that re-runs the program described by `facts`. */
export function selfCommandFor(facts: SelfFacts): string[] {
  if (facts.standalone) return [facts.execPath];
  const main = facts.mainModule.startsWith("file:")
    ? fileUrlToPath(facts.mainModule)
    : facts.mainModule;
  const config = facts.configPath === undefined
    ? ["--no-config"]
    : ["--config", facts.configPath];
  return [
    facts.execPath,
    "run",
    ...PERMISSION_FLAGS,
    "--no-prompt",
    v8FlagsArg(),
    ...config,
    main,
  ];
}

/** Returns the argv prefix that re-runs this program (append the CLI args). */
export function selfCommand(): string[] {
  const facts: SelfFacts = {
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
  };
  if (!facts.standalone && facts.mainModule.startsWith("file:")) {
    const config = join(dirname(fileUrlToPath(facts.mainModule)), "deno.json");
    if (isFile(config)) facts.configPath = config;
  }
  return selfCommandFor(facts);
}

/** Facts about the running program for `status` and the log. */
export interface RuntimeInfo {
  /** The Deno version (`Deno.version.deno`). */
  deno: string;
  /** True in a `deno compile` binary. */
  standalone: boolean;
  /** `Deno.execPath()`. */
  execPath: string;
  /** The file an upgrade replaces: the binary, or the main module under `deno run`. */
  program: string;
  /** Modification time of `program`, or null when it cannot be read. */
  programMtime: Date | null;
}

/** Returns {@link RuntimeInfo} for this process. */
export function runtimeInfo(): RuntimeInfo {
  return {
    deno: Deno.version.deno,
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    program: programPath(),
    programMtime: programMtime(),
  };
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
