/**
 * Variables the daemon is launched with for its own sake, and taking them
 * back out of the environment its children inherit.
 *
 * Contract: glibc reads `MALLOC_ARENA_MAX` once, at process start, so the
 * value must be in the environment the daemon process is created with
 * (`start`'s detached child, a systemd `Environment=`, a launchd
 * `EnvironmentVariables`). Whoever launches the daemon adds the variables of
 * {@link LAUNCH_ENV} the environment lacks, and names them in
 * {@link LAUNCH_ENV_MARKER} (comma-separated, possibly empty). At startup
 * `run` deletes the marker and every variable it names whose value is still
 * the one {@link LAUNCH_ENV} gives; a variable the operator set (not named
 * in the marker, or set to another value) is passed on unchanged. Deleting a
 * variable with `Deno.env.delete` removes it from the environment of every
 * program started afterwards (Deno.Command inherits the process environment);
 * `/proc/<pid>/environ` keeps showing the environment the process began with.
 *
 * @module
 */

/**
 * Variables added at launch: two malloc arenas instead of up to eight per
 * core keep an idle daemon's resident memory from creeping up as threads of
 * the runtime allocate in arenas of their own.
 */
export const LAUNCH_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
};

/** The variable naming what the launch added (comma-separated names). */
export const LAUNCH_ENV_MARKER = "GT_DAEMON_LAUNCH_ENV";

/**
 * Returns the variables to add to `inherited` when launching the daemon: each
 * of {@link LAUNCH_ENV} that `inherited` lacks, and the marker naming them
 * (always set, so a marker inherited from elsewhere is replaced).
 */
export function launchEnv(
  inherited: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const added: string[] = [];
  for (const [name, value] of Object.entries(LAUNCH_ENV)) {
    if (inherited[name] !== undefined) continue;
    out[name] = value;
    added.push(name);
  }
  out[LAUNCH_ENV_MARKER] = added.join(",");
  return out;
}

/**
 * Returns the names to delete from `env` so that children see what the
 * daemon's launcher saw: the marker (when set) and each variable it names
 * that {@link LAUNCH_ENV} knows and that still has the launch value.
 */
export function launchEnvToDrop(
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const marker = env[LAUNCH_ENV_MARKER];
  if (marker === undefined) return [];
  const names = marker.split(",").map((n) => n.trim()).filter((name) =>
    Object.hasOwn(LAUNCH_ENV, name) && env[name] === LAUNCH_ENV[name]
  );
  return [...new Set(names), LAUNCH_ENV_MARKER];
}

/**
 * Deletes what the launch added from this process's environment (see
 * {@link launchEnvToDrop}); returns the variables deleted, marker excluded.
 */
export function dropLaunchEnv(): string[] {
  const drop = launchEnvToDrop(Deno.env.toObject());
  for (const name of drop) Deno.env.delete(name);
  return drop.filter((name) => name !== LAUNCH_ENV_MARKER);
}
