import { assert, assertEquals } from "../helpers/assert.ts";
import { parseRigs } from "../../src/town/rigs.ts";
import { HOSTILE_NAMES } from "../fixtures/hostile_names.ts";

Deno.test("parseRigs() reads sorted rig names from rigs.json", async (t) => {
  await t.step("a missing file is a town without rigs, not a problem", () => {
    assertEquals(parseRigs(null), { rigs: [], problems: [] });
  });
  await t.step("reads the reference example and sorts names", () => {
    const text = JSON.stringify({
      version: 1,
      rigs: {
        wyvern: { git_url: "git@github.com:example/wyvern.git" },
        gastown: { git_url: "https://github.com/steveyegge/gastown.git" },
        "my-rig": {},
      },
    });
    assertEquals(parseRigs(text), {
      rigs: ["gastown", "my-rig", "wyvern"],
      problems: [],
    });
  });
  await t.step("an empty or null registry has no rigs and no problem", () => {
    assertEquals(parseRigs('{"version": 1, "rigs": {}}'), {
      rigs: [],
      problems: [],
    });
    assertEquals(parseRigs('{"version": 1, "rigs": null}'), {
      rigs: [],
      problems: [],
    });
    assertEquals(parseRigs('{"version": 1}'), { rigs: [], problems: [] });
  });
  await t.step("entries are not validated (added_at, beads)", () => {
    assertEquals(
      parseRigs('{"rigs": {"a": {"added_at": "yesterday"}, "b": 5}}').rigs,
      ["a", "b"],
    );
  });
  await t.step(
    "accepts Go's case-insensitive keys, the last one winning",
    () => {
      assertEquals(parseRigs('{"Rigs": {"alpha": {}}}').rigs, ["alpha"]);
      assertEquals(parseRigs('{"rigs": {"a": {}}, "RIGS": {"b": {}}}').rigs, [
        "b",
      ]);
    },
  );
});

Deno.test("parseRigs() reports unusable files", () => {
  const cases: [string, string][] = [
    ["{not json", "Cannot parse rigs.json: "],
    ["[1, 2]", "Cannot use rigs.json: the top level is not an object"],
    ['"x"', "Cannot use rigs.json: the top level is not an object"],
    ['{"rigs": []}', 'Cannot use rigs.json: "rigs" is not an object'],
    ['{"rigs": "gastown"}', 'Cannot use rigs.json: "rigs" is not an object'],
  ];
  for (const [text, problem] of cases) {
    const r = parseRigs(text);
    assertEquals(r.rigs, [], text);
    assertEquals(r.problems.length, 1, text);
    assert(r.problems[0]?.startsWith(problem), r.problems[0]);
  }
});

Deno.test("parseRigs() keeps the rigs of a newer version but reports it", () => {
  assertEquals(parseRigs('{"version": 2, "rigs": {"a": {}}}'), {
    rigs: ["a"],
    problems: ["Unsupported rigs.json version: got 2, max supported 1"],
  });
  assertEquals(parseRigs('{"version": "one", "rigs": {"a": {}}}'), {
    rigs: ["a"],
    problems: ['Unexpected rigs.json version: "one"'],
  });
});

Deno.test("parseRigs() drops hostile rig names and names each one", () => {
  const hostile = HOSTILE_NAMES;
  const rigs: Record<string, unknown> = { good: {} };
  for (const h of hostile) rigs[h] = {};
  const r = parseRigs(JSON.stringify({ version: 1, rigs }));
  assertEquals(r.rigs, ["good"]);
  assertEquals(r.problems.length, hostile.length);
  for (const p of r.problems) {
    assert(p.startsWith("Ignored a rig in rigs.json: invalid rig name"), p);
    assert(!p.includes("\n"), "problems stay on one line");
  }
  assert(r.problems.some((p) => p.includes('"x; touch /tmp/pwned"')));
  assert(r.problems.some((p) => p.includes('"a\\nb"')));
});
