/**
 * Starting an agent session: re-check, kill, pre-sync, create with the
 * startup command (the agent replaces the shell, so a dead agent is a dead
 * pane), set the environment, theme it, install the crash hook, and record
 * the restart for backoff. Waiting for the agent and dismissing the
 * bypass-permissions dialog happen afterwards, for all started sessions at
 * once, so one slow agent never holds up the others.
 *
 * @module
 */

import {
  CommandAbortedError,
  CommandTimeoutError,
  errorMessage,
} from "../errors.ts";
import { isSessionGone } from "../adapters/tmux.ts";
import type { SessionPane } from "../adapters/tmux_core.ts";
import { isOwnSession } from "./decide/sessions.ts";
import { crashHookCommand } from "../adapters/tmux_config.ts";
import type { SessionSpec } from "./types.ts";
import type { ActPorts } from "./act_ports.ts";
import { paneDiedEvent, SESSION_CLOSED } from "../town/wake_events.ts";

/** What happened to a start. */
export type StartOutcome = "started" | "already-running";

const SAFE_PATH_RE = /^[A-Za-z0-9_./@%+,:-]+$/;
const SESSION_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Runs `git fetch origin`, `git pull --rebase origin main`, `bd sync` in `dir`. */
export async function syncWorkspace(
  ports: ActPorts,
  dir: string,
): Promise<void> {
  const steps: [string[], string][] = [
    [["git", "fetch", "origin"], "git fetch"],
    [["git", "pull", "--rebase", "origin", "main"], "git pull"],
    [["bd", "sync"], "bd sync"],
  ];
  for (const [argv, what] of steps) {
    try {
      const opts: Parameters<typeof ports.runner.run>[1] = {
        cwd: dir,
        timeoutMs: 60_000,
      };
      if (ports.signal) opts.signal = ports.signal;
      const r = await ports.runner.run(argv, opts);
      if (r.code !== 0) {
        const detail = (r.stderr.trim() || r.stdout.trim()).split("\n")[0] ??
          "";
        ports.log.log(
          `Warning: ${what} failed in ${dir}: exit status ${r.code}${
            detail ? `: ${detail}` : ""
          }`,
        );
      }
    } catch (err) {
      ports.log.log(`Warning: ${what} failed in ${dir}: ${errorMessage(err)}`);
      // A hung remote or tool: the later steps would only hang as well.
      if (err instanceof CommandTimeoutError) {
        ports.log.log(`Warning: skipping the rest of the pre-sync in ${dir}`);
        return;
      }
    }
  }
}

/** The hook command for a session: the reference's crash log, then a wake-up file. */
export function paneDiedHook(
  spec: SessionSpec,
  eventsDir: string,
): string | null {
  let hook: string;
  try {
    hook = crashHookCommand(
      spec.crashHookAgent ?? spec.agent.replace(/\/polecats\//, "/"),
      spec.session,
    );
  } catch {
    return null;
  }
  if (!SAFE_PATH_RE.test(eventsDir)) return hook;
  // `run-shell` runs through /bin/sh. The wake-up file comes first: the
  // daemon starts recovering without waiting for `gt log crash` to finish.
  return hook.replace(
    /^run-shell "/,
    `run-shell ": > '${eventsDir}/${paneDiedEvent(spec.session)}'; `,
  );
}

/** The global hook entry that reports closed sessions (see {@link sessionClosedHook}). */
export interface SessionClosedHook {
  /** Index in tmux's `session-closed` hook array; stable per town. */
  index: number;
  command: string;
}

/**
 * The global `session-closed` hook of a town: it drops
 * `session-closed.<name>` into the events directory, the name reduced to
 * `[A-Za-z0-9_-]` by tmux before the shell sees it. A killed session runs
 * no `pane-died` hook, so this is how the daemon hears of it. The index is
 * derived from the town's path, so two towns on one tmux server (and the
 * user's own entries, which start at 0) keep theirs. Null when the events
 * path cannot be quoted safely.
 */
export function sessionClosedHook(
  town: string,
  eventsDir: string,
): SessionClosedHook | null {
  if (!SAFE_PATH_RE.test(eventsDir)) return null;
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(town)) {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return {
    index: 1000 + (h % 900_000),
    command: `run-shell ": > '${eventsDir}/${SESSION_CLOSED}` +
      `#{s/[^A-Za-z0-9_-]//:hook_session_name}'"`,
  };
}

/**
 * The directory to start `spec` in: its work directory, created for Boot
 * and the Deacon; for other agents but polecats the nearest existing
 * directory above it inside the town. A polecat without its worktree
 * cannot start.
 */
async function workDir(ports: ActPorts, spec: SessionSpec): Promise<string> {
  const dir = spec.workDir;
  const st = await ports.fs.stat(dir).catch(() => null);
  if (st?.isDirectory) return dir;
  if (spec.requireWorkDir) {
    throw new Error(`polecat worktree does not exist: ${dir}`);
  }
  if (spec.agent === "boot" || spec.agent === "deacon") {
    await ports.fs.mkdirp(dir, 0o755).catch((err) => {
      throw new Error(`ensuring ${spec.agent} dir: ${errorMessage(err)}`);
    });
    return dir;
  }
  // A missing witness directory falls back to the nearest existing
  // directory above it inside the town, usually the rig root (the
  // reference let tmux start the pane in whatever directory it had).
  let parent = dir;
  do {
    const up = parent.replace(/\/[^/]+$/, "");
    parent = up.startsWith(`${ports.town}/`) ? up : ports.town;
  } while (
    parent !== ports.town &&
    !(await ports.fs.stat(parent).catch(() => null))?.isDirectory
  );
  ports.log.log(
    `Warning: directory ${dir} does not exist; starting ${spec.session} in ${parent}`,
  );
  return parent;
}

/**
 * Creates the session for `spec`. With `killFirst` an existing session is
 * killed; without it, a session that is healthy by now is left alone
 * ("already-running") and a zombie is replaced.
 */
export async function startSession(
  ports: ActPorts,
  spec: SessionSpec,
  options: { killFirst: boolean; killWaitMs?: number },
): Promise<StartOutcome> {
  if (!SESSION_RE.test(spec.session)) {
    throw new Error(`invalid session name ${JSON.stringify(spec.session)}`);
  }
  const { tmux } = ports;
  // Re-check the one session before killing it: one call, which also
  // tells whether it exists at all.
  let existing: SessionPane[] | null = null;
  if (!options.killFirst) {
    try {
      existing = await tmux.panes(spec.session);
    } catch (err) {
      if (!isSessionGone(err)) throw err;
    }
    if (existing !== null && !isOwnSession(existing)) {
      throw new Error(
        `session ${spec.session} is not this town's; not replacing it`,
      );
    }
    if (existing?.some((p) => !p.dead && ports.isAgent(p.command))) {
      return "already-running";
    }
  }
  const replace = options.killFirst || existing !== null;
  // A crash restart (nothing to wait for after the kill) kills and creates
  // in one tmux call; the directory is resolved first so nothing else sits
  // between the two.
  const oneCall = replace && !options.killWaitMs && !spec.preSync;
  // Null when it cannot be resolved: the kill then happens on its own and
  // the resolution is tried again, to throw its error.
  const early = oneCall
    ? await workDir(ports, spec).then((d) => d, () => null)
    : null;
  if (replace && early === null) {
    // Killed only if it is still this town's; a session of another town
    // that took the name meanwhile makes the start below fail instead.
    let killed: boolean;
    try {
      killed = await tmux.killOwnSession(spec.session);
    } catch (err) {
      throw new Error(`killing session: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    if (killed && options.killWaitMs) await ports.sleep(options.killWaitMs);
  }
  const dir = early ?? await workDir(ports, spec);
  if (spec.preSync) {
    ports.log.log(`Pre-syncing workspace for ${spec.agent} at ${dir}`);
    await syncWorkspace(ports, dir);
  }
  ports.backoff.recordRestart(spec.agent, ports.now().getTime());
  // One tmux call creates the session with its environment (`-e`), its
  // command, remain-on-exit and the crash hook; one more themes it.
  const hook = paneDiedHook(spec, ports.eventsDir);
  const created = {
    dir,
    command: spec.command,
    env: spec.env,
    remainOnExit: true,
    ...(hook ? { paneDiedHook: hook } : {}),
    ...(ports.sessionClosedHook
      ? { sessionClosedHook: ports.sessionClosedHook }
      : {}),
  };
  try {
    if (early !== null) await tmux.replaceOwnSession(spec.session, created);
    else await tmux.newSession(spec.session, created);
  } catch (err) {
    throw new Error(`creating session: ${errorMessage(err)}`, { cause: err });
  }
  if (spec.theme) {
    const { bg, fg, rig, worker, role } = spec.theme;
    await tmux.configureSessionAtOnce(spec.session, { bg, fg }, {
      rig,
      worker,
      role,
    })
      .catch(() => {});
  }
  // The agent may already have died (the session or its pane is gone):
  // that is a failed start, not a success.
  const panes = await tmux.panes(spec.session).catch((err) => {
    throw new Error(`sending startup command: ${errorMessage(err)}`, {
      cause: err,
    });
  });
  if (panes.length === 0 || panes.every((p) => p.dead)) {
    // The dead pane is kept (remain-on-exit): its last line says why.
    const screen = await tmux.capturePane(spec.session, 5).catch(() => "");
    const why = screen.split("\n").map((l) => l.trim()).filter((l) =>
      l && !l.startsWith("Pane is dead")
    ).at(-1);
    throw new Error(
      `sending startup command: the agent exited at once in ${spec.session}${
        why ? `: ${why}` : ""
      }`,
    );
  }
  return "started";
}

/**
 * Waits for a started agent, then dismisses the bypass dialog if it shows.
 * The dialog can take seconds to appear: with a `background` port the pass
 * does not wait for it, so the next crash is handled at once.
 */
export async function settleAgent(
  ports: ActPorts,
  spec: SessionSpec,
): Promise<void> {
  const warn = (err: unknown) => {
    if (err instanceof CommandAbortedError) return;
    ports.log.log(
      `Warning: ${spec.session} did not settle: ${errorMessage(err)}`,
    );
  };
  try {
    await ports.tmux.waitForAgent(
      spec.session,
      ports.isAgent,
      ports.agentWaitMs,
    );
  } catch (err) {
    warn(err);
    return;
  }
  const dialog = ports.tmux.acceptBypassPermissions(spec.session).then(
    () => {},
    warn,
  );
  if (ports.background) ports.background(dialog);
  else await dialog;
}
