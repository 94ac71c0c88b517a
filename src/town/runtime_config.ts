/**
 * The agent runtime configuration of a rig's `settings/config.json` (the
 * reference's `LoadRuntimeConfig`, platform §5.1–§5.2). Anything wrong with
 * the file (not JSON, a field of the wrong type, a failed validation, no
 * `runtime`) silently gives the defaults, as in the reference. Keys match
 * case-insensitively (Go `encoding/json`). Pure: the caller reads the file.
 *
 * @module
 */

import { goField, isJsonObject, parseJsonText } from "./go_json.ts";

/** The agent program when none is configured. */
export const DEFAULT_AGENT_COMMAND = "claude";
/** The agent arguments when `args` is missing or null. */
export const DEFAULT_AGENT_ARGS: readonly string[] = Object.freeze([
  "--dangerously-skip-permissions",
]);

/** The agent program and its arguments. */
export interface RuntimeConfig {
  /** The agent program (`claude` by default). */
  command: string;
  /** Its arguments. */
  args: string[];
  /** `initial_prompt`; "" when unset (the daemon's recipes never use it). */
  initialPrompt: string;
}

function defaults(): RuntimeConfig {
  return {
    command: DEFAULT_AGENT_COMMAND,
    args: [...DEFAULT_AGENT_ARGS],
    initialPrompt: "",
  };
}

const GO_DURATION_RE =
  /^[-+]?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

function isOptString(v: unknown): v is string | null | undefined {
  return v === undefined || v === null || typeof v === "string";
}

function isOptInt(v: unknown): v is number | null | undefined {
  return v === undefined || v === null || Number.isInteger(v);
}

function mergeQueueValid(mq: unknown): boolean {
  if (mq === undefined || mq === null) return true;
  if (!isJsonObject(mq)) return false;
  const onConflict = goField(mq, "on_conflict");
  const poll = goField(mq, "poll_interval");
  const retry = goField(mq, "retry_flaky_tests");
  const max = goField(mq, "max_concurrent");
  if (!isOptString(onConflict) || !isOptString(poll)) return false;
  if (!isOptInt(retry) || !isOptInt(max)) return false;
  if (!["", "assign_back", "auto_rebase"].includes(onConflict ?? "")) {
    return false;
  }
  if (poll && !GO_DURATION_RE.test(poll)) return false;
  return (retry ?? 0) >= 0 && (max ?? 0) >= 0;
}

function settingsValid(s: Record<string, unknown>): boolean {
  const type = goField(s, "type");
  const version = goField(s, "version");
  if (!isOptString(type) || !["", "rig-settings"].includes(type ?? "")) {
    return false;
  }
  if (!isOptInt(version) || (version ?? 0) > 1) return false;
  return mergeQueueValid(goField(s, "merge_queue"));
}

/**
 * Parses the text of a rig-settings file into the runtime to start agents
 * with. `null` (no file), invalid text or a file without `runtime` give the
 * defaults; an empty `command` becomes `claude`; a missing or null `args`
 * becomes `["--dangerously-skip-permissions"]`, while `args: []` is kept.
 */
export function parseRuntimeConfig(jsonText: string | null): RuntimeConfig {
  if (jsonText === null) return defaults();
  const parsed = parseJsonText(jsonText);
  if (!("value" in parsed) || !isJsonObject(parsed.value)) return defaults();
  const settings = parsed.value;
  if (!settingsValid(settings)) return defaults();
  const runtime = goField(settings, "runtime");
  if (!isJsonObject(runtime)) return defaults();
  const command = goField(runtime, "command");
  const args = goField(runtime, "args");
  const prompt = goField(runtime, "initial_prompt");
  if (!isOptString(command) || !isOptString(prompt)) return defaults();
  if (args !== undefined && args !== null) {
    if (!Array.isArray(args)) return defaults();
    if (!args.every((a) => a === null || typeof a === "string")) {
      return defaults();
    }
  }
  return {
    command: command || DEFAULT_AGENT_COMMAND,
    args: Array.isArray(args)
      ? args.map((a: string | null) => a ?? "")
      : [...DEFAULT_AGENT_ARGS],
    initialPrompt: prompt ?? "",
  };
}

/** The argv of a runtime: `[command, ...args]`. */
export function agentArgv(runtime: RuntimeConfig): string[] {
  return [runtime.command, ...runtime.args];
}
