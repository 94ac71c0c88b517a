/** Help texts for the program and its commands. @module */

import { PROGRAM, VERSION } from "../version.ts";

/** The program's help. */
export const MAIN_HELP = `${PROGRAM} ${VERSION} - the Gas Town town daemon

Keeps a town's agent sessions (Mayor, Deacon, Witnesses, Refineries,
polecats) alive in tmux, acts on lifecycle mail, and warns Witnesses
about stuck or orphaned work. One daemon per town, guarded by a lock.

Usage: ${PROGRAM} <command> [options]

Commands:
  start            Start the daemon in the background (safe to run from cron)
  stop             Stop the daemon (SIGTERM, then SIGKILL after --timeout)
  status           Show whether the daemon runs, and its last heartbeat
  logs             Show the daemon log (-n N, -f to follow)
  run              Run the daemon in the foreground (for service managers)
  heartbeat        Run one heartbeat now (--once [--dry-run] [--json])
  poke             Wake the daemon: process lifecycle mail now (no SIGUSR1)
  clear-backoff    Forget an agent's restart backoff and crash-loop state
  service          Install, remove or print a systemd/launchd unit

Common options:
  --town DIR       The town root (else GT_TOWN_ROOT, else the directory
                   tree above the current one, else ~/gt)
  -h, --help       Show help for the program or a command
  --version        Show the version
  --verbose        Show the cause chain of errors

Run '${PROGRAM} <command> --help' for a command's options.
`;

/** Per-command help (`service` has its own, in its module). */
export const COMMAND_HELP: Record<string, string> = {
  start:
    `Usage: ${PROGRAM} start [--town DIR] [--interval D] [--quiet] [--wait S]
       [--log-max-bytes N] [--log-keep N] [--heartbeat-deadline D]
       [--min-uptime D] [--allow-unsupported-deno]

Starts the daemon as a detached background process and waits until it
holds the town lock and has written its PID file. Every option of 'run'
is accepted and passed on to the daemon.

  --interval D   Heartbeat interval: 500ms, 2s, 3m (default 3m, or
                 GT_DAEMON_INTERVAL)
  -q, --quiet    Print nothing when started or already running
  --wait S       Seconds to wait for readiness (default 15)
  --allow-unsupported-deno
                 Run on a Deno other than 2.9.1 (also
                 GT_DAEMON_ALLOW_UNSUPPORTED_DENO=1); see "run"

The daemon runs on the same runtime as this command. Exit 0 when the daemon
was started or was already running.
`,
  stop: `Usage: ${PROGRAM} stop [--town DIR] [--timeout S] [--quiet]

Sends SIGTERM to the daemon holding the town lock and waits until the lock
is released; after --timeout seconds (default 10) sends SIGKILL.

Exit 0 when the daemon stopped or was not running.
`,
  status: `Usage: ${PROGRAM} status [--town DIR] [--json]

The lock decides whether a daemon runs; the PID file only says which PID.
The holder's command line tells a gt-daemon from the Go \`gt daemon run\`,
which takes the same lock.

  --json   Machine-readable output (running, pid, town, started_at,
           last_heartbeat, heartbeat_count, interval_ms, version, ...)
`,
  logs: `Usage: ${PROGRAM} logs [--town DIR] [-n N] [-f]

  -n, --lines N   Show the last N lines (default 50)
  -f, --follow    Keep printing new lines, across log rotations
`,
  run:
    `Usage: ${PROGRAM} run [--town DIR] [--interval D] [--log-max-bytes N] [--log-keep N]
       [--heartbeat-deadline D] [--min-uptime D] [--allow-unsupported-deno]

Runs the daemon in the foreground until SIGTERM or SIGINT.

  --interval D        Heartbeat interval (default 3m, or GT_DAEMON_INTERVAL)
  --log-max-bytes N   Rotate daemon.log past N bytes (default 10485760, or
                      GT_DAEMON_LOG_MAX_BYTES)
  --log-keep N        Rotated logs kept (default 3, or GT_DAEMON_LOG_KEEP)
  --heartbeat-deadline D
                      A heartbeat running longer is logged as an overrun and
                      the daemon goes on serving signals and events (default
                      5m, or GT_DAEMON_HEARTBEAT_DEADLINE)
  --min-uptime D      An agent that ran this long before it died was
                      healthy: it is restarted at once and its backoff is
                      reset; quicker deaths back off and count toward a crash
                      loop (default 10s, or GT_DAEMON_MIN_UPTIME)
  --allow-unsupported-deno
                      Run on a Deno other than 2.9.1 (also
                      GT_DAEMON_ALLOW_UNSUPPORTED_DENO=1). From 2.9.2 on,
                      SIGUSR1 opens a V8 inspector on 127.0.0.1:9229 that any
                      local user can use; status then shows a warning

Signals: SIGTERM/SIGINT stop; SIGUSR1 processes lifecycle mail now;
SIGHUP/SIGUSR2 run a heartbeat now.
`,
  heartbeat:
    `Usage: ${PROGRAM} heartbeat --once [--dry-run] [--json] [--town DIR]

Runs one heartbeat in this process. With --dry-run, prints the actions it
would take without taking them.
`,
  poke: `Usage: ${PROGRAM} poke [--town DIR] [--heartbeat]

Asks the running daemon to process lifecycle mail now (or, with
--heartbeat, to run a full heartbeat) through <town>/daemon/events/,
without sending SIGUSR1.
`,
  "clear-backoff": `Usage: ${PROGRAM} clear-backoff <agent|--all> [--town DIR]

Forgets the restart backoff and crash-loop state of an agent such as
"deacon", "gastown/witness" or "gastown/polecats/Toast".
`,
};
