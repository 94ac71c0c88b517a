/**
 * Making text safe as a tmux argument, and the formats that tell whose a
 * session is. Pure.
 *
 * CLI contract relied on (tmux 3.3a):
 * - tmux reads its argv as a command list: an argument ending in `;` ends
 *   the command (the `;` is dropped) and the next argument starts a new
 *   one; an argument ending in `\;` keeps a literal `;`.
 * - Some arguments are format-expanded: `new-session -c`, `-F` formats,
 *   `if-shell -F` conditions, `run-shell` commands. There `#(cmd)` runs a
 *   shell command and `#{…}` expands a variable; `##` stands for `#`.
 * - Inside `#{==:a,b}` and `#{m:p,s}`, `#,` and `#}` stand for `,` and `}`.
 * - `#{m:pattern,text}` matches with `fnmatch(3)` and no flags: `*` also
 *   matches `/`, and `\` escapes `*`, `?`, `[` and `\`.
 * - A user option (`@name`) is set per session with `set-option -t =S:`
 *   and read in formats as `#{@name}`; an unset one reads as empty.
 *
 * @module
 */

import type { PaneOwner } from "../heartbeat/types.ts";

/** The session option that names the town a session belongs to. */
export const TOWN_TAG_OPTION = "@gt_town";

/**
 * One argument as tmux must receive it to read it back unchanged: a
 * trailing `;` (a command separator to tmux) gets a `\` before it.
 */
export function escapeArg(arg: string): string {
  return arg.endsWith(";") ? `${arg.slice(0, -1)}\\;` : arg;
}

/**
 * The argv of several tmux commands run in one call: each argument is
 * escaped with {@link escapeArg}, and the commands are joined by a lone
 * `;`, the only separator in the result.
 */
export function commandSequence(
  commands: readonly (readonly string[])[],
): string[] {
  return commands.flatMap((c, i) => [
    ...(i === 0 ? [] : [";"]),
    ...c.map(escapeArg),
  ]);
}

/** Text for an argument tmux format-expands, kept literal (`#` as `##`). */
export function formatLiteral(text: string): string {
  return text.replaceAll("#", "##");
}

/** Text kept literal as one operand of `#{==:…,…}` or `#{m:…,…}`. */
function formatOperand(text: string): string {
  return text.replace(/[#,}]/g, (c) => `#${c}`);
}

/** Text matched literally by an `fnmatch(3)` pattern. */
function globLiteral(text: string): string {
  return text.replace(/[\\*?[]/g, (c) => `\\${c}`);
}

const OWNER_CODES: Record<string, PaneOwner> = {
  "1": "town",
  "2": "other-town",
  "3": "untagged-in-town",
  "0": "untagged",
};

/**
 * A format that prints one digit per pane saying whose its session is
 * (see {@link parseOwner}). The comparison happens inside tmux, so the town
 * path never has to be read back out of tmux's output.
 */
export function ownerFormat(town: string): string {
  const t = formatOperand(town);
  const below = formatOperand(`${globLiteral(town)}/*`);
  const path = "#{pane_current_path}";
  const inTown = `#{||:#{==:${path},${t}},#{m:${below},${path}}}`;
  return `#{?#{${TOWN_TAG_OPTION}},#{?#{==:#{${TOWN_TAG_OPTION}},${t}},1,2},` +
    `#{?${inTown},3,0}}`;
}

/** The owner a digit of {@link ownerFormat} stands for; undefined if none. */
export function parseOwner(code: string): PaneOwner | undefined {
  return OWNER_CODES[code];
}
