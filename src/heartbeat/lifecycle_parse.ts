/**
 * Lifecycle mail → lifecycle request (`parseLifecycleRequest`). Pure: the
 * caller passes the log and the time.
 *
 * A message is a request when its subject starts with `lifecycle:` (any
 * case). The body is either JSON `{"action": "<a>"}` (decoded like Go's
 * `encoding/json` into a struct: the key matches case-insensitively, a
 * non-string action or a non-object body fails the decode) or one of the
 * plain texts `restart`, `action: restart`, `shutdown`, `action: shutdown`,
 * `stop`, `cycle`, `action: cycle` (trimmed, any case).
 *
 * Deliberate difference from the reference: a body that is a JSON *string*
 * (for example `"cycle"` with the quotes) is unwrapped and matched as plain
 * text, so it is accepted. The reference fed the quoted text to the plain
 * matcher and rejected it as unparseable.
 *
 * @module
 */

import type { MailMessage } from "./types.ts";
import type { Log } from "../log.ts";
import { goQuote } from "../gotime.ts";

/** What a lifecycle request asks for. `cycle` and `restart` act the same. */
export type LifecycleAction = "cycle" | "restart" | "shutdown";

/** The lifecycle actions, in the order of the reference's constants. */
export const LIFECYCLE_ACTIONS: readonly LifecycleAction[] = [
  "cycle",
  "restart",
  "shutdown",
];

/** A parsed lifecycle request (JSON keys `from`, `action`, `timestamp`). */
export interface LifecycleRequest {
  /** Sender, copied verbatim from the message. */
  from: string;
  action: LifecycleAction;
  /** When the request was parsed (not the mail's timestamp). */
  timestamp: Date;
}

const PLAIN_ACTIONS: Record<string, string> = {
  "restart": "restart",
  "action: restart": "restart",
  "shutdown": "shutdown",
  "action: shutdown": "shutdown",
  "stop": "shutdown",
  "cycle": "cycle",
  "action: cycle": "cycle",
};

/** Maps an action word (any case) to an action; null when unknown. */
export function lifecycleActionFor(word: string): LifecycleAction | null {
  switch (word.toLowerCase()) {
    case "restart":
      return "restart";
    case "shutdown":
    case "stop":
      return "shutdown";
    case "cycle":
      return "cycle";
    default:
      return null;
  }
}

/** Matches a plain-text body; null when it is none of the accepted texts. */
function plainAction(text: string): string | null {
  const key = text.trim().toLowerCase();
  return Object.hasOwn(PLAIN_ACTIONS, key) ? PLAIN_ACTIONS[key] ?? null : null;
}

/**
 * Decodes `body` as Go decodes JSON into `struct{ Action string }`. Returns
 * the action text (possibly ""), or undefined when the decode fails. A JSON
 * string is returned as `{ text }` for the plain-text matcher.
 */
function decodeJsonBody(body: string): string | { text: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (value === null) return "";
  if (typeof value === "string") return { text: value };
  if (typeof value !== "object" || Array.isArray(value)) return undefined;
  let action = "";
  let typeError = false;
  for (const [key, v] of Object.entries(value)) {
    if (key.toLowerCase() !== "action") continue;
    if (typeof v === "string") action = v;
    else if (v !== null) typeError = true;
  }
  return typeError ? undefined : action;
}

/**
 * Turns a deacon-inbox message into a lifecycle request, or null. Logs
 * `Lifecycle request with unparseable body: <quoted body>` when the body is
 * neither JSON nor an accepted text, and `Unknown lifecycle action: <quoted
 * action>` when the action word is not known (including a JSON object
 * without `action`, and the body `null`). Other messages return null
 * silently.
 */
export function parseLifecycleRequest(
  msg: Pick<MailMessage, "from" | "subject" | "body">,
  log: Log,
  now: Date,
): LifecycleRequest | null {
  if (!msg.subject.toLowerCase().startsWith("lifecycle:")) return null;
  let word: string;
  const decoded = decodeJsonBody(msg.body);
  if (typeof decoded === "string") {
    word = decoded;
  } else {
    const text = decoded === undefined ? msg.body : decoded.text;
    const plain = plainAction(text);
    if (plain === null) {
      log.log(`Lifecycle request with unparseable body: ${goQuote(msg.body)}`);
      return null;
    }
    word = plain;
  }
  const action = lifecycleActionFor(word);
  if (action === null) {
    log.log(`Unknown lifecycle action: ${goQuote(word)}`);
    return null;
  }
  return { from: msg.from, action, timestamp: now };
}
