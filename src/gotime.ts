/**
 * Go-compatible time text: `time.Duration.String()`, `Round(time.Minute)`,
 * RFC 3339 writing (local offset, trimmed fraction) and strict RFC 3339
 * parsing. These strings are interfaces: they appear in mail subjects, mail
 * bodies, bead descriptions and log lines that other tools read.
 *
 * @module
 */

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/**
 * Formats a duration in milliseconds as Go's `time.Duration.String()` does,
 * e.g. `0s`, `1.5s`, `45m0s`, `1h30m0s`, `250ms`.
 */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "0s";
  const neg = ms < 0;
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return "0s";
  let out: string;
  if (rest < MS_PER_SECOND) {
    out = `${rest}ms`;
  } else {
    const h = Math.floor(rest / MS_PER_HOUR);
    rest -= h * MS_PER_HOUR;
    const m = Math.floor(rest / MS_PER_MINUTE);
    rest -= m * MS_PER_MINUTE;
    const s = Math.floor(rest / MS_PER_SECOND);
    const frac = rest - s * MS_PER_SECOND;
    let sec = String(s);
    if (frac > 0) {
      sec += "." + String(frac).padStart(3, "0").replace(/0+$/, "");
    }
    out = h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
  }
  return neg ? `-${out}` : out;
}

/** Rounds milliseconds to the nearest minute, halves away from zero (Go). */
export function roundToMinute(ms: number): number {
  const sign = ms < 0 ? -1 : 1;
  return sign * Math.floor(Math.abs(ms) / MS_PER_MINUTE + 0.5) * MS_PER_MINUTE;
}

/** `goDuration(roundToMinute(ms))`: the form used in mail and log text. */
export function goMinutes(ms: number): string {
  return goDuration(roundToMinute(ms));
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function offsetText(date: Date): string {
  const off = -date.getTimezoneOffset();
  if (off === 0) return "Z";
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Formats a time as RFC 3339 in the local zone, like Go's
 * `time.RFC3339Nano` (fraction trimmed of trailing zeros, `Z` in UTC).
 * With `seconds: true` the fraction is left out (`time.RFC3339`).
 */
export function rfc3339(
  date: Date,
  options: { seconds?: boolean } = {},
): string {
  const base = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${
    pad(date.getDate())
  }T${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }`;
  const ms = date.getMilliseconds();
  const frac = options.seconds || ms === 0
    ? ""
    : "." + pad(ms, 3).replace(/0+$/, "");
  return base + frac + offsetText(date);
}

/** Go's zero time as written in JSON. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

const RFC3339_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (fractions up to nanoseconds, `Z` or a
 * numeric offset). Returns null for anything else, including Go's zero
 * time, which callers treat as "never".
 */
export function parseRfc3339(text: unknown): Date | null {
  if (typeof text !== "string") return null;
  const m = RFC3339_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (year <= 1) return null;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (
    month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
    minute > 59 || second > 60
  ) {
    return null;
  }
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    t -= sign * (oh * 60 + om) * MS_PER_MINUTE;
  }
  return new Date(t);
}

/** Local `YYYY/MM/DD HH:MM:SS`, the prefix of Go's standard logger. */
export function goLogStamp(date: Date): string {
  return `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${
    pad(date.getDate())
  } ${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }`;
}

/** Local `YYYY-MM-DD HH:MM:SS`, used by `status`. */
export function localDateTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${
    pad(date.getDate())
  } ${localClock(date)}`;
}

/** Local `HH:MM:SS`. */
export function localClock(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }`;
}

/**
 * Parses an operator duration such as `500ms`, `2s`, `3m`, `1h30m` or a bare
 * number of milliseconds. Returns null when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    if (m.index !== consumed) return null;
    consumed += m[0].length;
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === "ms"
      ? n
      : unit === "s"
      ? n * MS_PER_SECOND
      : unit === "m"
      ? n * MS_PER_MINUTE
      : n * MS_PER_HOUR;
  }
  if (consumed === 0 || consumed !== t.length) return null;
  return Math.round(total);
}

/** Go-quotes a string the way `%q` does for the printable ASCII subset. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/**
 * `JSON.stringify` with 2-space indent and Go's `encoding/json` escaping of
 * `<`, `>`, `&`, U+2028 and U+2029; no trailing newline.
 */
export function goJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}
