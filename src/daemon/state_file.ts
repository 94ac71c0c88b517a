/**
 * `state.json` for the running daemon: read once at start (an unreadable
 * file is logged and replaced), saved after each heartbeat and whenever
 * what the engine persists changes.
 *
 * @module
 */

import { realFs } from "../adapters/fs.ts";
import { errorMessage } from "../errors.ts";
import type { Log } from "../log.ts";
import type { Engine } from "./daemon.ts";
import { type DaemonState, decodeState, encodeState } from "./state.ts";

/** Reads the last saved state; an unreadable file is logged (and later replaced). */
export async function readState(
  path: string,
  log: Log,
): Promise<DaemonState | null> {
  try {
    return decodeState(await realFs.readText(path, 1024 * 1024));
  } catch (err) {
    log.log(`Warning: replacing unreadable state file: ${errorMessage(err)}`);
    return null;
  }
}

/** Saves `state`; a failure is logged with `prefix`. */
export async function saveState(
  path: string,
  state: DaemonState,
  log: Log,
  prefix: string,
): Promise<void> {
  try {
    await realFs.writeAtomic(path, encodeState(state), 0o644);
  } catch (err) {
    log.log(`${prefix}: ${errorMessage(err)}`);
  }
}

/** The daemon's own warnings, kept when the engine's change. */
const ownWarnings = new WeakMap<DaemonState, string[]>();

/**
 * Copies what the engine persists into the state; the engine's `warnings`
 * (a missing agent command) follow the daemon's own.
 */
export function applyExtras(state: DaemonState, engine: Engine): void {
  const { warnings, ...rest } = engine.stateExtras?.() ?? {};
  Object.assign(state, rest);
  if (!ownWarnings.has(state)) ownWarnings.set(state, state.warnings ?? []);
  state.warnings = [...ownWarnings.get(state)!, ...(warnings ?? [])];
}
