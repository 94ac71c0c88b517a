/**
 * Runs a program to completion in a clean environment and returns what it
 * printed: the one way tests run a command for its output.
 *
 * @module
 */

/** What a finished command printed. */
export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** The whole environment (nothing is inherited). */
  env: Record<string, string>;
  /** Working directory; the test's own by default. */
  cwd?: string;
  /** Deadline after which the command is killed; 60 s by default. */
  timeoutMs?: number;
}

/**
 * Runs `argv` with stdin closed and both outputs captured, in `env` only,
 * killed at the deadline (its exit status then reports the signal).
 */
export async function runCommand(
  argv: readonly string[],
  options: RunCommandOptions,
): Promise<CommandOutput> {
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}
