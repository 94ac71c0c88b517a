/**
 * Agent bead ids: town-level (`hq-…`) and rig-level (`gt-<rig>-<role>[-<name>]`)
 * builders, and the parser of the reference (`ParseAgentBeadID`). Pure.
 *
 * @module
 */

/** The town-level Deacon agent bead. */
export const DEACON_BEAD = "hq-deacon";
/** The town-level Mayor agent bead. */
export const MAYOR_BEAD = "hq-mayor";
/** Prefix of rig-level agent beads at the reference. */
export const RIG_BEAD_PREFIX = "gt";

/**
 * Builds a rig-level agent bead id (`AgentBeadIDWithPrefix`):
 * `<prefix>-<role>`, `<prefix>-<rig>-<role>` or `<prefix>-<rig>-<role>-<name>`.
 */
export function agentBeadId(
  prefix: string,
  rig: string,
  role: string,
  name: string,
): string {
  if (rig === "") return `${prefix}-${role}`;
  if (name === "") return `${prefix}-${rig}-${role}`;
  return `${prefix}-${rig}-${role}-${name}`;
}

/** A rig's witness bead: `gt-<rig>-witness`. */
export function witnessBeadId(rig: string): string {
  return agentBeadId(RIG_BEAD_PREFIX, rig, "witness", "");
}

/** A rig's refinery bead: `gt-<rig>-refinery`. */
export function refineryBeadId(rig: string): string {
  return agentBeadId(RIG_BEAD_PREFIX, rig, "refinery", "");
}

/** A crew member's bead: `gt-<rig>-crew-<name>`. */
export function crewBeadId(rig: string, name: string): string {
  return agentBeadId(RIG_BEAD_PREFIX, rig, "crew", name);
}

/** A polecat's bead: `gt-<rig>-polecat-<name>`. */
export function polecatBeadId(rig: string, name: string): string {
  return agentBeadId(RIG_BEAD_PREFIX, rig, "polecat", name);
}

/** The deprecated role bead id the lifecycle path reads: `gt-<role>-role`. */
export function roleBeadId(role: string): string {
  return `${RIG_BEAD_PREFIX}-${role}-role`;
}

/** The town's canonical role bead id: `hq-<role>-role`. */
export function townRoleBeadId(role: string): string {
  return `hq-${role}-role`;
}

/** A dog's town-level bead: `hq-dog-<name>`. */
export function dogBeadId(name: string): string {
  return `hq-dog-${name}`;
}

/** An agent bead id split into its parts. */
export interface AgentBeadParts {
  /** Rig name; "" for town-level beads. */
  rig: string;
  /** Role part (not checked against the known roles). */
  role: string;
  /** Agent name; "" for singletons. */
  name: string;
}

/**
 * Splits an agent bead id (`ParseAgentBeadID`). The prefix must be 2–3
 * characters; returns null otherwise. The role is not checked.
 */
export function parseAgentBeadId(id: string): AgentBeadParts | null {
  const dash = id.indexOf("-");
  if (dash < 2 || dash > 3) return null;
  const parts = id.slice(dash + 1).split("-");
  const [a = "", b = "", c = ""] = parts;
  switch (parts.length) {
    case 1:
      return { rig: "", role: a, name: "" };
    case 2:
      return a === "dog"
        ? { rig: "", role: "dog", name: b }
        : { rig: a, role: b, name: "" };
    case 3:
      return { rig: a, role: b, name: c };
    default:
      return a === "dog"
        ? { rig: "", role: "dog", name: parts.slice(1).join("-") }
        : { rig: a, role: b, name: parts.slice(2).join("-") };
  }
}

const SESSION_ROLES: ReadonlySet<string> = new Set([
  "mayor",
  "deacon",
  "witness",
  "refinery",
  "crew",
  "polecat",
]);

/** True when `id` parses as an agent bead of a role that has a session. */
export function isAgentSessionBead(id: string): boolean {
  const parts = parseAgentBeadId(id);
  return parts !== null && SESSION_ROLES.has(parts.role);
}
