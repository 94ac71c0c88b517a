import { assertEquals } from "../helpers/assert.ts";
import {
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  parseLifecycleRequest,
} from "../../src/heartbeat/lifecycle_parse.ts";
import { MemoryLog } from "../../src/log.ts";

const NOW = new Date("2026-01-04T20:00:00Z");

function parse(subject: string, body: string, from = "test-sender") {
  const log = new MemoryLog();
  const req = parseLifecycleRequest({ subject, body, from }, log, NOW);
  return { req, log: log.lines };
}

function action(subject: string, body: string): LifecycleAction | null {
  return parse(subject, body).req?.action ?? null;
}

Deno.test("parseLifecycleRequest() maps bodies to actions", async (t) => {
  await t.step("reads JSON and plain cycle bodies (LIFE-01..03)", () => {
    assertEquals(
      action("LIFECYCLE: requesting action", '{"action": "cycle"}'),
      "cycle",
    );
    assertEquals(action("LIFECYCLE: requesting action", "cycle"), "cycle");
    assertEquals(action("lifecycle: action request", "action: cycle"), "cycle");
  });

  await t.step("reads restart and shutdown (LIFE-04..07)", () => {
    assertEquals(
      action("LIFECYCLE: action", '{"action": "restart"}'),
      "restart",
    );
    assertEquals(
      action("LIFECYCLE: action", '{"action": "shutdown"}'),
      "shutdown",
    );
    assertEquals(action("lifecycle: action", "stop"), "shutdown");
    assertEquals(action("LIFECYCLE: action", "restart"), "restart");
  });

  await t.step(
    "treats the JSON action case-insensitively, stop as shutdown (LIFE-17)",
    () => {
      assertEquals(action("LIFECYCLE: x", '{"action":"CYCLE"}'), "cycle");
      assertEquals(action("LIFECYCLE: x", '{"action":"stop"}'), "shutdown");
    },
  );

  await t.step(
    "matches the JSON key case-insensitively, last key winning",
    () => {
      assertEquals(action("LIFECYCLE: x", '{"Action":"restart"}'), "restart");
      assertEquals(
        action("LIFECYCLE: x", '{"ACTION":"cycle","action":"stop"}'),
        "shutdown",
      );
    },
  );

  await t.step("trims and lower-cases plain text (LIFE-20)", () => {
    assertEquals(action("LIFECYCLE: x", "  Restart \n"), "restart");
    assertEquals(action("LIFECYCLE: x", "Action: Shutdown"), "shutdown");
  });

  await t.step(
    "accepts a JSON string body as plain text (LIFE-23, deliberate fix)",
    () => {
      assertEquals(action("LIFECYCLE: x", '"cycle"'), "cycle");
      assertEquals(action("LIFECYCLE: x", '" Stop "'), "shutdown");
    },
  );
});

Deno.test("parseLifecycleRequest() rejects what is not a request", async (t) => {
  await t.step("ignores other subjects silently (LIFE-08..12)", () => {
    for (
      const subject of [
        "Regular message",
        "HEARTBEAT: check rigs",
        "lifecycle without colon",
        "Something else: requesting cycle",
        "",
      ]
    ) {
      const { req, log } = parse(subject, "cycle");
      assertEquals([req, log], [null, []]);
    }
  });

  await t.step(
    "gates on a case-insensitive prefix of the raw subject (LIFE-22)",
    () => {
      assertEquals(action("Lifecycle:x", "cycle"), "cycle");
      assertEquals(action(" LIFECYCLE: x", "cycle"), null);
    },
  );

  await t.step("logs an unknown JSON action (LIFE-18)", () => {
    const { req, log } = parse("LIFECYCLE: x", '{"action":"explode"}');
    assertEquals([req, log], [null, ['Unknown lifecycle action: "explode"']]);
  });

  await t.step("logs an empty action for {} and null (LIFE-19)", () => {
    for (const body of ["{}", "null", '{"action": null}', '{"other": 1}']) {
      const { req, log } = parse("LIFECYCLE: x", body);
      assertEquals([req, log], [null, ['Unknown lifecycle action: ""']]);
    }
  });

  await t.step(
    "logs an unparseable plain body with the raw body quoted (LIFE-21)",
    () => {
      const a = parse("LIFECYCLE: x", "action: stop");
      assertEquals([a.req, a.log], [null, [
        'Lifecycle request with unparseable body: "action: stop"',
      ]]);
      const b = parse("LIFECYCLE: x", "please cycle");
      assertEquals(b.log, [
        'Lifecycle request with unparseable body: "please cycle"',
      ]);
      const c = parse("LIFECYCLE: x", " explode\n");
      assertEquals(c.log, [
        'Lifecycle request with unparseable body: " explode\\n"',
      ]);
    },
  );

  await t.step("treats JSON of the wrong shape as plain text", () => {
    for (const body of ['{"action": 5}', "[1]", "42", "true", '"please"']) {
      const { req, log } = parse("LIFECYCLE: x", body);
      assertEquals(req, null);
      assertEquals(log, [
        `Lifecycle request with unparseable body: ${JSON.stringify(body)}`,
      ]);
    }
  });
});

Deno.test("parseLifecycleRequest() builds the request", async (t) => {
  await t.step("copies from verbatim (LIFE-13..16)", () => {
    for (
      const from of [
        "mayor",
        "gastown-witness",
        "my-rig-refinery",
        "the-sender",
      ]
    ) {
      assertEquals(parse("LIFECYCLE: action", "cycle", from).req?.from, from);
    }
  });

  await t.step("stamps the parse time, not the mail time (LIFE-24)", () => {
    assertEquals(parse("LIFECYCLE: a", "cycle").req?.timestamp, NOW);
  });

  await t.step(
    "serializes with the keys from, action, timestamp (LACT-02)",
    () => {
      const req = parse("LIFECYCLE: a", "cycle", "mayor").req;
      const back = JSON.parse(JSON.stringify(req));
      assertEquals(Object.keys(back), ["from", "action", "timestamp"]);
      assertEquals([back.from, back.action], ["mayor", "cycle"]);
    },
  );

  await t.step("names the three actions (LACT-01)", () => {
    assertEquals([...LIFECYCLE_ACTIONS], ["cycle", "restart", "shutdown"]);
  });
});
