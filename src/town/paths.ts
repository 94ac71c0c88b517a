/**
 * Paths inside a town that the daemon reads or writes. They are joined with
 * `/` like the reference; names that come from outside are validated before
 * they reach these helpers.
 *
 * @module
 */

/** Paths of the daemon's own files and the town files it reads. */
export interface TownPaths {
  town: string;
  daemonDir: string;
  lock: string;
  pid: string;
  state: string;
  log: string;
  /** Directory whose entries wake the daemon (`gt-daemon poke`, tmux hooks). */
  events: string;
  notifications: string;
  rigs: string;
  deaconHeartbeat: string;
  bootDir: string;
  bootMarker: string;
  bootStatus: string;
  pending: string;
  townBeads: string;
  townSettings: string;
}

/** Builds the path set of a town root. */
export function townPaths(town: string): TownPaths {
  const d = `${town}/daemon`;
  return {
    town,
    daemonDir: d,
    lock: `${d}/daemon.lock`,
    pid: `${d}/daemon.pid`,
    state: `${d}/state.json`,
    log: `${d}/daemon.log`,
    events: `${d}/events`,
    notifications: `${d}/notifications.json`,
    rigs: `${town}/mayor/rigs.json`,
    deaconHeartbeat: `${town}/deacon/heartbeat.json`,
    bootDir: `${town}/deacon/dogs/boot`,
    bootMarker: `${town}/deacon/dogs/boot/.boot-running`,
    bootStatus: `${town}/deacon/dogs/boot/.boot-status.json`,
    pending: `${town}/spawn/pending.json`,
    townBeads: `${town}/.beads`,
    townSettings: `${town}/settings/config.json`,
  };
}

/** Per-rig paths. */
export function rigPaths(town: string, rig: string) {
  const r = `${town}/${rig}`;
  return {
    root: r,
    witness: `${r}/witness`,
    refineryRig: `${r}/refinery/rig`,
    mayorRigBeads: `${r}/mayor/rig/.beads`,
    beads: `${r}/.beads`,
    polecats: `${r}/polecats`,
    settings: `${r}/settings/config.json`,
    polecat: (name: string) => `${r}/polecats/${name}`,
    crew: (name: string) => `${r}/crew/${name}`,
  };
}
