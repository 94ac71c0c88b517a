import { assertEquals } from "../helpers/assert.ts";
import { parseHeartbeat, parseRoutes } from "../../src/town/town_files.ts";

Deno.test("parseHeartbeat() reads an RFC 3339 timestamp and nothing else", () => {
  assertEquals(
    parseHeartbeat('{"timestamp":"2026-01-04T20:00:00Z","cycle":3}')
      ?.toISOString(),
    "2026-01-04T20:00:00.000Z",
  );
  for (
    const bad of [null, "", "{", "[]", "null", '{"timestamp":5}', '{"t":"x"}']
  ) {
    assertEquals(parseHeartbeat(bad), null, String(bad));
  }
});

Deno.test("parseRoutes() maps each rig to its first valid prefix, without the trailing dash", () => {
  const text = [
    '{"prefix":"gt-","path":"gastown/mayor/rig"}',
    '{"prefix":"xx-","path":"gastown/other"}',
    '{"prefix":"bd","path":"beads"}',
    '{"prefix":"toolongprefix","path":"long"}',
    '{"prefix":"ok","path":""}',
    "not json",
    '{"prefix":1,"path":"num"}',
    "",
  ].join("\n");
  assertEquals([...parseRoutes(text)], [["gastown", "gt"], ["beads", "bd"]]);
  assertEquals(parseRoutes(null).size, 0);
});
