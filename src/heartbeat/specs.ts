/**
 * Session specifications per role: where an agent runs, its tmux
 * environment, its theme and the command line that starts it. Pure; every
 * rig and agent name here has already passed `validateName`, and every value
 * that reaches the command line is shell-quoted by the startup builders.
 *
 * @module
 */

import { normalize } from "../posix_path.ts";
import { rigPaths } from "../town/paths.ts";
import {
  bootStartup,
  crewStartup,
  deaconStartup,
  polecatStartup,
  type RecipeOptions,
  refineryStartup,
  witnessStartup,
} from "../town/startup.ts";
import { sessionEnv } from "../town/session_env.ts";
import { assignTheme, MAYOR_THEME } from "../town/theme.ts";
import {
  BOOT_SESSION,
  crewSession,
  deaconSession,
  mayorSession,
  polecatSession,
  refinerySession,
  witnessSession,
} from "../town/names.ts";
import { agentStartup } from "../town/startup.ts";
import { expandRolePattern, type RoleConfig } from "../town/bead_text.ts";
import type { AgentIdentity } from "../town/names.ts";
import type { SessionSpec } from "./types.ts";

/** What the spec builders need to know about the town. */
export interface SpecContext {
  town: string;
  /** Agent argv (argv[0] absolute when resolved). */
  agentArgv: readonly string[];
  /**
   * Whether a rig's `refinery/rig` work directory exists (else the
   * Refinery starts in the rig root); assumed when absent.
   */
  hasRefineryWorktree?: (rig: string) => boolean;
}

function recipe(
  ctx: SpecContext,
  extra: Partial<RecipeOptions> = {},
): RecipeOptions {
  // The agent replaces the shell (`exec`): when it exits the pane dies, and
  // tmux reports the agent, not the shell, as the pane's command.
  return { agentArgv: ctx.agentArgv, exec: true, ...extra };
}

/** The Deacon, in `<town>/deacon`. */
export function deaconSpec(ctx: SpecContext): SessionSpec {
  return {
    agent: "deacon",
    session: deaconSession(),
    workDir: `${ctx.town}/deacon`,
    requireWorkDir: false,
    env: sessionEnv("deacon"),
    command: deaconStartup(recipe(ctx)),
    preSync: false,
  };
}

/** Boot, in `<town>/deacon/dogs/boot`, started with the `gt boot triage` prompt. */
export function bootSpec(ctx: SpecContext): SessionSpec {
  return {
    agent: "boot",
    session: BOOT_SESSION,
    workDir: `${ctx.town}/deacon/dogs/boot`,
    requireWorkDir: false,
    env: sessionEnv("boot"),
    command: bootStartup(recipe(ctx)),
    preSync: false,
  };
}

/** The Mayor, in the town root. */
export function mayorSpec(ctx: SpecContext): SessionSpec {
  return {
    agent: "mayor",
    session: mayorSession(),
    workDir: ctx.town,
    requireWorkDir: false,
    env: sessionEnv("mayor"),
    command: agentStartup("mayor", "mayor", recipe(ctx)),
    theme: { ...MAYOR_THEME, rig: "", worker: "Mayor", role: "coordinator" },
    preSync: false,
  };
}

/** A rig's Witness, in `<rig>/witness`. */
export function witnessSpec(ctx: SpecContext, rig: string): SessionSpec {
  const theme = assignTheme(rig);
  return {
    agent: `${rig}/witness`,
    session: witnessSession(rig),
    workDir: rigPaths(ctx.town, rig).witness,
    requireWorkDir: false,
    env: sessionEnv("witness", { rig, town: ctx.town }),
    command: witnessStartup(rig, recipe(ctx)),
    theme: {
      bg: theme.bg,
      fg: theme.fg,
      rig,
      worker: "witness",
      role: "witness",
    },
    preSync: false,
  };
}

/** A rig's Refinery, in `<rig>/refinery/rig` (else the rig root). */
export function refinerySpec(ctx: SpecContext, rig: string): SessionSpec {
  const paths = rigPaths(ctx.town, rig);
  const theme = assignTheme(rig);
  const dir = ctx.hasRefineryWorktree?.(rig) ?? true
    ? paths.refineryRig
    : paths.root;
  return {
    agent: `${rig}/refinery`,
    session: refinerySession(rig),
    workDir: dir,
    requireWorkDir: false,
    env: sessionEnv("refinery", { rig, town: ctx.town }),
    command: refineryStartup(rig, recipe(ctx)),
    theme: {
      bg: theme.bg,
      fg: theme.fg,
      rig,
      worker: "refinery",
      role: "refinery",
    },
    preSync: false,
  };
}

/** A polecat, in its worktree (which must exist). */
export function polecatSpec(
  ctx: SpecContext,
  rig: string,
  name: string,
  options: { preSync?: boolean } = {},
): SessionSpec {
  const theme = assignTheme(rig);
  return {
    agent: `${rig}/polecats/${name}`,
    session: polecatSession(rig, name),
    workDir: rigPaths(ctx.town, rig).polecat(name),
    requireWorkDir: true,
    env: sessionEnv("polecat", { rig, name, town: ctx.town }),
    command: polecatStartup(rig, name, recipe(ctx)),
    theme: { bg: theme.bg, fg: theme.fg, rig, worker: name, role: "polecat" },
    crashHookAgent: `${rig}/${name}`,
    preSync: options.preSync ?? true,
  };
}

/** A crew member, in `<rig>/crew/<name>`. */
export function crewSpec(
  ctx: SpecContext,
  rig: string,
  name: string,
): SessionSpec {
  const theme = assignTheme(rig);
  return {
    agent: `${rig}/crew/${name}`,
    session: crewSession(rig, name),
    workDir: rigPaths(ctx.town, rig).crew(name),
    requireWorkDir: true,
    env: sessionEnv("crew", { rig, name, town: ctx.town }),
    command: crewStartup(rig, name, recipe(ctx)),
    theme: { bg: theme.bg, fg: theme.fg, rig, worker: name, role: "crew" },
    preSync: true,
  };
}

/** A lifecycle spec and the role bead settings that were not applied. */
export interface LifecycleSpec {
  spec: SessionSpec;
  /** One line per setting ignored, saying why. */
  ignored: string[];
}

/**
 * The session a lifecycle request restarts: the role's usual spec, with a
 * role bead's `session_pattern`, `work_dir_pattern`, `needs_pre_sync`,
 * `start_command` and `env_var` lines applied on top. Without a role bead,
 * refinery, crew and polecat restarts pre-sync (the reference's defaults).
 * `GT_ROLE` is the role name (the reference used the raw identity).
 *
 * A role bead chooses how its agents start (command, environment,
 * pre-sync), not which session is killed or where outside the town they
 * run: a `session_pattern` that names any session but the agent's own, and
 * a `work_dir_pattern` that leaves the town, are ignored (and reported).
 */
export function lifecycleSpec(
  ctx: SpecContext,
  who: AgentIdentity,
  config: RoleConfig | null,
): LifecycleSpec {
  let spec: SessionSpec;
  switch (who.roleType) {
    case "mayor":
      spec = mayorSpec(ctx);
      break;
    case "deacon":
      spec = deaconSpec(ctx);
      break;
    case "witness":
      spec = witnessSpec(ctx, who.rig);
      break;
    case "refinery":
      spec = refinerySpec(ctx, who.rig);
      break;
    case "crew":
      spec = crewSpec(ctx, who.rig, who.name);
      break;
    case "polecat":
      spec = polecatSpec(ctx, who.rig, who.name);
      break;
  }
  const preSyncDefault = who.roleType === "refinery" ||
    who.roleType === "crew" ||
    who.roleType === "polecat";
  spec = { ...spec, preSync: config ? config.needsPreSync : preSyncDefault };
  const ignored: string[] = [];
  if (!config) return { spec, ignored };
  const values = {
    town: ctx.town,
    rig: who.rig,
    name: who.name,
    role: who.roleType,
  };
  if (config.sessionPattern) {
    const session = expandRolePattern(config.sessionPattern, values);
    if (session !== spec.session) {
      ignored.push(
        `ignoring session_pattern ${
          JSON.stringify(config.sessionPattern)
        }: it names session ${JSON.stringify(session)}, not the agent's own ${
          JSON.stringify(spec.session)
        }`,
      );
    }
  }
  if (config.workDirPattern) {
    const dir = insideTown(
      ctx.town,
      expandRolePattern(config.workDirPattern, values),
    );
    if (dir === null) {
      ignored.push(
        `ignoring work_dir_pattern ${
          JSON.stringify(config.workDirPattern)
        }: not a directory inside the town`,
      );
    } else {
      spec.workDir = dir;
    }
  }
  if (config.startCommand) {
    spec.command = expandRolePattern(config.startCommand, values);
  }
  for (const [k, v] of Object.entries(config.envVars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      ignored.push(
        `ignoring env_var ${JSON.stringify(k)}: not a variable name`,
      );
      continue;
    }
    spec.env = [...spec.env.filter(([key]) => key !== k), [
      k,
      expandRolePattern(v, values),
    ]];
  }
  return { spec, ignored };
}

/** `path` normalised, when it is absolute and `town` or below it; else null. */
function insideTown(town: string, path: string): string | null {
  if (!path.startsWith("/")) return null;
  const p = normalize(path).replace(/(.)\/+$/, "$1");
  return p === town || p.startsWith(`${town}/`) ? p : null;
}
