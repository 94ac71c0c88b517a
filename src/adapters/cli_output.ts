/**
 * Shared text handling for the `bd` and `gt` adapters: how a command line
 * and its output appear in error messages, the error for a non-zero exit,
 * and running a command for its text or its streamed JSON array. Decoding
 * JSON output is in `cli_json.ts`.
 *
 * @module
 */

import {
  CommandFailedError,
  CommandNotFoundError,
  CommandTimeoutError,
} from "../errors.ts";
import {
  describeOversized,
  JsonArrayStream,
  type OversizedItem,
} from "./json_array_stream.ts";
import type { Runner, RunOptions, RunResult } from "./process.ts";
import { jsonKind, OutputParseError } from "./cli_json.ts";

const MAX_ARG_CHARS = 60;
const MAX_EXCERPT_CHARS = 300;

/**
 * Shows a command line for a message: arguments joined by spaces, an
 * argument with spaces, quotes or line breaks JSON-quoted, and arguments
 * longer than 60 characters cut with `…`.
 */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => {
    const short = arg.length > MAX_ARG_CHARS
      ? arg.slice(0, MAX_ARG_CHARS - 1) + "…"
      : arg;
    return /[\s"'\\]/.test(short) || short === ""
      ? JSON.stringify(short)
      : short;
  }).join(" ");
}

/** The first 300 characters of trimmed output, line breaks shown as ` | `. */
export function excerpt(text: string): string {
  const flat = text.trim().replace(/\s*\r?\n\s*/g, " | ");
  return flat.length > MAX_EXCERPT_CHARS
    ? flat.slice(0, MAX_EXCERPT_CHARS - 1) + "…"
    : flat;
}

/** An external program exited with a non-zero status. */
export class ExternalCommandError extends CommandFailedError {
  /** The command line that failed. */
  readonly argv: readonly string[];
  /** Its exit status. */
  readonly code: number;
  /** Its captured standard output. */
  readonly stdout: string;
  /** Its captured standard error. */
  readonly stderr: string;

  /** Builds the error from the command line and its result. */
  constructor(argv: readonly string[], result: RunResult) {
    const detail = excerpt(result.stderr) || excerpt(result.stdout);
    super(
      `Command failed with exit code ${result.code}: ${formatArgv(argv)}` +
        (detail ? `: ${detail}` : ""),
    );
    this.argv = argv;
    this.code = result.code;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** Options for {@link runCli}. */
export interface CliCallOptions {
  cwd: string;
  timeoutMs: number;
  env?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  maxOutputBytes?: number | undefined;
  /** Receives stdout as it streams (nothing is kept). */
  onStdout?: ((chunk: Uint8Array) => void) | undefined;
  /** Builds the error for a program that is not installed. */
  notInstalled: (program: string, cause: Error) => Error;
}

/**
 * Runs one CLI call through the runner. A timeout is rethrown with the whole
 * command line in its message; a missing program becomes the caller's
 * "not installed" error. Any exit status resolves.
 */
export async function runCli(
  runner: Runner,
  argv: readonly string[],
  options: CliCallOptions,
): Promise<RunResult> {
  const opts: RunOptions = { cwd: options.cwd, timeoutMs: options.timeoutMs };
  if (options.env && Object.keys(options.env).length > 0) {
    opts.env = options.env;
  }
  if (options.signal) opts.signal = options.signal;
  if (options.maxOutputBytes !== undefined) {
    opts.maxOutputBytes = options.maxOutputBytes;
  }
  if (options.onStdout) opts.onStdout = options.onStdout;
  try {
    return await runner.run(argv, opts);
  } catch (err) {
    if (err instanceof CommandNotFoundError) {
      throw options.notInstalled(argv[0] ?? "", err);
    }
    if (err instanceof CommandTimeoutError) {
      throw new CommandTimeoutError(
        `Command timed out after ${options.timeoutMs} ms: ${formatArgv(argv)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

const ERROR_HEAD_BYTES = 4096;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The most entries one list call reads; the rest are reported, not kept. */
export const MAX_LIST_ENTRIES = 10_000;

/** A JSON array read from a program as it streams. */
export interface StreamedArray {
  /** The entries that parsed, in order (at most {@link MAX_LIST_ENTRIES}). */
  items: unknown[];
  /** Entries that were not valid JSON. */
  malformed: number;
  /** One line for each entry (or group of entries) that could not be read. */
  unreadable: string[];
}

/**
 * Runs `argv` and reads its stdout as a JSON array, one entry at a time: an
 * entry over `maxItemBytes` (1 MiB by default) is skipped and reported, the
 * rest is read whatever the total size. Empty output and `null` are an
 * empty array. Throws {@link ExternalCommandError} on a non-zero exit and
 * {@link OutputParseError} when the output is not a JSON array.
 */
export async function runJsonArray(
  runner: Runner,
  argv: readonly string[],
  options: CliCallOptions & { what: string; maxItemBytes?: number },
): Promise<StreamedArray> {
  const stream = new JsonArrayStream({
    maxItems: MAX_LIST_ENTRIES,
    ...(options.maxItemBytes === undefined
      ? {}
      : { maxItemBytes: options.maxItemBytes }),
  });
  // The start of the output is kept for the message of a failed call.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  const res = await runCli(runner, argv, {
    ...options,
    onStdout: (chunk) => {
      if (headBytes < ERROR_HEAD_BYTES) {
        head.push(chunk.slice(0, ERROR_HEAD_BYTES - headBytes));
        headBytes += Math.min(chunk.length, ERROR_HEAD_BYTES - headBytes);
      }
      stream.push(chunk);
    },
  });
  const what = options.what;
  if (res.code !== 0) {
    const stdout = res.stdout || new TextDecoder().decode(concat(head));
    throw new ExternalCommandError(argv, { ...res, stdout });
  }
  // A runner that does not stream hands the whole output over at the end.
  if (res.stdout !== "") {
    if (res.truncated) {
      throw new OutputParseError(
        `Cannot parse "${what}" output: it exceeds the output size limit`,
      );
    }
    stream.push(new TextEncoder().encode(res.stdout));
  }
  const r = stream.finish();
  if (r.kind === "empty") return { items: [], malformed: 0, unreadable: [] };
  if (r.kind === "other") {
    if (r.error !== undefined) {
      throw new OutputParseError(`Cannot parse "${what}" output: ${r.error}`);
    }
    if (r.value === null) return { items: [], malformed: 0, unreadable: [] };
    throw new OutputParseError(
      `Cannot parse "${what}" output: expected a JSON array, got ${
        jsonKind(r.value)
      }`,
    );
  }
  const unreadable = r.oversized.map((o: OversizedItem) =>
    `${what}: skipped an entry over the ${
      mib(options.maxItemBytes)
    } limit for one entry (${describeOversized(o)})`
  );
  if (r.extra > 0) {
    unreadable.push(
      `${what}: read the first ${MAX_LIST_ENTRIES} entries; ${r.extra} more were not read`,
    );
  }
  return { items: r.items, malformed: r.malformed, unreadable };
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? "1 MiB" : `${(bytes / 1048576).toFixed(1)} MiB`;
}
