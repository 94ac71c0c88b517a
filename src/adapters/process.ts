/**
 * The one subprocess runner. Every external program the daemon starts goes
 * through {@link createRunner}: an argv array (never a shell string), stdin
 * connected to the null device, stdout and stderr captured up to a cap, a
 * timeout and an AbortSignal on every call.
 *
 * Children are started in their own process group so that a timeout or an
 * abort ends the program and everything it started (a `bash` script that
 * runs `sleep` would otherwise keep the output pipe open).
 *
 * @module
 */

import { systemClock, type TimerHandle } from "./clock.ts";
import {
  CommandAbortedError,
  CommandFailedError,
  CommandNotFoundError,
  CommandTimeoutError,
} from "../errors.ts";

/** Options for one subprocess call. */
export interface RunOptions {
  /** Working directory; the daemon's own when absent. */
  cwd?: string;
  /** Variables added to (or overriding) the inherited environment. */
  env?: Record<string, string>;
  /** Milliseconds before the program is killed; default 30 000. */
  timeoutMs?: number;
  /** Aborts the call (and kills the program) when signalled. */
  signal?: AbortSignal;
  /** Largest stdout or stderr kept, in bytes; default 8 MiB. */
  maxOutputBytes?: number;
  /**
   * Receives stdout as it arrives, with no size cap; stdout is then not
   * kept (the result's `stdout` is empty). For output parsed as a stream.
   */
  onStdout?: (chunk: Uint8Array) => void;
}

/** What a finished subprocess produced. */
export interface RunResult {
  /** Exit status (128 + n when killed by signal n). */
  code: number;
  /** Captured standard output, decoded as UTF-8. */
  stdout: string;
  /** Captured standard error, decoded as UTF-8. */
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
  /** True when output past `maxOutputBytes` was dropped. */
  truncated: boolean;
}

/** Runs programs; the port every adapter uses instead of `Deno.Command`. */
export interface Runner {
  /**
   * Runs `argv` and resolves with its result whatever its exit status.
   * Rejects with {@link CommandNotFoundError}, {@link CommandTimeoutError}
   * or {@link CommandAbortedError}.
   */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** Options for {@link createRunner}. */
export interface RunnerOptions {
  /** Program name → absolute path, applied to `argv[0]`. */
  programs?: Record<string, string>;
  /** Default timeout in milliseconds; 30 000 when absent. */
  defaultTimeoutMs?: number;
  /** Aborts every call made through this runner. */
  signal?: AbortSignal;
  /** Called once per started subprocess (for counting). */
  onSpawn?: (argv: readonly string[]) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;
const DRAIN_GRACE_MS = 1_000;

/** Creates the real runner backed by `Deno.Command`. */
export function createRunner(options: RunnerOptions = {}): Runner {
  return {
    run(argv, runOptions = {}) {
      const program = argv[0];
      if (program === undefined) {
        return Promise.reject(new CommandFailedError("Empty command line"));
      }
      const resolved = options.programs?.[program] ?? program;
      options.onSpawn?.(argv);
      const signals = [runOptions.signal, options.signal].filter((
        s,
      ): s is AbortSignal => s !== undefined);
      return runOnce(resolved, argv, {
        ...runOptions,
        timeoutMs: runOptions.timeoutMs ?? options.defaultTimeoutMs ??
          DEFAULT_TIMEOUT_MS,
      }, signals);
    },
  };
}

async function runOnce(
  program: string,
  argv: readonly string[],
  options: RunOptions & { timeoutMs: number },
  signals: AbortSignal[],
): Promise<RunResult> {
  const name = argv[0] ?? program;
  const started = performance.now();
  for (const s of signals) {
    if (s.aborted) {
      throw new CommandAbortedError(`Command aborted: "${name}"`);
    }
  }
  let child: Deno.ChildProcess;
  try {
    const cmdOptions: Deno.CommandOptions = {
      args: argv.slice(1) as string[],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    };
    if (options.cwd !== undefined) cmdOptions.cwd = options.cwd;
    if (options.env !== undefined) cmdOptions.env = options.env;
    child = new Deno.Command(program, cmdOptions).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new CommandNotFoundError(`Command not found: "${name}"`, {
        cause: err,
      });
    }
    throw new CommandFailedError(`Cannot start "${name}"`, { cause: err });
  }

  let reason: "timeout" | "abort" | undefined;
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  const timer = systemClock.timer(options.timeoutMs, () => {
    reason ??= "timeout";
    killGroup();
  });
  const onAbort = () => {
    reason ??= "abort";
    killGroup();
  };
  for (const s of signals) s.addEventListener("abort", onAbort);

  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const out = readCapped(child.stdout, max, options.onStdout);
  const err = readCapped(child.stderr, max);
  try {
    const status = await child.status;
    // The group leader is gone; anything it left behind that still holds a
    // pipe open is ended too, so draining cannot wait forever.
    if (reason === undefined) {
      const drained = await within(
        Promise.all([out.done, err.done]),
        DRAIN_GRACE_MS,
      );
      if (!drained) killGroup();
    }
    const [stdout, stderr] = await Promise.all([
      out.finish(DRAIN_GRACE_MS),
      err.finish(DRAIN_GRACE_MS),
    ]);
    const ms = performance.now() - started;
    if (reason === "timeout") {
      throw new CommandTimeoutError(
        `Command timed out after ${options.timeoutMs} ms: "${name}"`,
      );
    }
    if (reason === "abort") {
      throw new CommandAbortedError(`Command aborted: "${name}"`);
    }
    const code = status.signal !== null && status.code === 0
      ? 128
      : status.code;
    return {
      code,
      stdout: stdout.text,
      stderr: stderr.text,
      ms,
      truncated: stdout.truncated || stderr.truncated,
    };
  } finally {
    timer.cancel();
    for (const s of signals) s.removeEventListener("abort", onAbort);
  }
}

interface CappedReader {
  done: Promise<void>;
  finish(graceMs: number): Promise<{ text: string; truncated: boolean }>;
}

function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  sink?: (chunk: Uint8Array) => void,
): CappedReader {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (sink) {
          sink(value);
          continue;
        }
        if (size >= max) {
          truncated = true;
          continue;
        }
        const room = max - size;
        const part = value.length > room ? value.subarray(0, room) : value;
        if (part.length < value.length) truncated = true;
        chunks.push(part);
        size += part.length;
      }
    } catch {
      // stream cancelled or broken: keep what was read
    }
  })();
  return {
    done,
    async finish(graceMs) {
      const finished = await within(done, graceMs);
      if (!finished) {
        await reader.cancel().catch(() => {});
        await done;
      }
      reader.releaseLock();
      const buf = new Uint8Array(size);
      let off = 0;
      for (const c of chunks) {
        buf.set(c, off);
        off += c.length;
      }
      return { text: new TextDecoder().decode(buf), truncated };
    },
  };
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = systemClock.timer(ms, () => resolve(false));
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    timer?.cancel();
  }
}
