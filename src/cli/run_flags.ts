/**
 * The flags `run` takes, shared with `start`, which accepts every one of
 * them and passes them on to the daemon it spawns.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { parseMinUptime } from "../heartbeat/backoff.ts";
import { parseCount } from "./common.ts";

/** Parsed `run` options (`start` takes the same and passes them on). */
export interface RunOptions {
  town?: string;
  interval?: string;
  logMaxBytes?: number;
  logKeep?: number;
  heartbeatDeadline?: string;
  /** Minimum uptime of a healthy agent, in ms. */
  minUptimeMs?: number;
  /** `--allow-unsupported-deno`: run even on an unsupported Deno. */
  allowUnsupportedDeno?: boolean;
}

/** The flags of `run`, for `parseFlags` (`start` accepts them all). */
export const RUN_FLAGS = {
  town: { type: "string" },
  interval: { type: "string" },
  "log-max-bytes": { type: "string" },
  "log-keep": { type: "string" },
  "heartbeat-deadline": { type: "string" },
  "min-uptime": { type: "string" },
  "allow-unsupported-deno": { type: "boolean" },
} as const;

/** Builds {@link RunOptions} from parsed {@link RUN_FLAGS} values. */
export function runOptionsFrom(
  values: {
    [K in keyof typeof RUN_FLAGS]?: (typeof RUN_FLAGS)[K]["type"] extends
      "boolean" ? boolean | undefined
      : string | undefined;
  },
): RunOptions {
  const out: RunOptions = {};
  if (values["allow-unsupported-deno"]) out.allowUnsupportedDeno = true;
  if (values.town !== undefined) out.town = values.town;
  if (values.interval !== undefined) out.interval = values.interval;
  if (values["log-max-bytes"] !== undefined) {
    out.logMaxBytes = parseCount(values["log-max-bytes"], "--log-max-bytes");
  }
  if (values["log-keep"] !== undefined) {
    out.logKeep = parseCount(values["log-keep"], "--log-keep");
  }
  if (values["heartbeat-deadline"] !== undefined) {
    out.heartbeatDeadline = values["heartbeat-deadline"];
  }
  const minUptime = values["min-uptime"];
  if (minUptime !== undefined) {
    const ms = parseMinUptime(minUptime);
    if (ms === null) {
      throw new UsageError(
        `Invalid --min-uptime: "${minUptime}": use a duration such as "10s" (at most 1h)`,
      );
    }
    out.minUptimeMs = ms;
  }
  return out;
}

/**
 * The `run` arguments that carry `opts` other than the town, the interval
 * and the runtime override (which `start` decides with the environment).
 */
export function runFlagArgv(opts: RunOptions): string[] {
  const out: string[] = [];
  if (opts.logMaxBytes !== undefined) {
    out.push("--log-max-bytes", String(opts.logMaxBytes));
  }
  if (opts.logKeep !== undefined) out.push("--log-keep", String(opts.logKeep));
  if (opts.heartbeatDeadline !== undefined) {
    out.push("--heartbeat-deadline", opts.heartbeatDeadline);
  }
  if (opts.minUptimeMs !== undefined) {
    out.push("--min-uptime", `${opts.minUptimeMs}ms`);
  }
  return out;
}
