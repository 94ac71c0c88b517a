/** Program name and version, and the Deno releases the daemon runs on. @module */

/** The program's name as shown in help and logs. */
export const PROGRAM = "gt-daemon";

/** The program's version. */
export const VERSION = "0.1.0";

/** The Deno release the project pins; newer ones open an inspector on SIGUSR1. */
export const PINNED_DENO = "2.9.1";

/** The Deno releases `run`, `start` and `deno task compile` accept. */
export const SUPPORTED_DENO: readonly string[] = [PINNED_DENO];

/** The first Deno release whose SIGUSR1 opens a V8 inspector. */
export const INSPECTOR_SINCE = "2.9.2";

/** The flag that accepts an unsupported Deno. */
export const ALLOW_UNSUPPORTED_FLAG = "--allow-unsupported-deno";

/** The environment variable that accepts an unsupported Deno (`1`). */
export const ALLOW_UNSUPPORTED_ENV = "GT_DAEMON_ALLOW_UNSUPPORTED_DENO";

function parseVersion(v: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function atLeast(v: [number, number, number], min: string): boolean {
  const m = parseVersion(min)!;
  for (let i = 0; i < 3; i++) {
    if (v[i] !== m[i]) return v[i]! > m[i]!;
  }
  return true;
}

/**
 * What is wrong with running the daemon on Deno `version`, or null for a
 * supported release. Pure: the caller passes `Deno.version.deno`.
 */
export function denoProblem(version: string): string | null {
  if (SUPPORTED_DENO.includes(version)) return null;
  const v = parseVersion(version);
  if (v !== null && atLeast(v, INSPECTOR_SINCE)) {
    return `Deno ${version} opens a V8 inspector on 127.0.0.1:9229 when it receives SIGUSR1 (which 'gt handoff' sends), and any local user can connect to it and run code as the daemon's user`;
  }
  return `Deno ${version} is not a supported runtime (supported: ${
    SUPPORTED_DENO.join(", ")
  })`;
}

/** True when `value` of {@link ALLOW_UNSUPPORTED_ENV} turns the override on. */
export function allowUnsupportedEnv(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

/** The outcome of {@link runtimeGate}. */
export interface RuntimeGate {
  /** The error to stop with; null when the daemon may run. */
  refusal: string | null;
  /** The warning to log and show in `status` when the override is in use. */
  warning: string | null;
}

/**
 * Decides whether the daemon may run on Deno `version`: a supported release
 * runs; any other is refused unless `allow` (the override) is set, in which
 * case it runs with a warning.
 */
export function runtimeGate(version: string, allow: boolean): RuntimeGate {
  const problem = denoProblem(version);
  if (problem === null) return { refusal: null, warning: null };
  if (!allow) {
    return {
      refusal: `Refusing to run on an unsupported Deno: ${problem}; ` +
        `run it with Deno ${SUPPORTED_DENO.join(" or ")} ` +
        `(npx -y deno@${PINNED_DENO} …, or a binary compiled with it), ` +
        `or accept the risk with ${ALLOW_UNSUPPORTED_FLAG} ` +
        `(${ALLOW_UNSUPPORTED_ENV}=1)`,
      warning: null,
    };
  }
  return { refusal: null, warning: runtimeWarning(version) };
}

/**
 * The warning for a daemon running on an unsupported Deno (the override in
 * use), or null on a supported release.
 */
export function runtimeWarning(denoVersion: string): string | null {
  const problem = denoProblem(denoVersion);
  if (problem === null) return null;
  return `Warning: running on an unsupported Deno (${ALLOW_UNSUPPORTED_FLAG} in use): ${problem}; ` +
    `do not send SIGUSR1 to this daemon, use '${PROGRAM} poke' instead, ` +
    `and run it on Deno ${PINNED_DENO}`;
}
