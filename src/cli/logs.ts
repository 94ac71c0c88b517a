/**
 * `gt-daemon logs [-n N] [-f]`: the last lines of the daemon log, and
 * optionally follow it across rotations.
 *
 * @module
 */

import {
  followFile,
  type FollowOptions,
  tailLines,
} from "../adapters/follow.ts";
import { realFs } from "../adapters/fs.ts";
import { AppError, errorMessage, UsageError } from "../errors.ts";
import { townPaths } from "../town/paths.ts";
import { type CliIo, parseCount, resolveTown } from "./common.ts";
import { parseFlags } from "./flags.ts";

/** Parsed `logs` options. */
export interface LogsOptions {
  town?: string;
  lines: number;
  follow: boolean;
}

/** Parses `logs` arguments. */
export function parseLogsArgs(args: string[]): LogsOptions {
  try {
    const { values } = parseFlags(args, {
      town: { type: "string" },
      lines: { type: "string", short: "n" },
      follow: { type: "boolean", short: "f" },
    });
    const out: LogsOptions = {
      lines: values.lines === undefined
        ? 50
        : parseCount(values.lines, "--lines"),
      follow: values.follow ?? false,
    };
    if (values.town !== undefined) out.town = values.town;
    return out;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`Invalid arguments for "logs": ${errorMessage(err)}`);
  }
}

/** Runs `logs`; returns the exit code (following runs until interrupted). */
export async function runLogs(
  io: CliIo,
  opts: LogsOptions,
  signal?: AbortSignal,
): Promise<number> {
  const town = await resolveTown(io, opts.town);
  const path = townPaths(town).log;
  const info = await realFs.stat(path);
  if (info === null) throw new AppError(`No log file found at "${path}"`);
  if (!opts.follow) {
    io.stdout(await tailLines(path, opts.lines));
    return 0;
  }
  // The last lines and what follows them come from one open file.
  const o: FollowOptions = { lines: opts.lines };
  if (signal) o.signal = signal;
  await followFile(path, io.stdout, o);
  return 0;
}
