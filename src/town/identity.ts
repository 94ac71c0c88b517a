/**
 * Parsing agent identities: the identity strings of lifecycle requests and
 * mail senders, and tmux session names, back to an {@link AgentIdentity}.
 * Rig and name must pass {@link validateName}. Pure functions, no I/O.
 *
 * @module
 */

import {
  actorOf,
  type AgentIdentity,
  beadIdOf,
  isValidName,
  mailAddressOf,
  type NameKind,
  type RoleType,
  SESSION_PREFIX,
  sessionOf,
  validateName,
} from "./names.ts";

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
