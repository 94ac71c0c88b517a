/**
 * The tmux argv of Gas Town session configuration (platform §2.5.12–13):
 * theme and status-line options, the server-wide key bindings and the crash
 * hook. Pure; {@link Tmux} runs them.
 *
 * @module
 */

import { statusLeft, statusRight, themeStyle } from "../town/theme.ts";

/** What {@link sessionConfigSteps} themes a session with. */
export interface SessionLook {
  /** Status-bar colours. */
  theme: { bg: string; fg: string };
  /** Rig shown in `status-left`; "" for town agents. */
  rig: string;
  /** Worker label shown in `status-left`. */
  worker: string;
  /** Role that picks the icon. */
  role: string;
}

/** One step of the configuration: an error prefix and its tmux calls. */
export interface ConfigStep {
  /** Prefix of the error when a call of this step fails. */
  prefix: string;
  /** tmux argv lists, run in order. */
  calls: string[][];
}

// The key bindings are server-wide: they run in every session, whatever its
// name. tmux decides "is this a Gas Town session" itself (a format match,
// no shell), and the session name reaches `gt` shell-quoted (`#{q:…}`).
const GT_SESSION_CHECK = "#{m:gt-*,#{session_name}}";
const SAFE_HOOK_VALUE = /^[A-Za-z0-9_./:=@%+,-]+$/;

function words(text: string, ...rest: string[]): string[] {
  return [...text.split(" "), ...rest];
}

function cycle(key: string, dir: string, fallback: string): string[] {
  return words(
    `bind-key -T prefix ${key} if-shell -F`,
    GT_SESSION_CHECK,
    `run-shell 'gt cycle ${dir} --session #{q:session_name}'`,
    fallback,
  );
}

/**
 * The ten calls of `ConfigureGasTownSession`, in order, grouped by the step
 * whose prefix (`applying theme`, …) a failure is reported with. Session
 * options target `=S:` (exact match); `bind-key` is server-wide.
 */
export function sessionConfigSteps(s: string, look: SessionLook): ConfigStep[] {
  const opt = (name: string, value: string) => [
    "set-option",
    "-t",
    `=${s}:`,
    name,
    value,
  ];
  return [
    {
      prefix: "applying theme",
      calls: [opt("status-style", themeStyle(look.theme))],
    },
    {
      prefix: "setting status format",
      calls: [
        opt("status-left-length", "25"),
        opt("status-left", statusLeft(look.role, look.rig, look.worker)),
      ],
    },
    {
      prefix: "setting dynamic status",
      calls: [
        opt("status-right-length", "80"),
        opt("status-interval", "5"),
        opt("status-right", statusRight(s)),
      ],
    },
    {
      prefix: "setting mail click binding",
      calls: [words(
        "bind-key -T root MouseDown1StatusRight display-popup -E -w 60 -h 15",
        "gt mail peek || echo 'No unread mail'",
      )],
    },
    {
      prefix: "setting feed binding",
      calls: [words(
        "bind-key -T prefix a if-shell -F",
        GT_SESSION_CHECK,
        "run-shell 'gt feed --window'",
        "display-message 'C-b a is for Gas Town sessions only'",
      )],
    },
    {
      prefix: "setting cycle bindings",
      calls: [
        cycle("n", "next", "next-window"),
        cycle("p", "prev", "previous-window"),
      ],
    },
  ];
}

/**
 * The `pane-died` hook that logs a crash, exactly the reference's:
 * `run-shell "gt log crash --agent '<id>' --session '<s>' --exit-code #{pane_dead_status}"`.
 * Throws when a value holds characters that the quoting cannot carry.
 */
export function crashHookCommand(agentId: string, session: string): string {
  for (const v of [agentId, session]) {
    if (!SAFE_HOOK_VALUE.test(v)) {
      throw new Error(`Unsafe value in crash hook: ${JSON.stringify(v)}`);
    }
  }
  return `run-shell "gt log crash --agent '${agentId}' --session '${session}' --exit-code #{pane_dead_status}"`;
}

/** True when a line of `text`, trimmed, is `>` or starts with `> `. */
export function hasClaudePrompt(text: string): boolean {
  return text.split("\n").some((line) => {
    const t = line.trim();
    return t === ">" || t.startsWith("> ");
  });
}
