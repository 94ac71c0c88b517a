/** Program name and version. @module */

/** The program's name as shown in help and logs. */
export const PROGRAM = "gt-daemon";

/** The program's version. */
export const VERSION = "0.1.0";

/** The Deno release the project pins; newer ones open an inspector on SIGUSR1. */
export const PINNED_DENO = "2.9.1";

/**
 * Returns a warning when `denoVersion` is newer than {@link PINNED_DENO}:
 * from 2.9.2 on, SIGUSR1 (which `gt handoff` sends) also opens a V8
 * inspector on 127.0.0.1:9229.
 */
export function runtimeWarning(denoVersion: string): string | null {
  const parse = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
  const [a = 0, b = 0, c = 0] = parse(denoVersion);
  const [x = 0, y = 0, z = 0] = parse(PINNED_DENO);
  const newer = a !== x ? a > x : b !== y ? b > y : c > z;
  if (!newer) return null;
  return `Warning: Deno ${denoVersion} opens a V8 inspector on 127.0.0.1:9229 ` +
    `when it receives SIGUSR1; do not send SIGUSR1 to this daemon, use ` +
    `'${PROGRAM} poke' instead (or run it on Deno ${PINNED_DENO})`;
}
