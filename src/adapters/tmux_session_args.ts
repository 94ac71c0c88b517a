/**
 * The argument lists of the tmux calls that create a session and kill a
 * session only when it is this town's. Pure: `tmux_core.ts` runs them.
 *
 * @module
 */

import { formatLiteral, TOWN_TAG_OPTION } from "./tmux_args.ts";
import { TmuxError } from "./tmux_errors.ts";

/** Options of `Tmux.newSession`. */
export interface NewSessionOptions {
  /** Working directory of the first pane (`-c`). */
  dir?: string;
  /** Shell command run instead of the default shell (one argument). */
  command?: string;
  /** Session environment, also seen by the first pane (`-e K=V`). */
  env?: readonly (readonly [string, string])[];
  /** Keep the pane, dead, when its command exits (set atomically). */
  remainOnExit?: boolean;
  /** `pane-died` hook command, installed in the same tmux call. */
  paneDiedHook?: string;
  /**
   * A global `session-closed` hook entry set in the same tmux call, so the
   * server the session lives on has it before anything can close it.
   */
  sessionClosedHook?: { index: number; command: string };
}

/**
 * The commands of one `new-session` call: create the session, then, in the
 * same tmux call, tag it with `town` (when given), set `remain-on-exit`,
 * the `pane-died` hook and the global `session-closed` hook entry.
 */
export function newSessionCalls(
  s: string,
  town: string | undefined,
  options: NewSessionOptions = {},
): string[][] {
  const create = ["new-session", "-d", "-s", s];
  if (options.dir) create.push("-c", formatLiteral(options.dir));
  for (const [k, v] of options.env ?? []) create.push("-e", `${k}=${v}`);
  if (options.command !== undefined) create.push(options.command);
  const calls: string[][] = [create];
  if (town !== undefined) {
    calls.push(["set-option", "-t", `=${s}:`, TOWN_TAG_OPTION, town]);
  }
  if (options.remainOnExit === true) {
    calls.push(["set-option", "-t", `=${s}:`, "remain-on-exit", "on"]);
  }
  if (options.paneDiedHook !== undefined) {
    calls.push([
      "set-hook",
      "-t",
      `=${s}:`,
      "pane-died",
      options.paneDiedHook,
    ]);
  }
  if (options.sessionClosedHook !== undefined) {
    const { index, command } = options.sessionClosedHook;
    calls.push(["set-hook", "-g", `session-closed[${index}]`, command]);
  }
  return calls;
}

/**
 * `if-shell` arguments that kill session `s` only when `owner` (the
 * session-owner format of `ownerFormat`) says it is this town's, and print
 * `kept` otherwise. Throws TmuxError for a name tmux would parse as more
 * than a name.
 */
export function killIfOwnArgs(s: string, owner: string): string[] {
  // The name goes into a command string that tmux parses again.
  if (!/^[A-Za-z0-9_-]+$/.test(s)) {
    throw new TmuxError(`Unsafe session name ${JSON.stringify(s)}`);
  }
  const o = owner;
  return [
    "if-shell",
    "-F",
    "-t",
    `=${s}:`,
    `#{||:#{==:${o},1},#{==:${o},3}}`,
    `kill-session -t =${s}`,
    "display-message -p kept",
  ];
}
