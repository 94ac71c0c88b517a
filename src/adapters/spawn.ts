/**
 * Starting the daemon as a fully detached child: its own session and process
 * group (so a terminal hang-up or Ctrl-C never reaches it), stdio on the null
 * device, not waited for. The daemon writes its own log.
 *
 * @module
 */

/** A started background process. */
export interface Detached {
  pid: number;
  /** Resolves with the exit code when the child ends. */
  exited: Promise<number>;
}

/**
 * Spawns `argv` detached, with `cwd` (also given as `$PWD`) and `env` added
 * to the inherited environment.
 */
export function spawnDetached(
  argv: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Detached {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("Empty command line");
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: { ...options.env, PWD: options.cwd },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return { pid: child.pid, exited: child.status.then((s) => s.code) };
}
