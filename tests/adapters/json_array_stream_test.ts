import { assert, assertEquals } from "../helpers/assert.ts";
import {
  describeOversized,
  type JsonArrayResult,
  JsonArrayStream,
} from "../../src/adapters/json_array_stream.ts";

const enc = new TextEncoder();

/** Feeds `text` in chunks of `size` bytes (1 = byte by byte). */
function read(
  text: string,
  size: number,
  options: { maxItemBytes?: number; maxItems?: number } = {},
): JsonArrayResult {
  const s = new JsonArrayStream(options);
  const bytes = enc.encode(text);
  for (let i = 0; i < bytes.length; i += size) {
    s.push(bytes.subarray(i, i + size));
  }
  return s.finish();
}

const TRICKY = [
  { id: "a", body: 'quotes " and \\ and ] } , [ { inside' },
  { id: "b", nested: [[1, { x: "]" }], {}], emoji: "🚀 ü" },
  "a string, with a comma",
  42,
  null,
  [],
  { id: "c", esc: "\\\\", tail: "\\" },
];

Deno.test("JsonArrayStream reads every element whatever the chunk boundaries", () => {
  const text = JSON.stringify(TRICKY, null, 1);
  for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
    const r = read(text, size);
    assertEquals(r, {
      kind: "array",
      items: TRICKY,
      oversized: [],
      malformed: 0,
      extra: 0,
    }, `chunks of ${size}`);
  }
});

Deno.test("JsonArrayStream skips an element over the limit and keeps its neighbours", () => {
  const big = { id: "hq-big", from: "alpha/witness", body: "x".repeat(5000) };
  const text = JSON.stringify([{ id: "before" }, big, { id: "after" }]);
  for (const size of [1, 100, 1 << 20]) {
    const r = read(text, size, { maxItemBytes: 1000 });
    assert(r.kind === "array");
    assertEquals(r.items, [{ id: "before" }, { id: "after" }]);
    assertEquals(r.oversized.length, 1);
    assertEquals(r.oversized[0]!.bytes, JSON.stringify(big).length);
    assertEquals(
      describeOversized(r.oversized[0]!),
      'id "hq-big", from "alpha/witness", 0.0 MiB',
    );
  }
});

Deno.test("JsonArrayStream counts elements past the most kept, and malformed ones", () => {
  const r = read("[1, 2, 3, 4, 5]", 2, { maxItems: 3 });
  assert(r.kind === "array");
  assertEquals([r.items, r.extra], [[1, 2, 3], 2]);
  const bad = read("[1, tru, 3]", 4);
  assert(bad.kind === "array");
  assertEquals([bad.items, bad.malformed], [[1, 3], 1]);
});

Deno.test("JsonArrayStream reports output that is not an array", () => {
  assertEquals(read("", 1), { kind: "empty" });
  assertEquals(read("  \n", 1), { kind: "empty" });
  assertEquals(read("[]", 1), {
    kind: "array",
    items: [],
    oversized: [],
    malformed: 0,
    extra: 0,
  });
  assertEquals(read("null\n", 2), { kind: "other", value: null });
  assertEquals(read('{"a":1}', 3), { kind: "other", value: { a: 1 } });
  const garbage = read("not json {{{", 5);
  assert(garbage.kind === "other" && garbage.error !== undefined);
  assertEquals(read('[{"id":', 3), {
    kind: "other",
    error: "the JSON array is not closed",
  });
  assertEquals(read("[1] x", 1), {
    kind: "other",
    error: "unexpected text after the array",
  });
  assertEquals(read("[1}, 2]", 1), {
    kind: "other",
    error: "unbalanced braces",
  });
});
