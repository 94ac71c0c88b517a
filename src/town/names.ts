/**
 * Names in a Gas Town: validation of rig, polecat and crew names, tmux session
 * names, agent bead ids and the addresses of an agent identity. Pure
 * functions, no I/O.
 *
 * Name rule: a rig, polecat or crew name is 1–64 ASCII characters from
 * `A–Z a–z 0–9 _ -`, starting with a letter or digit. This excludes
 * everything that would change meaning in a path (`.`, `/`), a tmux target
 * (`.`, `:`), an env assignment (`=`) or a shell command (spaces, quotes, `$`,
 * backticks, `;`, newlines), and non-ASCII text. Builders such as
 * {@link witnessSession} concatenate without checking: callers pass names
 * that passed {@link validateName}; the parsers in `identity.ts` validate.
 *
 * Bead ids are built in `bead_ids.ts` and re-exported here; identity strings
 * and session names are parsed in `identity.ts`.
 *
 * @module
 */

import {
  crewBeadId,
  DEACON_BEAD,
  MAYOR_BEAD,
  polecatBeadId,
  refineryBeadId,
  witnessBeadId,
} from "./bead_ids.ts";

/** The kinds of name that {@link validateName} checks. */
export type NameKind = "rig" | "polecat" | "crew";

/** Agent roles that have a tmux session. */
export type RoleType =
  | "mayor"
  | "deacon"
  | "witness"
  | "refinery"
  | "crew"
  | "polecat";

/** A parsed agent identity; `rig` and `name` are "" where the role has none. */
export interface AgentIdentity {
  /** The agent's role. */
  roleType: RoleType;
  /** Rig name; "" for the Mayor and the Deacon. */
  rig: string;
  /** Polecat or crew name; "" for the other roles. */
  name: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Longest accepted rig, polecat or crew name. */
export const MAX_NAME_LENGTH = 64;

/** Returns why `name` is not a valid `kind` name, or null when it is valid. */
export function validateName(kind: NameKind, name: string): string | null {
  if (name === "") return `Invalid ${kind} name: empty`;
  if (name.length > MAX_NAME_LENGTH) {
    return `Invalid ${kind} name ${
      JSON.stringify(name.slice(0, 20) + "…")
    }: longer than ${MAX_NAME_LENGTH} characters`;
  }
  if (!NAME_RE.test(name)) {
    return `Invalid ${kind} name ${
      JSON.stringify(name)
    }: use letters, digits, "_" and "-", starting with a letter or digit`;
  }
  // A polecat's session is gt-<rig>-<name>: these names would make it the
  // rig's Witness or Refinery session, or a crew session, or one of
  // another rig ("a" + "b-witness" = "a-b" + "witness").
  if (
    kind === "polecat" &&
    (/^(witness|refinery)$/.test(name) || /-(witness|refinery)$/.test(name) ||
      /^crew-/.test(name))
  ) {
    return `Invalid polecat name ${
      JSON.stringify(name)
    }: its session name would be another agent's (witness, refinery or crew)`;
  }
  return null;
}

/** True when `name` is a valid `kind` name. */
export function isValidName(kind: NameKind, name: string): boolean {
  return validateName(kind, name) === null;
}

// ---------------------------------------------------------------- sessions

/** Prefix of every Gas Town tmux session name. */
export const SESSION_PREFIX = "gt-";
/** The Boot watchdog session (not `gt-deacon-boot`: no prefix clash). */
export const BOOT_SESSION = "gt-boot";

/** The Mayor's session: `gt-mayor`. */
export function mayorSession(): string {
  return `${SESSION_PREFIX}mayor`;
}

/** The Deacon's session: `gt-deacon`. */
export function deaconSession(): string {
  return `${SESSION_PREFIX}deacon`;
}

/** A rig's witness session: `gt-<rig>-witness`. */
export function witnessSession(rig: string): string {
  return `${SESSION_PREFIX}${rig}-witness`;
}

/** A rig's refinery session: `gt-<rig>-refinery`. */
export function refinerySession(rig: string): string {
  return `${SESSION_PREFIX}${rig}-refinery`;
}

/** A crew member's session: `gt-<rig>-crew-<name>`. */
export function crewSession(rig: string, name: string): string {
  return `${SESSION_PREFIX}${rig}-crew-${name}`;
}

/** A polecat's session: `gt-<rig>-<name>`. */
export function polecatSession(rig: string, name: string): string {
  return `${SESSION_PREFIX}${rig}-${name}`;
}

// ---------------------------------------------------------------- identities

/** The tmux session of an agent (`gt-mayor`, `gt-<rig>-<name>`, …). */
export function sessionOf(a: AgentIdentity): string {
  switch (a.roleType) {
    case "mayor":
      return mayorSession();
    case "deacon":
      return deaconSession();
    case "witness":
      return witnessSession(a.rig);
    case "refinery":
      return refinerySession(a.rig);
    case "crew":
      return crewSession(a.rig, a.name);
    case "polecat":
      return polecatSession(a.rig, a.name);
  }
}

/** The agent bead id of an agent (`hq-deacon`, `gt-<rig>-polecat-<n>`, …). */
export function beadIdOf(a: AgentIdentity): string {
  switch (a.roleType) {
    case "mayor":
      return MAYOR_BEAD;
    case "deacon":
      return DEACON_BEAD;
    case "witness":
      return witnessBeadId(a.rig);
    case "refinery":
      return refineryBeadId(a.rig);
    case "crew":
      return crewBeadId(a.rig, a.name);
    case "polecat":
      return polecatBeadId(a.rig, a.name);
  }
}

/**
 * The agent's address in slash form (`AgentIdentity.Address()`), also its
 * `BD_ACTOR`: `mayor`, `deacon`, `<rig>/witness`, `<rig>/refinery`,
 * `<rig>/crew/<n>`, `<rig>/polecats/<n>`.
 */
export function actorOf(a: AgentIdentity): string {
  switch (a.roleType) {
    case "mayor":
    case "deacon":
      return a.roleType;
    case "witness":
    case "refinery":
      return `${a.rig}/${a.roleType}`;
    case "crew":
      return `${a.rig}/crew/${a.name}`;
    case "polecat":
      return `${a.rig}/polecats/${a.name}`;
  }
}

/** The mail address to write to: `mayor/`, `deacon/`, else {@link actorOf}. */
export function mailAddressOf(a: AgentIdentity): string {
  return a.roleType === "mayor" || a.roleType === "deacon"
    ? `${a.roleType}/`
    : actorOf(a);
}

export * from "./bead_ids.ts";
