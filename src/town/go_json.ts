/**
 * Reading decoded JSON the way Go's `encoding/json` fills a struct, for the
 * town files the reference reads: object keys match field names
 * case-insensitively, and the last matching key in document order wins.
 * Pure.
 *
 * @module
 */

/** True when `value` is a JSON object (not null, not an array). */
export function isJsonObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The value Go would decode into field `name` of `obj`: the last key that
 * equals `name` ignoring ASCII case; undefined when there is none.
 */
export function goField(
  obj: Record<string, unknown>,
  name: string,
): unknown {
  const want = name.toLowerCase();
  let found: unknown = undefined;
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === want) found = obj[key];
  }
  return found;
}

/** Parses JSON text into `{value}`, or `{error}` with the parser's message. */
export function parseJsonText(text: string): { value: unknown } | {
  error: string;
} {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
