import { assert, assertEquals } from "../helpers/assert.ts";
import { FeedCurator } from "../../src/feed/curator.ts";
import {
  feedSummary,
  parseRawEvent,
  type RawEvent,
} from "../../src/feed/feed_line.ts";
import { eventLine } from "../fixtures/feed_events.ts";

function ev(
  type: string,
  actor: string,
  payload: Record<string, unknown> | null = null,
  visibility = "feed",
): string {
  return eventLine(type, actor, {
    ...(payload ? { payload } : {}),
    visibility,
  });
}

function raw(
  type: string,
  actor: string,
  payload: Record<string, unknown> | null = null,
): RawEvent {
  return { ts: "", source: "gt", type, actor, payload, visibility: "feed" };
}

const T = 1_000_000;

Deno.test("feedSummary() describes events", async (t) => {
  await t.step("describes sling, done and handoff (FEED-03..05)", () => {
    assertEquals(
      feedSummary(
        raw("sling", "mayor", { bead: "gt-123", target: "gastown/slit" }),
      ),
      "mayor assigned gt-123 to gastown/slit",
    );
    assertEquals(
      feedSummary(raw("done", "gastown/slit", { bead: "slit-12345" })),
      "gastown/slit completed work on slit-12345",
    );
    assertEquals(
      feedSummary(raw("handoff", "gastown/witness")),
      "gastown/witness handed off to fresh session",
    );
  });

  await t.step(
    "falls back when payload values are missing or not strings (FEED-06)",
    () => {
      assertEquals(feedSummary(raw("sling", "a")), "a dispatched work");
      assertEquals(
        feedSummary(raw("sling", "a", { bead: "b", target: 5 })),
        "a dispatched work",
      );
      assertEquals(feedSummary(raw("done", "a")), "a signaled done");
    },
  );

  await t.step("describes mail and patrols (FEED-07, 08)", () => {
    assertEquals(
      feedSummary(raw("mail", "a", { to: "X", subject: "S" })),
      "a → X: S",
    );
    assertEquals(feedSummary(raw("mail", "a", { to: "X" })), "a sent mail");
    assertEquals(
      feedSummary(raw("patrol_started", "a", { rig: "R" })),
      "a patrol started for R",
    );
    assertEquals(feedSummary(raw("patrol_started", "a")), "a started patrol");
    assertEquals(
      feedSummary(raw("patrol_complete", "a", { message: "M" })),
      "M",
    );
    assertEquals(
      feedSummary(raw("patrol_complete", "a")),
      "a completed patrol",
    );
  });

  await t.step("describes merges and other types (FEED-09)", () => {
    assertEquals(
      feedSummary(raw("merged", "a", { worker: "W" })),
      "Merged work from W",
    );
    assertEquals(feedSummary(raw("merged", "a")), "Work merged");
    assertEquals(
      feedSummary(raw("merge_failed", "a", { reason: "Z" })),
      "Merge failed: Z",
    );
    assertEquals(feedSummary(raw("merge_failed", "a")), "Merge failed");
    assertEquals(feedSummary(raw("nudge", "a")), "a: nudge");
  });
});

Deno.test("parseRawEvent() decodes like Go's struct decode", async (t) => {
  await t.step("rejects non-objects and wrong-typed fields", () => {
    for (
      const line of [
        "",
        "x",
        "[]",
        "5",
        '{"type":5}',
        '{"payload":[1]}',
        '{"payload":"x"}',
      ]
    ) {
      assertEquals(parseRawEvent(line), null, line);
    }
  });

  await t.step("reads null as absent", () => {
    assertEquals(parseRawEvent('{"type":"done","actor":null,"payload":null}'), {
      ts: "",
      source: "",
      type: "done",
      actor: "",
      payload: null,
      visibility: "",
    });
  });
});

Deno.test("FeedCurator.ingest() curates lines", async (t) => {
  await t.step("keeps feed events and drops audit ones (FEED-01, 10)", () => {
    const c = new FeedCurator();
    const out = c.ingest(
      ev("sling", "mayor", { bead: "gt-123", target: "gastown/slit" }) +
        ev("internal_check", "daemon", null, "audit") +
        ev("hook", "b", null, "both") +
        ev("hook", "c", null, "") +
        JSON.stringify({ type: "hook", actor: "d" }) + "\n",
      T,
    );
    assertEquals(out.map((l) => JSON.parse(l).actor), ["mayor", "b"]);
    assertEquals(JSON.parse(out[0] ?? "").type, "sling");
  });

  await t.step(
    "writes one line for three done events at once (FEED-02)",
    () => {
      const c = new FeedCurator();
      const done = ev("done", "gastown/slit", { bead: "slit-12345" });
      assertEquals(c.ingest(done + done + done, T).length, 1);
    },
  );

  await t.step("skips malformed lines (FEED-11)", () => {
    const c = new FeedCurator();
    const out = c.ingest("{not json\n\n   \n" + ev("handoff", "w"), T);
    assertEquals(out.length, 1);
  });

  await t.step("aggregates the third sling within 30 s (FEED-13)", () => {
    const c = new FeedCurator();
    const s = (n: number) =>
      ev("sling", "mayor", { bead: `b${n}`, target: `t${n}` });
    const lines = [
      ...c.ingest(s(1), T),
      ...c.ingest(s(2), T + 10_000),
      ...c.ingest(s(3), T + 29_000),
    ].map((l) => JSON.parse(l));
    assertEquals(lines.map((l) => l.count), [undefined, undefined, 3]);
    assertEquals(lines[2].summary, "mayor dispatching work to 3 agents");
    assertEquals(lines[1].summary, "mayor assigned b2 to t2");
    const later = JSON.parse(c.ingest(s(4), T + 35_000)[0] ?? "");
    assertEquals([later.count, later.summary], [
      3,
      "mayor dispatching work to 3 agents",
    ]);
    const alone = JSON.parse(c.ingest(s(5), T + 200_000)[0] ?? "");
    assertEquals(alone.count, undefined);
  });

  await t.step("dedupes done by actor for 10 s (FEED-14)", () => {
    const c = new FeedCurator();
    const done = (actor: string, bead: string, at: number) =>
      c.ingest(ev("done", actor, { bead }), at).length;
    assertEquals(done("A", "b1", T), 1);
    assertEquals(done("A", "b2", T + 5_000), 0);
    assertEquals(done("B", "b1", T + 5_000), 1);
    assertEquals(done("A", "b3", T + 9_999), 0);
    assertEquals(done("A", "b4", T + 10_000), 1);
  });

  await t.step(
    "writes the keys in order, payload and count optional (FEED-15)",
    () => {
      const c = new FeedCurator();
      const [a, b] = c.ingest(
        ev("hook", "x", { z: 1, a: { d: 2, c: 3 } }) + ev("hook", "y", {}),
        T,
      );
      assertEquals(
        a,
        '{"ts":"2026-01-04T20:03:11Z","source":"gt","type":"hook","actor":"x","summary":"x: hook","payload":{"a":{"c":3,"d":2},"z":1}}',
      );
      assertEquals(Object.keys(JSON.parse(b ?? "")), [
        "ts",
        "source",
        "type",
        "actor",
        "summary",
      ]);
    },
  );

  await t.step("escapes HTML characters as Go does", () => {
    const c = new FeedCurator();
    const [line] = c.ingest(ev("hook", "<a&b>"), T);
    assert(line?.includes('"actor":"\\u003ca\\u0026b\\u003e"'), line);
    assertEquals(JSON.parse(line ?? "").actor, "<a&b>");
  });
});

Deno.test("FeedCurator.ingest() buffers partial lines", async (t) => {
  await t.step("joins a line written in pieces", () => {
    const c = new FeedCurator();
    const line = ev("handoff", "gastown/witness");
    assertEquals(c.ingest(line.slice(0, 10), T), []);
    assert(c.pendingChars === 10);
    assertEquals(c.ingest(line.slice(10, 30), T), []);
    assertEquals(c.ingest(line.slice(30), T).length, 1);
    assertEquals(c.pendingChars, 0);
  });

  await t.step("resetPartial() drops a held-back piece", () => {
    const c = new FeedCurator();
    c.ingest('{"type":"hook"', T);
    c.resetPartial();
    assertEquals(c.ingest(ev("hook", "a"), T).length, 1);
  });

  await t.step("drops an over-long partial line up to its newline", () => {
    const c = new FeedCurator({ maxLineChars: 50 });
    assertEquals(c.ingest("x".repeat(60), T), []);
    assertEquals(c.pendingChars, 0);
    assertEquals(c.ingest('y"}\n' + ev("hook", "a"), T).length, 1);
  });

  await t.step("curates 1,000 events fed in odd-sized pieces", () => {
    const c = new FeedCurator();
    let text = "";
    for (let i = 0; i < 1000; i++) {
      text += ev("hook", `agent-${i}`, { note: `ünïcødé → ${i} 日本` });
    }
    const out: string[] = [];
    for (let i = 0; i < text.length; i += 37) {
      out.push(...c.ingest(text.slice(i, i + 37), T));
    }
    assertEquals(out.length, 1000);
    assertEquals(JSON.parse(out[999] ?? "").payload.note, "ünïcødé → 999 日本");
  });
});

Deno.test("FeedCurator.cleanup() forgets old state", async (t) => {
  await t.step("forgets done times and slings older than 5 min", () => {
    const c = new FeedCurator({ doneWindowMs: 10 * 60_000 });
    c.ingest(ev("done", "A") + ev("sling", "S"), T);
    assertEquals(c.trackedActors, 2);
    c.cleanup(T + 4 * 60_000);
    assertEquals(c.trackedActors, 2);
    c.cleanup(T + 5 * 60_000 + 1);
    assertEquals(c.trackedActors, 0);
    assertEquals(c.ingest(ev("done", "A"), T + 6 * 60_000).length, 1);
  });
});
