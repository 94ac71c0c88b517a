/**
 * Reading what `tmux list-panes` prints: the formats the adapter asks for,
 * and parsers of their output into panes (pure; see `tmux_core.ts`).
 *
 * @module
 */

import type { PaneInfo, PaneOwner } from "../heartbeat/types.ts";
import { parseOwner } from "./tmux_args.ts";
import { TmuxError } from "./tmux_errors.ts";

/** One pane of a session, as {@link TmuxCore.panes} reports it. */
export interface SessionPane {
  dead: boolean;
  command: string;
  /** Whose the session is; absent when no town is known. */
  owner?: PaneOwner;
}

// Fields are joined with ":", which tmux never allows in a session name
// (it turns ":" and "." into "_"), and the one free-text field, the pane
// command, comes last. Tabs would be safer to read, but tmux prints a tab as
// "_" when no UTF-8 locale is set (cron, launchd, `env -i`). The owner field
// is one digit computed by tmux (`-` when no town is known).
export function paneFormat(owner: string): string {
  return [
    "#{session_name}",
    "#{pane_id}",
    "#{pane_pid}",
    "#{pane_dead}",
    "#{session_created}",
    "#{pid}",
    owner,
    "#{pane_current_command}",
  ].join(":");
}

/** A PID as tmux prints `#{pid}` or `#{pane_pid}`, or null. */
export function pidOf(text: string): number | null {
  return /^[1-9]\d{0,9}$/.test(text) ? Number(text) : null;
}

/** Splits `line` at the first `n - 1` colons into `n` fields, or null. */
export function fields(line: string, n: number): string[] | null {
  const out: string[] = [];
  let rest = line;
  for (let i = 1; i < n; i++) {
    const at = rest.indexOf(":");
    if (at < 0) return null;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

/**
 * Reads `list-panes -a` output (in {@link paneFormat}) into panes by
 * session. Lines that are not pane lines are skipped; output with text but
 * no pane line at all is an error, not an empty server.
 */
export function parsePaneList(out: string): Map<string, PaneInfo[]> {
  const panes = new Map<string, PaneInfo[]>();
  for (const line of out.split("\n")) {
    const f = fields(line, 8);
    if (f === null || !/^%\d+$/.test(f[1] ?? "")) continue;
    const [
      session = "",
      paneId = "",
      pid = "",
      dead = "",
      created = "",
      serverPid = "",
      owner = "",
      command = "",
    ] = f;
    const info: PaneInfo = {
      session,
      paneId,
      pid: Number.parseInt(pid, 10) || 0,
      command,
      dead: dead === "1",
      created: Number.parseInt(created, 10) || 0,
    };
    const server = pidOf(serverPid);
    if (server !== null) info.serverPid = server;
    const o = parseOwner(owner);
    if (o !== undefined) info.owner = o;
    const list = panes.get(session);
    if (list) list.push(info);
    else panes.set(session, [info]);
  }
  // Output with no pane line in it is not an empty server: say so.
  if (panes.size === 0 && out !== "") {
    throw new TmuxError(
      `tmux list-panes: unexpected output: ${JSON.stringify(out.slice(0, 60))}`,
      { subcommand: "list-panes" },
    );
  }
  return panes;
}

/** Reads `list-panes -t` output (`dead:owner:command` lines). */
export function parseSessionPanes(out: string): SessionPane[] {
  if (out === "") return [];
  return out.split("\n").map((line) => {
    const [dead = "", owner = "", command = ""] = fields(line, 3) ?? [];
    const pane: SessionPane = { dead: dead === "1", command };
    const o = parseOwner(owner);
    if (o !== undefined) pane.owner = o;
    return pane;
  });
}
