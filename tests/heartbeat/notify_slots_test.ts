import { assert, assertEquals } from "../helpers/assert.ts";
import {
  DEFAULT_NOTICE_MAX_AGE_MS,
  NoticeBook,
} from "../../src/heartbeat/notify_slots.ts";

const T0 = new Date("2026-01-04T20:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

Deno.test("NoticeBook.shouldSend() de-duplicates notices", async (t) => {
  await t.step(
    "sends, holds, then sends again once cleared (NOTIF-L01)",
    () => {
      const book = new NoticeBook({ maxAgeMs: 5 * 60_000 });
      assertEquals(book.shouldSend("gupp:a", T0), true);
      book.recordSend("gupp:a", T0);
      assertEquals(book.shouldSend("gupp:a", at(1_000)), false);
      assertEquals(book.clear("gupp:a"), true);
      assertEquals(book.shouldSend("gupp:a", at(2_000)), true);
    },
  );

  await t.step("allows a re-send after the maximum age (NOTIF-L03)", () => {
    const book = new NoticeBook({ maxAgeMs: 1 });
    book.recordSend("k", T0);
    assertEquals(book.shouldSend("k", at(1)), false);
    assertEquals(book.shouldSend("k", at(5)), true);
  });

  await t.step("defaults the maximum age to one hour", () => {
    const book = new NoticeBook();
    assertEquals(book.maxAgeMs, DEFAULT_NOTICE_MAX_AGE_MS);
    book.recordSend("k", T0);
    assertEquals(book.shouldSend("k", at(60 * 60_000)), false);
    assertEquals(book.shouldSend("k", at(60 * 60_000 + 1)), true);
  });

  await t.step("clearing an unknown key is harmless (NOTIF-L04, L05)", () => {
    const book = new NoticeBook();
    assertEquals(book.clear("never"), false);
    book.recordSend("k", T0);
    book.clear("k");
    assertEquals(book.keys(), []);
  });

  await t.step("keeps keys independent", () => {
    const book = new NoticeBook();
    book.recordSend("gupp:a", T0);
    assertEquals(book.shouldSend("orphan:a", T0), true);
  });
});

Deno.test("NoticeBook.sweep() forgets conditions that cleared", async (t) => {
  await t.step("clears every key of a recovered session (NOTIF-L06)", () => {
    const book = new NoticeBook();
    book.recordSend("gt-sess1:heartbeat", T0);
    book.recordSend("gt-sess1:status", T0);
    book.recordSend("gt-other:status", T0);
    const removed = book.sweep(["gt-other:status"], at(1_000));
    assertEquals(removed.sort(), ["gt-sess1:heartbeat", "gt-sess1:status"]);
    assert(book.shouldSend("gt-sess1:heartbeat", at(1_000)));
    assert(book.shouldSend("gt-sess1:status", at(1_000)));
    assertEquals(book.shouldSend("gt-other:status", at(1_000)), false);
  });

  await t.step("lets a condition that returns be sent again", () => {
    const book = new NoticeBook();
    book.recordSend("orphan:x", T0);
    book.sweep([], at(1));
    assertEquals(book.shouldSend("orphan:x", at(2)), true);
  });

  await t.step(
    "drops entries older than the maximum age even when active",
    () => {
      const book = new NoticeBook({ maxAgeMs: 100 });
      book.recordSend("k", T0);
      assertEquals(book.sweep(["k"], at(50)), []);
      assertEquals(book.sweep(["k"], at(101)), ["k"]);
      assertEquals(book.size, 0);
    },
  );
});

Deno.test("NoticeBook.toJSON() and fromJSON() persist the book", async (t) => {
  await t.step("round-trips through JSON text", () => {
    const book = new NoticeBook({ maxAgeMs: 60_000 });
    book.recordSend("b", T0);
    book.recordSend("a", at(123));
    const json = JSON.parse(JSON.stringify(book));
    assertEquals(json.version, 1);
    assertEquals(Object.keys(json.notices), ["a", "b"]);
    const back = NoticeBook.fromJSON(json, { maxAgeMs: 60_000 });
    assertEquals(back.shouldSend("a", at(1_000)), false);
    assertEquals(back.shouldSend("b", at(60_001)), true);
    assertEquals(back.shouldSend("a", at(60_123)), false);
  });

  await t.step("ignores damaged data entry by entry", () => {
    for (const data of [null, 5, "x", [], { notices: [] }, { notices: null }]) {
      assertEquals(NoticeBook.fromJSON(data).size, 0);
    }
    const book = NoticeBook.fromJSON({
      version: 1,
      notices: {
        good: { sent_at: "2026-01-04T20:00:00Z" },
        badTime: { sent_at: "yesterday" },
        badShape: "x",
        noTime: {},
      },
    });
    assertEquals(book.keys(), ["good"]);
  });

  await t.step("keeps a key named __proto__ as data", () => {
    const book = new NoticeBook();
    book.recordSend("__proto__", T0);
    const json = JSON.parse(JSON.stringify(book));
    assertEquals(Object.keys(json.notices), ["__proto__"]);
    assertEquals(NoticeBook.fromJSON(json).keys(), ["__proto__"]);
  });
});
