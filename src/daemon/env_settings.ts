/**
 * Daemon settings read from the environment: `GT_DAEMON_MIN_UPTIME` (the
 * uptime after which an agent's death is healthy) and
 * `GT_DAEMON_TMUX_NUDGE_MS` (the tmux server's SIGCHLD nudge period). A bad
 * value is logged once and the default used.
 *
 * @module
 */

import { REAP_NUDGE_MS } from "../adapters/tmux_reaper.ts";
import { DEFAULT_MIN_UPTIME_MS, parseMinUptime } from "../heartbeat/backoff.ts";
import type { Log } from "../log.ts";

/** The minimum uptime from `GT_DAEMON_MIN_UPTIME` (a bad value is logged). */
export function minUptimeFromEnv(
  env: Record<string, string | undefined>,
  log: Log,
): number {
  const text = env.GT_DAEMON_MIN_UPTIME;
  if (text === undefined || text === "") return DEFAULT_MIN_UPTIME_MS;
  const ms = parseMinUptime(text);
  if (ms !== null) return ms;
  log.log(
    `Warning: GT_DAEMON_MIN_UPTIME=${
      JSON.stringify(text)
    } is not a duration such as "10s"; using 10s`,
  );
  return DEFAULT_MIN_UPTIME_MS;
}

/** The SIGCHLD nudge period from `GT_DAEMON_TMUX_NUDGE_MS` (0 turns it off). */
export function nudgeInterval(value: string | undefined, log: Log): number {
  if (value === undefined || value === "") return REAP_NUDGE_MS;
  if (/^\d{1,7}$/.test(value)) return Number(value);
  log.log(
    `Warning: GT_DAEMON_TMUX_NUDGE_MS=${
      JSON.stringify(value)
    } is not a number of milliseconds; using ${REAP_NUDGE_MS}`,
  );
  return REAP_NUDGE_MS;
}
