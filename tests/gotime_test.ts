import { assertEquals } from "./helpers/assert.ts";
import {
  goDuration,
  goJson,
  goMinutes,
  parseDuration,
  parseRfc3339,
  rfc3339,
  roundToMinute,
} from "../src/gotime.ts";

Deno.test("goDuration() formats like Go's time.Duration.String()", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [250, "250ms"],
    [1_500, "1.5s"],
    [45 * 60_000, "45m0s"],
    [90 * 60_000, "1h30m0s"],
    [2 * 3_600_000, "2h0m0s"],
    [6 * 3_600_000, "6h0m0s"],
    [65 * 60_000, "1h5m0s"],
    [180_000, "3m0s"],
    [-60_000, "-1m0s"],
  ];
  for (const [ms, text] of cases) assertEquals(goDuration(ms), text, `${ms}`);
});

Deno.test("roundToMinute() rounds halves away from zero", () => {
  assertEquals(roundToMinute(29_999), 0);
  assertEquals(roundToMinute(30_000), 60_000);
  assertEquals(roundToMinute(45 * 60_000 + 29_000), 45 * 60_000);
  assertEquals(goMinutes(7 * 3_600_000 + 10_000), "7h0m0s");
});

Deno.test("parseRfc3339() accepts nanosecond fractions and offsets and rejects the rest", () => {
  assertEquals(
    parseRfc3339("2026-01-04T15:06:23.123456789-05:00")?.toISOString(),
    "2026-01-04T20:06:23.123Z",
  );
  assertEquals(
    parseRfc3339("2026-01-04T20:01:02Z")?.toISOString(),
    "2026-01-04T20:01:02.000Z",
  );
  for (
    const bad of [
      "",
      "2026-01-04",
      "2026-01-04 20:01:02Z",
      "0001-01-01T00:00:00Z",
      "2026-13-01T00:00:00Z",
      42,
      null,
    ]
  ) {
    assertEquals(parseRfc3339(bad), null, String(bad));
  }
});

Deno.test("rfc3339() writes local time with Z in UTC and trims the fraction", () => {
  if (new Date().getTimezoneOffset() !== 0) {
    return console.log("skipped: needs TZ=UTC");
  }
  assertEquals(
    rfc3339(new Date("2026-01-04T20:01:02.120Z")),
    "2026-01-04T20:01:02.12Z",
  );
  assertEquals(
    rfc3339(new Date("2026-01-04T20:01:02.000Z")),
    "2026-01-04T20:01:02Z",
  );
  assertEquals(
    rfc3339(new Date("2026-01-04T20:01:02.999Z"), { seconds: true }),
    "2026-01-04T20:01:02Z",
  );
});

Deno.test("parseDuration() reads operator durations and rejects junk", () => {
  assertEquals(parseDuration("500ms"), 500);
  assertEquals(parseDuration("2s"), 2_000);
  assertEquals(parseDuration("3m"), 180_000);
  assertEquals(parseDuration("1h30m"), 5_400_000);
  assertEquals(parseDuration("3m0s"), 180_000);
  assertEquals(parseDuration("1.5s"), 1_500);
  assertEquals(parseDuration("250"), 250);
  for (const bad of ["", "abc", "3x", "m3", "-1s", "1s junk"]) {
    assertEquals(parseDuration(bad), null, bad);
  }
});

Deno.test("goJson() escapes <, > and & like Go", () => {
  assertEquals(goJson({ a: "<&>" }), '{\n  "a": "\\u003c\\u0026\\u003e"\n}');
});
