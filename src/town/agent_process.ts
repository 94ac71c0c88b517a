/**
 * Which process in a pane counts as the agent: the shells a fresh session
 * runs first, and the process names of a running agent. Pure.
 *
 * @module
 */

import { DEFAULT_AGENT_COMMAND } from "./runtime_config.ts";

/** Shells a fresh session runs before the agent (`SupportedShells`). */
export const SUPPORTED_SHELLS: readonly string[] = Object.freeze([
  "bash",
  "zsh",
  "sh",
  "fish",
  "tcsh",
  "ksh",
]);

/** Process names that count as a running agent whatever is configured. */
export const AGENT_PROCESS_NAMES: readonly string[] = Object.freeze([
  "claude",
  "node",
]);

const VERSION_NAME_RE = /^\d+\.\d+\.\d+/;

/**
 * True when a pane's `pane_current_command` is the agent: `claude`, `node`,
 * the base name of the configured command, or a version string such as
 * `2.0.76` (newer Claude Code builds; the upstream fix of O1).
 */
export function isAgentCommand(
  paneCommand: string,
  configuredCommand: string = DEFAULT_AGENT_COMMAND,
): boolean {
  const cmd = paneCommand.trim();
  if (cmd === "") return false;
  if (AGENT_PROCESS_NAMES.includes(cmd)) return true;
  const base = configuredCommand.split("/").pop() ?? "";
  if (base !== "" && cmd === base) return true;
  return VERSION_NAME_RE.test(cmd);
}
