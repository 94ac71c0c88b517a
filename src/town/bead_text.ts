/**
 * Text inside bead descriptions: agent fields (`role_type: …` lines), the
 * description written when the daemon marks an agent dead, and role configs
 * (`session_pattern: …` lines of a role bead) with their `{placeholder}`
 * expansion. Everything here is pure.
 *
 * @module
 */

import type { AgentFields } from "../heartbeat/types.ts";
import { rfc3339 } from "../gotime.ts";

/** One `key: value` line: key before the first colon, both trimmed. */
function splitFieldLine(raw: string): [string, string] | null {
  const line = raw.trim();
  if (line === "") return null;
  const colon = line.indexOf(":");
  if (colon === -1) return null;
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

/** Description keys of {@link AgentFields}, lower-case. */
const AGENT_KEYS: Record<string, keyof AgentFields> = {
  role_type: "roleType",
  rig: "rig",
  agent_state: "agentState",
  hook_bead: "hookBead",
  role_bead: "roleBead",
  cleanup_status: "cleanupStatus",
  active_mr: "activeMr",
  notification_level: "notificationLevel",
};

/** Agent fields with every value empty. */
export function emptyAgentFields(): AgentFields {
  return {
    roleType: "",
    rig: "",
    agentState: "",
    hookBead: "",
    roleBead: "",
    cleanupStatus: "",
    activeMr: "",
    notificationLevel: "",
  };
}

/**
 * Parses the agent fields of a bead description, as `ParseAgentFields` does:
 * lines are trimmed, the key is the text before the first colon (matched
 * case-insensitively), `null` or an empty value gives "", later lines
 * override earlier ones, and unknown keys and lines without a colon (such as
 * the title) are ignored.
 */
export function parseAgentFields(description: string): AgentFields {
  const fields = emptyAgentFields();
  for (const raw of description.split("\n")) {
    const kv = splitFieldLine(raw);
    if (kv === null) continue;
    const key = kv[0].toLowerCase();
    if (!Object.hasOwn(AGENT_KEYS, key)) continue;
    const name = AGENT_KEYS[key] as keyof AgentFields;
    fields[name] = kv[1] === "null" ? "" : kv[1];
  }
  return fields;
}

/** Replaces line breaks so a value cannot add lines to a description. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/**
 * Builds the description the daemon writes with `bd update` when it marks an
 * agent dead: the five field lines (empty values written as empty, not
 * `null`), a blank line and `Marked dead by daemon at <now> (was <old>, last
 * update too old)`, with `now` as RFC 3339 seconds in the local zone.
 *
 * Values are written on one line each: a line break inside a value (possible
 * only in the JSON `hook_bead` column) becomes a space, so a value cannot
 * smuggle in a later `agent_state:` line that would override `dead`.
 */
export function formatDeadDescription(
  fields: AgentFields,
  hookColumn: string,
  now: Date,
  oldState: string,
): string {
  return [
    `role_type: ${oneLine(fields.roleType)}`,
    `rig: ${oneLine(fields.rig)}`,
    "agent_state: dead",
    `hook_bead: ${oneLine(hookColumn)}`,
    `role_bead: ${oneLine(fields.roleBead)}`,
    "",
    `Marked dead by daemon at ${rfc3339(now, { seconds: true })} (was ${
      oneLine(oldState)
    }, last update too old)`,
  ].join("\n");
}

/** Lifecycle settings read from a role bead's description. */
export interface RoleConfig {
  /** tmux session name pattern, e.g. `gt-{rig}-{name}`; "" when unset. */
  sessionPattern: string;
  /** Working directory pattern, e.g. `{town}/{rig}`; "" when unset. */
  workDirPattern: string;
  /** Run git fetch / pull and `bd sync` before a restart. */
  needsPreSync: boolean;
  /** Command typed into the new session; "" when unset. */
  startCommand: string;
  /** Extra session environment (values are patterns), in first-seen order. */
  envVars: Record<string, string>;
}

type RoleKey = "session" | "workdir" | "presync" | "start" | "env";

const ROLE_KEYS: Record<string, RoleKey> = {
  "session_pattern": "session",
  "session-pattern": "session",
  "sessionpattern": "session",
  "work_dir_pattern": "workdir",
  "work-dir-pattern": "workdir",
  "workdirpattern": "workdir",
  "workdir_pattern": "workdir",
  "needs_pre_sync": "presync",
  "needs-pre-sync": "presync",
  "needspresync": "presync",
  "start_command": "start",
  "start-command": "start",
  "startcommand": "start",
  "env_var": "env",
  "env-var": "env",
  "envvar": "env",
};

/**
 * Parses the role config lines of a role bead description, as
 * `ParseRoleConfig` does: keys are case-insensitive with hyphen and no-space
 * aliases, lines whose value is empty or `null` are skipped, `needs_pre_sync`
 * is true only for `true` (any case), `env_var: K=V` splits at the first `=`
 * (a line without `=` is ignored). Returns null when no field is present.
 */
export function parseRoleConfig(description: string): RoleConfig | null {
  let sessionPattern = "";
  let workDirPattern = "";
  let needsPreSync = false;
  let startCommand = "";
  const env = new Map<string, string>();
  let found = false;
  for (const raw of description.split("\n")) {
    const kv = splitFieldLine(raw);
    if (kv === null) continue;
    const [key, value] = kv;
    if (value === "" || value === "null") continue;
    const lower = key.toLowerCase();
    if (!Object.hasOwn(ROLE_KEYS, lower)) continue;
    switch (ROLE_KEYS[lower]) {
      case "session":
        sessionPattern = value;
        break;
      case "workdir":
        workDirPattern = value;
        break;
      case "presync":
        needsPreSync = value.toLowerCase() === "true";
        break;
      case "start":
        startCommand = value;
        break;
      case "env": {
        const eq = value.indexOf("=");
        if (eq === -1) continue;
        env.set(value.slice(0, eq).trim(), value.slice(eq + 1).trim());
        break;
      }
    }
    found = true;
  }
  if (!found) return null;
  return {
    sessionPattern,
    workDirPattern,
    needsPreSync,
    startCommand,
    envVars: Object.fromEntries(env),
  };
}

/**
 * Formats a role config as description lines (`FormatRoleConfig`): the set
 * fields in the order session, work dir, `needs_pre_sync: true` (only when
 * true), start command, then one `env_var: K=V` line per entry. Null gives "".
 */
export function formatRoleConfig(config: RoleConfig | null): string {
  if (config === null) return "";
  const lines: string[] = [];
  if (config.sessionPattern) {
    lines.push(`session_pattern: ${config.sessionPattern}`);
  }
  if (config.workDirPattern) {
    lines.push(`work_dir_pattern: ${config.workDirPattern}`);
  }
  if (config.needsPreSync) lines.push("needs_pre_sync: true");
  if (config.startCommand) lines.push(`start_command: ${config.startCommand}`);
  for (const [k, v] of Object.entries(config.envVars)) {
    lines.push(`env_var: ${k}=${v}`);
  }
  return lines.join("\n");
}

/** Values substituted by {@link expandRolePattern}. */
export interface RolePatternValues {
  town: string;
  rig: string;
  name: string;
  role: string;
}

/**
 * Replaces `{town}`, `{rig}`, `{name}` and `{role}` in a role pattern.
 *
 * The expansion is a single pass over the pattern: a substituted value is
 * never scanned again, so a town path or rig name that itself contains
 * `{rig}` stays literal. (The reference replaces the placeholders one after
 * another, so text substituted for `{town}` was expanded again.)
 */
export function expandRolePattern(
  pattern: string,
  values: RolePatternValues,
): string {
  return pattern.replace(
    /\{(town|rig|name|role)\}/g,
    (_m, key: keyof RolePatternValues) => values[key],
  );
}
