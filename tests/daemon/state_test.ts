import { assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  decodeState,
  emptyState,
  encodeState,
  parsePid,
} from "../../src/daemon/state.ts";

Deno.test("decodeState() gives the all-zero state for a missing file", () => {
  assertEquals(decodeState(null), emptyState());
});

Deno.test("encodeState() writes the reference keys first, 2-space indent, zero times, no newline", () => {
  const text = encodeState({
    running: true,
    pid: 9999,
    startedAt: null,
    lastHeartbeat: null,
    heartbeatCount: 100,
  });
  assertEquals(
    text,
    '{\n  "running": true,\n  "pid": 9999,\n  "started_at": "0001-01-01T00:00:00Z",\n' +
      '  "last_heartbeat": "0001-01-01T00:00:00Z",\n  "heartbeat_count": 100\n}',
  );
});

Deno.test("encodeState() and decodeState() round-trip", () => {
  const s = {
    running: true,
    pid: 54321,
    startedAt: new Date("2026-01-04T15:10:02.771Z"),
    lastHeartbeat: new Date("2026-01-04T15:22:09.004Z"),
    heartbeatCount: 1000,
    intervalMs: 180000,
    version: "0.1.0",
  };
  assertEquals(decodeState(encodeState(s)), s);
});

Deno.test("decodeState() reads the reference's own file (nanoseconds, offsets)", () => {
  const s = decodeState(
    '{"running":true,"pid":48213,"started_at":"2026-01-04T15:10:02.771923-05:00",' +
      '"last_heartbeat":"2026-01-04T15:22:09.004512-05:00","heartbeat_count":5}',
  );
  assertEquals(s.pid, 48213);
  assertEquals(s.heartbeatCount, 5);
  assertEquals(s.startedAt?.toISOString(), "2026-01-04T20:10:02.771Z");
});

Deno.test("decodeState() rejects invalid JSON and wrong types with a clear message", () => {
  assertThrows(
    () => decodeState("not json"),
    Error,
    "State file is not valid JSON",
  );
  assertThrows(() => decodeState("[]"), Error, "not a JSON object");
  assertThrows(
    () => decodeState('{"pid":"12"}'),
    Error,
    'State field "pid" is not a number',
  );
  assertThrows(
    () => decodeState('{"started_at":"yesterday"}'),
    Error,
    "not an RFC 3339 time",
  );
});

Deno.test("parsePid() accepts a decimal PID with surrounding space and nothing else", () => {
  assertEquals(parsePid("1234"), 1234);
  assertEquals(parsePid("1234\n"), 1234);
  assertEquals(parsePid(null), null);
  for (const bad of ["", "garbage", "0", "-5", "12 34", "99999999999"]) {
    assertEquals(parsePid(bad), null, bad);
  }
});
