import { assertEquals } from "../helpers/assert.ts";
import {
  clearBackoffEvent,
  paneDiedEvent,
  parseWakeEvent,
} from "../../src/town/wake_events.ts";

Deno.test("parseWakeEvent() reads back what the writers write", () => {
  assertEquals(parseWakeEvent(paneDiedEvent("gt-gastown-Toast")), {
    kind: "paneDied",
    session: "gt-gastown-Toast",
  });
  assertEquals(parseWakeEvent(clearBackoffEvent("gastown/polecats/Toast")), {
    kind: "clearBackoff",
    agent: "gastown/polecats/Toast",
  });
  assertEquals(parseWakeEvent(clearBackoffEvent("all")), {
    kind: "clearBackoff",
    agent: "*",
  });
  assertEquals(parseWakeEvent("session-closed.gt-deacon"), {
    kind: "sessionClosed",
    session: "gt-deacon",
  });
  assertEquals(parseWakeEvent("heartbeat"), { kind: "heartbeat" });
  assertEquals(parseWakeEvent("lifecycle"), { kind: "lifecycle" });
  assertEquals(parseWakeEvent("heartbeat.x"), {
    kind: "unknown",
    name: "heartbeat.x",
  });
});
