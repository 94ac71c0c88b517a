/**
 * `gt-daemon status [--json]`: whether a daemon runs on the town (decided by
 * the lock), its PID, start time, last heartbeat, and warnings.
 *
 * @module
 */

import { readCheckedText } from "../adapters/checked_read.ts";
import { executableMtime, pidCmdline } from "../adapters/os.ts";
import { type DaemonState, decodeState } from "../daemon/state.ts";
import { errorMessage, UsageError } from "../errors.ts";
import { localClock, localDateTime, rfc3339, ZERO_TIME } from "../gotime.ts";
import { townPaths } from "../town/paths.ts";
import { PROGRAM, VERSION } from "../version.ts";
import { type CliIo, resolveTown, styler } from "./common.ts";
import { parseFlags } from "./flags.ts";
import { probeDaemon, removeStalePidFile } from "./probe.ts";

/** Parsed `status` options. */
export interface StatusOptions {
  town?: string;
  json: boolean;
}

/** Parses `status` arguments. */
export function parseStatusArgs(args: string[]): StatusOptions {
  try {
    const { values } = parseFlags(args, {
      town: { type: "string" },
      json: { type: "boolean" },
    });
    const out: StatusOptions = { json: values.json ?? false };
    if (values.town !== undefined) out.town = values.town;
    return out;
  } catch (err) {
    throw new UsageError(
      `Invalid arguments for "status": ${errorMessage(err)}`,
    );
  }
}

/** Runs `status`; returns the exit code. */
export async function runStatus(
  io: CliIo,
  opts: StatusOptions,
  programMtime: Date | null = null,
): Promise<number> {
  const town = await resolveTown(io, opts.town);
  const probe = await probeDaemon(town);
  if (!probe.running && probe.pidFilePid !== null) {
    await removeStalePidFile(town);
  }
  let state: DaemonState | null = null;
  let stateProblem: string | null = null;
  try {
    state = decodeState(
      await readCheckedText(townPaths(town).state, { maxBytes: 1024 * 1024 }),
    );
  } catch (err) {
    stateProblem = errorMessage(err);
  }
  const live = probe.running && state !== null && state.pid === probe.pid
    ? state
    : null;
  // The holder's command line tells a gt-daemon from the Go `gt daemon run`.
  const command = !probe.running || probe.pid === null
    ? null
    : probe.holder?.pid === probe.pid && probe.holder.argv.length > 0
    ? probe.holder.argv
    : await pidCmdline(probe.pid);
  const binary = programMtime ?? await executableMtime();
  const binaryNewer = live?.startedAt && live.version && binary
    ? binary.getTime() > live.startedAt.getTime()
    : false;

  if (opts.json) {
    const t = (d: Date | null | undefined) => (d ? rfc3339(d) : ZERO_TIME);
    io.stdout(
      JSON.stringify(
        {
          running: probe.running,
          pid: probe.pid,
          command,
          town,
          started_at: t(live?.startedAt),
          last_heartbeat: t(live?.lastHeartbeat),
          heartbeat_count: live?.heartbeatCount ?? 0,
          interval_ms: live?.intervalMs ?? null,
          version: live?.version ?? null,
          cli_version: VERSION,
          deno: live?.deno ?? null,
          exec_path: live?.execPath ?? null,
          binary_mtime: binary ? rfc3339(binary) : null,
          binary_newer: binaryNewer,
          lock_holder: probe.foreignHolder !== null && probe.holder
            ? {
              pid: probe.holder.pid,
              uid: probe.holder.uid,
              command: probe.holder.argv,
            }
            : null,
          warnings: [
            ...(probe.foreignHolder ? [probe.foreignHolder] : []),
            ...(live?.warnings ?? []),
            ...(probe.pidFileProblem ? [probe.pidFileProblem] : []),
            ...(stateProblem ? [`State file unreadable: ${stateProblem}`] : []),
          ],
          backoff: live?.backoff ?? {},
          memory: live?.memory
            ? { rss: live.memory.rss, heap_used: live.memory.heapUsed }
            : null,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }

  const s = styler(io);
  if (!probe.running) {
    io.stdout(`${s.stopped("Daemon is not running")}\n`);
    if (probe.foreignHolder !== null) {
      io.stdout(`  ${s.warn(probe.foreignHolder)}\n`);
    }
    io.stdout(`\nStart with: ${PROGRAM} start\n`);
    return 0;
  }
  const pidText = probe.pid === null ? "unknown" : String(probe.pid);
  io.stdout(
    `${s.running(`Daemon is ${s.bold("running")} (PID ${pidText})`)}\n`,
  );
  if (live?.startedAt) {
    io.stdout(`  Started: ${localDateTime(live.startedAt)}\n`);
    if (live.lastHeartbeat) {
      io.stdout(
        `  Last heartbeat: ${
          localClock(live.lastHeartbeat)
        } (#${live.heartbeatCount})\n`,
      );
    }
    // Only a gt-daemon (its state has a version) runs this executable.
    if (binary && live.version) {
      io.stdout(`  Binary: ${localDateTime(binary)}\n`);
      if (binaryNewer) {
        io.stdout(
          `  ${
            s.warn(
              `Binary is newer than process - consider '${PROGRAM} stop && ${PROGRAM} start'`,
            )
          }\n`,
        );
      }
    }
    io.stdout(`  Town: ${town}\n`);
    if (live.version) {
      io.stdout(
        `  Version: ${live.version} (Deno ${live.deno ?? "?"}, ${
          live.execPath ?? "?"
        })\n`,
      );
    }
    const loops = Object.entries(live.backoff ?? {}).filter(([, b]) =>
      b.crashLoop
    );
    for (const [agent, b] of loops) {
      io.stdout(
        `  ${
          s.warn(
            `Crash loop: ${agent} (${b.restarts} quick deaths within 10 minutes); clear with '${PROGRAM} clear-backoff ${agent}'`,
          )
        }\n`,
      );
    }
    for (const w of live.warnings ?? []) io.stdout(`  ${s.warn(w)}\n`);
  }
  if (command && command.length > 0) {
    io.stdout(`  Command: ${command.join(" ")}\n`);
  }
  if (probe.pidFileProblem) io.stdout(`  ${s.warn(probe.pidFileProblem)}\n`);
  if (stateProblem) {
    io.stdout(`  ${s.warn(`State file unreadable: ${stateProblem}`)}\n`);
  }
  return 0;
}
