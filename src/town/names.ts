/**
 * Names in a Gas Town: validation of rig, polecat and crew names, tmux session
 * names, agent bead ids and agent identities (legacy identity strings and
 * mail addresses). Pure functions, no I/O.
 *
 * Name rule: a rig, polecat or crew name is 1–64 ASCII characters from
 * `A–Z a–z 0–9 _ -`, starting with a letter or digit. This excludes
 * everything that would change meaning in a path (`.`, `/`), a tmux target
 * (`.`, `:`), an env assignment (`=`) or a shell command (spaces, quotes, `$`,
 * backticks, `;`, newlines), and non-ASCII text. Builders such as
 * {@link witnessSession} concatenate without checking: callers pass names
 * that passed {@link validateName}; the parsers here validate.
 *
 * Bead ids are built in `bead_ids.ts` and re-exported here.
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

/** Reports whether `rig` and `name` (for crew and polecat) are valid. */
function checked(identity: AgentIdentity): AgentIdentity | null {
  if (identity.roleType === "mayor" || identity.roleType === "deacon") {
    return identity;
  }
  if (!isValidName("rig", identity.rig)) return null;
  if (identity.roleType === "witness" || identity.roleType === "refinery") {
    return identity.name === "" ? identity : null;
  }
  return isValidName(identity.roleType, identity.name) ? identity : null;
}

function make(roleType: RoleType, rig = "", name = ""): AgentIdentity {
  return { roleType, rig, name };
}

/** Legacy identity strings, in the precedence of the reference (§5.5). */
function parseLegacy(s: string): AgentIdentity | null {
  if (s.endsWith("-witness")) return make("witness", s.slice(0, -8));
  if (s.endsWith("-refinery")) return make("refinery", s.slice(0, -9));
  const crew = s.indexOf("-crew-");
  if (crew >= 0) return make("crew", s.slice(0, crew), s.slice(crew + 6));
  const polecat = s.indexOf("-polecat-");
  if (polecat >= 0) {
    return make("polecat", s.slice(0, polecat), s.slice(polecat + 9));
  }
  return null;
}

/** Mail addresses: `<rig>/witness`, `<rig>/crew/<n>`, `<rig>/<n>`, … */
function parseAddress(s: string): AgentIdentity | null {
  const parts = s.split("/");
  const [rig = "", a = "", b = ""] = parts;
  if (parts.length === 2) {
    if (a === "witness" || a === "refinery") return make(a, rig);
    if (a === "crew" || a === "polecats") return null;
    return make("polecat", rig, a);
  }
  if (parts.length === 3) {
    if (a === "crew") return make("crew", rig, b);
    if (a === "polecats") return make("polecat", rig, b);
  }
  return null;
}

/**
 * Parses the identity in a lifecycle request, or returns null.
 *
 * Accepted (one trailing `/` is ignored):
 * - the reference's legacy forms, in its precedence: `mayor`, `deacon`,
 *   `<rig>-witness`, `<rig>-refinery`, `<rig>-crew-<n>` (first `-crew-`),
 *   `<rig>-polecat-<n>` (first `-polecat-`);
 * - mail addresses, as `gt mail inbox` reports senders: `mayor/`,
 *   `deacon/`, `<rig>/witness`, `<rig>/refinery`, `<rig>/crew/<n>`,
 *   `<rig>/polecats/<n>` and the normalised `<rig>/<n>` (taken as a
 *   polecat).
 *
 * The rig and name must pass {@link validateName}.
 */
export function parseIdentity(identity: string): AgentIdentity | null {
  const s = identity.endsWith("/") ? identity.slice(0, -1) : identity;
  if (s === "mayor" || s === "deacon") return make(s);
  const parsed = s.includes("/") ? parseAddress(s) : parseLegacy(s);
  return parsed === null ? null : checked(parsed);
}

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

/** The session for an identity string; "" when it does not parse. */
export function identityToSession(identity: string): string {
  const a = parseIdentity(identity);
  return a === null ? "" : sessionOf(a);
}

/** The agent bead id for an identity string; "" when it does not parse. */
export function identityToAgentBeadId(identity: string): string {
  const a = parseIdentity(identity);
  return a === null ? "" : beadIdOf(a);
}

/** The `BD_ACTOR` for an identity string; the input itself when unparsable. */
export function identityToBdActor(identity: string): string {
  const a = parseIdentity(identity);
  return a === null ? identity : actorOf(a);
}

/** The mail address for an identity string; "" when it does not parse. */
export function identityAddress(identity: string): string {
  const a = parseIdentity(identity);
  return a === null ? "" : mailAddressOf(a);
}

/** Result of {@link parseSessionName}. */
export type SessionNameResult =
  | { ok: true; identity: AgentIdentity }
  | { ok: false; error: string };

function sessionError(s: string, detail: string): SessionNameResult {
  return {
    ok: false,
    error: `Invalid session name ${JSON.stringify(s)}: ${detail}`,
  };
}

/**
 * Maps a session name back to an identity (`ParseSessionName`, §4.2): the
 * last `-` part `witness`/`refinery` makes a singleton, an inner `crew` part
 * a crew member, anything else a polecat named by the last part. Rig and name
 * must also pass {@link validateName}.
 */
export function parseSessionName(s: string): SessionNameResult {
  if (!s.startsWith(SESSION_PREFIX)) {
    return sessionError(s, `missing "${SESSION_PREFIX}" prefix`);
  }
  const suffix = s.slice(SESSION_PREFIX.length);
  if (suffix === "") return sessionError(s, "empty after prefix");
  if (suffix === "mayor" || suffix === "deacon") {
    return { ok: true, identity: make(suffix) };
  }
  const parts = suffix.split("-");
  if (parts.length < 2) return sessionError(s, "expected rig-role format");
  const last = parts[parts.length - 1] ?? "";
  let identity: AgentIdentity;
  if (last === "witness" || last === "refinery") {
    identity = make(last, parts.slice(0, -1).join("-"));
  } else {
    const crew = parts.indexOf("crew", 1);
    identity = crew > 0 && crew < parts.length - 1
      ? make(
        "crew",
        parts.slice(0, crew).join("-"),
        parts.slice(crew + 1).join("-"),
      )
      : make("polecat", parts.slice(0, -1).join("-"), last);
  }
  const problem = validateName("rig", identity.rig) ??
    (identity.name === ""
      ? null
      : validateName(identity.roleType as NameKind, identity.name));
  if (problem !== null) {
    return sessionError(s, problem[0]!.toLowerCase() + problem.slice(1));
  }
  return { ok: true, identity };
}

export * from "./bead_ids.ts";
