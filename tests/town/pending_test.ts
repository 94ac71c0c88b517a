import { assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  checkSpawnMessage,
  formatPending,
  parsePending,
  PendingParseError,
  prunePending,
  spawnFromMessage,
} from "../../src/town/pending.ts";
import type { MailMessage, PendingSpawn } from "../../src/heartbeat/types.ts";

function msg(subject: string, body: string, id = "mail-001"): MailMessage {
  return {
    id,
    from: "gastown/Toast",
    to: "deacon/",
    subject,
    body,
    timestamp: "2026-01-04T15:01:00.52-05:00",
    read: false,
    priority: "normal",
    type: "notification",
  };
}

const TOAST: PendingSpawn = {
  rig: "gastown",
  polecat: "Toast",
  session: "gt-gastown-Toast",
  issue: "gt-abc12",
  spawned_at: "2026-01-04T15:01:00.52-05:00",
  mail_id: "hq-9d1x",
};

Deno.test("spawnFromMessage() reads POLECAT_STARTED mail", async (t) => {
  await t.step("builds the entry from subject and body (PEND-03)", () => {
    assertEquals(
      spawnFromMessage(
        msg(
          "POLECAT_STARTED gastown/Toast",
          "Session: gt-gastown-polecat-Toast\nIssue: gt-abc123",
        ),
      ),
      {
        rig: "gastown",
        polecat: "Toast",
        session: "gt-gastown-polecat-Toast",
        issue: "gt-abc123",
        spawned_at: "2026-01-04T15:01:00.52-05:00",
        mail_id: "mail-001",
      },
    );
  });

  await t.step(
    "ignores other subjects; the prefix needs its space (PEND-04)",
    () => {
      for (
        const subject of [
          "HEALTH_CHECK gastown/Toast",
          "Some other mail",
          "POLECAT_STARTEDgastown/Toast",
          "polecat_started gastown/Toast",
        ]
      ) {
        assertEquals(checkSpawnMessage(msg(subject, "Session: gt-x")), {
          kind: "ignore",
        });
      }
    },
  );

  await t.step("rejects a subject without rig/polecat (PEND-07)", () => {
    for (
      const subject of [
        "POLECAT_STARTED no-slash-here",
        "POLECAT_STARTED /x",
        "POLECAT_STARTED x/",
      ]
    ) {
      assertEquals(
        checkSpawnMessage(msg(subject, "Session: gt-x")).kind,
        "invalid",
      );
    }
  });

  await t.step("trims body lines and lets the last key win", () => {
    const s = spawnFromMessage(
      msg(
        "POLECAT_STARTED gastown/Nux",
        "  Session: gt-a  \nIssue: i1\nSession: gt-gastown-Nux\nIssue: i2",
      ),
    );
    assertEquals([s?.session, s?.issue], ["gt-gastown-Nux", "i2"]);
  });

  await t.step("rejects unsafe names and sessions", () => {
    const bad: [string, string][] = [
      ["POLECAT_STARTED gas town/Toast", "Session: gt-x"],
      ["POLECAT_STARTED gastown/To;ast", "Session: gt-x"],
      ["POLECAT_STARTED gastown/a/b", "Session: gt-x"],
      ["POLECAT_STARTED -rig/Toast", "Session: gt-x"],
      ["POLECAT_STARTED gastown/Toast", "Issue: i"],
      ["POLECAT_STARTED gastown/Toast", "Session: evil"],
      ["POLECAT_STARTED gastown/Toast", "Session: gt-x; rm -rf /"],
      ["POLECAT_STARTED gastown/Toast", "Session: gt-a:b"],
    ];
    for (const [subject, body] of bad) {
      assertEquals(
        spawnFromMessage(msg(subject, body)),
        null,
        `${subject} / ${body}`,
      );
    }
  });
});

Deno.test("parsePending() reads pending.json tolerantly", async (t) => {
  await t.step("reads a missing, blank or null file as empty (PEND-02)", () => {
    for (const text of [null, "", "  \n", "null", "[]"]) {
      assertEquals(parsePending(text), { spawns: [], skipped: 0 });
    }
  });

  await t.step("reads the reference format", () => {
    assertEquals(parsePending(JSON.stringify([TOAST], null, 2)), {
      spawns: [TOAST],
      skipped: 0,
    });
  });

  await t.step(
    "skips wrong-typed and unsafe entries, defaults missing fields",
    () => {
      const text = JSON.stringify([
        TOAST,
        { ...TOAST, issue: 5 },
        "x",
        null,
        { ...TOAST, session: "evil" },
        { rig: "r", polecat: "p", session: "gt-r-p" },
      ]);
      const got = parsePending(text);
      assertEquals(got.skipped, 4);
      assertEquals(got.spawns[1], {
        rig: "r",
        polecat: "p",
        session: "gt-r-p",
        issue: "",
        spawned_at: "",
        mail_id: "",
      });
    },
  );

  await t.step("throws on text that is not a JSON array", () => {
    assertThrows(
      () => parsePending("not json"),
      PendingParseError,
      'Cannot parse "pending.json"',
    );
    assertThrows(
      () => parsePending('{"rig":"x"}'),
      PendingParseError,
      "expected a JSON array, got an object",
    );
  });
});

Deno.test("formatPending() writes an indented array (PEND-13)", async (t) => {
  await t.step("writes keys in the reference order", () => {
    const shuffled = {
      mail_id: "m",
      spawned_at: "s",
      issue: "i",
      session: "gt-r-p",
      polecat: "p",
      rig: "r",
    };
    assertEquals(
      formatPending([shuffled]),
      '[\n  {\n    "rig": "r",\n    "polecat": "p",\n    "session": "gt-r-p",\n    "issue": "i",\n    "spawned_at": "s",\n    "mail_id": "m"\n  }\n]',
    );
  });

  await t.step(
    "writes [] for an empty list (deliberate fix of PEND-06)",
    () => {
      assertEquals(formatPending([]), "[]");
    },
  );

  await t.step("round-trips through parsePending", () => {
    assertEquals(parsePending(formatPending([TOAST])).spawns, [TOAST]);
  });
});

Deno.test("prunePending() drops old entries (PEND-12)", async (t) => {
  const now = new Date("2026-01-04T20:10:00Z");
  const at = (minAgo: number) =>
    new Date(now.getTime() - minAgo * 60_000).toISOString();

  await t.step("keeps the recent entry and counts the pruned one", () => {
    const old = { ...TOAST, mail_id: "old", spawned_at: at(10) };
    const fresh = { ...TOAST, mail_id: "new", spawned_at: at(1) };
    assertEquals(prunePending([old, fresh], now, 5 * 60_000), {
      kept: [fresh],
      pruned: 1,
    });
  });

  await t.step(
    "prunes nothing when all are recent, keeping exactly maxAge",
    () => {
      const edge = { ...TOAST, spawned_at: at(5) };
      assertEquals(prunePending([edge], now, 5 * 60_000), {
        kept: [edge],
        pruned: 0,
      });
    },
  );

  await t.step("drops entries whose time is not RFC 3339", () => {
    const bad = { ...TOAST, spawned_at: "yesterday" };
    assertEquals(prunePending([bad], now, 5 * 60_000).pruned, 1);
  });

  await t.step("reads offsets and fractions", () => {
    const offset = {
      ...TOAST,
      spawned_at: "2026-01-04T15:08:00.123456789-05:00",
    };
    assertEquals(prunePending([offset], now, 5 * 60_000).pruned, 0);
  });
});

Deno.test("checkSpawnMessage() only accepts the polecat's own session", () => {
  const msg = (body: string) => ({
    id: "m1",
    from: "gastown/witness",
    to: "deacon/",
    subject: "POLECAT_STARTED gastown/Toast",
    body,
    timestamp: "2026-01-04T20:00:00Z",
    read: false,
    priority: "normal",
    type: "notification",
  });
  for (const session of ["gt-gastown-Toast", "gt-gastown-polecat-Toast"]) {
    const r = checkSpawnMessage(msg(`Session: ${session}`));
    if (r.kind !== "spawn") throw new Error(`${session}: ${JSON.stringify(r)}`);
  }
  for (const session of ["gt-deacon", "gt-gastown-witness", "gt-other-Toast"]) {
    const r = checkSpawnMessage(msg(`Session: ${session}`));
    if (r.kind !== "invalid") throw new Error(`${session} accepted`);
  }
});
