/**
 * Startup command lines for agent sessions (the reference's
 * `BuildStartupCommand` and its recipes). Pure. The tmux session environment
 * of each role is in `session_env.ts`, agent detection in a pane in
 * `agent_process.ts`.
 *
 * Unlike the reference, every value is shell-quoted: a value made only of
 * `A–Z a–z 0–9 _ . / : = @ % + , -` stays bare (so ordinary names give the
 * reference's strings byte for byte), anything else is wrapped in single
 * quotes. A prompt is wrapped in double quotes as in the reference when it
 * holds nothing a shell would expand (`"`, `\`, `$`, backtick, `!`, control
 * characters), and in single quotes otherwise.
 *
 * @module
 */

import { AppError } from "../errors.ts";

export {
  agentArgv,
  DEFAULT_AGENT_ARGS,
  DEFAULT_AGENT_COMMAND,
  parseRuntimeConfig,
  type RuntimeConfig,
} from "./runtime_config.ts";
import { DEFAULT_AGENT_ARGS, DEFAULT_AGENT_COMMAND } from "./runtime_config.ts";

const BARE_RE = /^[A-Za-z0-9_./:=@%+,-]+$/;
const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// deno-lint-ignore no-control-regex
const PROMPT_DQ_RE = /^[^"\\$`!\x00-\x1f\x7f]*$/;

/** Quotes one word for a POSIX shell; plain words stay bare. */
export function shellQuote(value: string): string {
  if (BARE_RE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Quotes a prompt: `"…"` like the reference when safe, else single quotes. */
export function quotePrompt(prompt: string): string {
  if (PROMPT_DQ_RE.test(prompt)) return `"${prompt}"`;
  return `'${prompt.replaceAll("'", `'\\''`)}'`;
}

function compareBytes(a: string, b: string): number {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Input of {@link buildStartupCommand}. */
export interface StartupCommand {
  /** Variables exported before the agent starts. */
  env: Readonly<Record<string, string>>;
  /** The agent's argv; `argv[0]` may be an absolute path. */
  command: readonly string[];
  /** Initial prompt, appended as the last word. */
  prompt?: string;
  /** Replace the shell (`exec`), so the pane ends when the agent does. */
  exec?: boolean;
}

/**
 * Builds `export K=V … && [exec ]<argv>[ <prompt>]`. The `K=V` strings are
 * sorted as whole strings by byte value (so `GT_ROLE2=…` sorts before
 * `GT_ROLE=…`), as the reference does; the `export … && ` part is left out
 * when there are no variables. Throws on an invalid variable name or an
 * empty argv.
 */
export function buildStartupCommand(spec: StartupCommand): string {
  if (spec.command.length === 0) {
    throw new AppError("Cannot build a startup command: empty argv");
  }
  const pairs = Object.entries(spec.env).map(([k, v]) => {
    if (!ENV_KEY_RE.test(k)) {
      throw new AppError(
        `Cannot build a startup command: invalid variable name ${
          JSON.stringify(k)
        }`,
      );
    }
    return { raw: `${k}=${v}`, text: `${k}=${shellQuote(v)}` };
  });
  pairs.sort((a, b) => compareBytes(a.raw, b.raw));
  let line = pairs.length > 0
    ? `export ${pairs.map((p) => p.text).join(" ")} && `
    : "";
  if (spec.exec === true) line += "exec ";
  line += spec.command.map(shellQuote).join(" ");
  if (spec.prompt !== undefined && spec.prompt !== "") {
    line += ` ${quotePrompt(spec.prompt)}`;
  }
  return line;
}

/** Options shared by the startup recipes. */
export interface RecipeOptions {
  /** The agent argv; default `["claude", "--dangerously-skip-permissions"]`. */
  agentArgv?: readonly string[];
  /** Start the agent with `exec`; default false (as the reference). */
  exec?: boolean;
  /** Initial prompt (overrides a recipe's own). */
  prompt?: string;
  /** More variables to export. */
  extraEnv?: Readonly<Record<string, string>>;
}

/** The default agent argv: `claude --dangerously-skip-permissions`. */
export const DEFAULT_AGENT_ARGV: readonly string[] = Object.freeze([
  DEFAULT_AGENT_COMMAND,
  ...DEFAULT_AGENT_ARGS,
]);

function recipe(
  env: Record<string, string>,
  options: RecipeOptions,
  prompt?: string,
): string {
  const spec: StartupCommand = {
    env: { ...env, ...options.extraEnv },
    command: options.agentArgv ?? DEFAULT_AGENT_ARGV,
    exec: options.exec ?? false,
  };
  const p = options.prompt ?? prompt;
  if (p !== undefined) spec.prompt = p;
  return buildStartupCommand(spec);
}

/** `BuildAgentStartupCommand`: exports `GT_ROLE`, `BD_ACTOR`, `GIT_AUTHOR_NAME`. */
export function agentStartup(
  role: string,
  actor: string,
  options: RecipeOptions = {},
): string {
  return recipe(
    { GT_ROLE: role, BD_ACTOR: actor, GIT_AUTHOR_NAME: actor },
    options,
  );
}

/** The Deacon's startup command. */
export function deaconStartup(options: RecipeOptions = {}): string {
  return agentStartup("deacon", "deacon", options);
}

/** A witness's startup command (actor `<rig>/witness`). */
export function witnessStartup(
  rig: string,
  options: RecipeOptions = {},
): string {
  return recipe({
    GT_ROLE: "witness",
    GT_RIG: rig,
    BD_ACTOR: `${rig}/witness`,
    GIT_AUTHOR_NAME: `${rig}/witness`,
  }, options);
}

/** A refinery's startup command (actor `<rig>/refinery`). */
export function refineryStartup(
  rig: string,
  options: RecipeOptions = {},
): string {
  return recipe({
    GT_ROLE: "refinery",
    GT_RIG: rig,
    BD_ACTOR: `${rig}/refinery`,
    GIT_AUTHOR_NAME: `${rig}/refinery`,
  }, options);
}

/** A polecat's startup command (`GIT_AUTHOR_NAME` is the bare name). */
export function polecatStartup(
  rig: string,
  name: string,
  options: RecipeOptions = {},
): string {
  return recipe({
    GT_ROLE: "polecat",
    GT_RIG: rig,
    GT_POLECAT: name,
    BD_ACTOR: `${rig}/polecats/${name}`,
    GIT_AUTHOR_NAME: name,
  }, options);
}

/** A crew member's startup command (`BuildCrewStartupCommand`). */
export function crewStartup(
  rig: string,
  name: string,
  options: RecipeOptions = {},
): string {
  return recipe({
    GT_ROLE: "crew",
    GT_RIG: rig,
    GT_CREW: name,
    BD_ACTOR: `${rig}/crew/${name}`,
    GIT_AUTHOR_NAME: name,
  }, options);
}

/** The initial prompt Boot is started with. */
export const BOOT_PROMPT = "gt boot triage";

/** Boot's startup command, with the prompt `gt boot triage`. */
export function bootStartup(options: RecipeOptions = {}): string {
  return recipe(
    {
      GT_ROLE: "boot",
      BD_ACTOR: "deacon-boot",
      GIT_AUTHOR_NAME: "deacon-boot",
    },
    options,
    BOOT_PROMPT,
  );
}
