/**
 * The tmux session environment of each role (`GT_ROLE`, `BD_ACTOR`,
 * `BEADS_DIR`, …), in the order the reference sets it. Pure.
 *
 * @module
 */

/** Roles with a session environment recipe. */
export type SessionRole =
  | "mayor"
  | "deacon"
  | "boot"
  | "witness"
  | "refinery"
  | "crew"
  | "polecat";

/** Where a session lives, for {@link sessionEnv}. */
export interface SessionEnvOptions {
  /** Rig name (witness, refinery, crew, polecat). */
  rig?: string;
  /** Polecat or crew name. */
  name?: string;
  /** Absolute town root (for `BEADS_DIR`). */
  town?: string;
}

/**
 * The tmux session environment of a role, in the order the reference sets
 * it. One documented fix: the witness gets `BD_ACTOR=<rig>/witness` (the
 * reference sets `<rig>-witness` here while exporting `<rig>/witness`).
 * Mayor and crew follow the same scheme (the reference only reaches them
 * through lifecycle restarts).
 */
export function sessionEnv(
  role: SessionRole,
  options: SessionEnvOptions = {},
): [string, string][] {
  const { rig = "", name = "", town = "" } = options;
  switch (role) {
    case "mayor":
      return [["GT_ROLE", "mayor"], ["BD_ACTOR", "mayor"]];
    case "deacon":
      return [["GT_ROLE", "deacon"], ["BD_ACTOR", "deacon"]];
    case "boot":
      return [["GT_ROLE", "boot"], ["BD_ACTOR", "deacon-boot"]];
    case "witness":
      return [
        ["GT_ROLE", "witness"],
        ["GT_RIG", rig],
        ["BD_ACTOR", `${rig}/witness`],
      ];
    case "refinery":
      return [
        ["GT_ROLE", "refinery"],
        ["GT_RIG", rig],
        ["BD_ACTOR", `${rig}/refinery`],
        ["BEADS_DIR", `${town}/${rig}/mayor/rig/.beads`],
        ["BEADS_NO_DAEMON", "1"],
        ["BEADS_AGENT_NAME", `${rig}/refinery`],
      ];
    case "crew":
      return [
        ["GT_ROLE", "crew"],
        ["GT_RIG", rig],
        ["GT_CREW", name],
        ["BD_ACTOR", `${rig}/crew/${name}`],
      ];
    case "polecat":
      return [
        ["GT_ROLE", "polecat"],
        ["GT_RIG", rig],
        ["GT_POLECAT", name],
        ["BD_ACTOR", `${rig}/polecats/${name}`],
        ["BEADS_DIR", `${town}/${rig}/.beads`],
        ["BEADS_NO_DAEMON", "1"],
        ["BEADS_AGENT_NAME", `${rig}/${name}`],
      ];
  }
}
