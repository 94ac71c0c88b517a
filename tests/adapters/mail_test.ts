import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  InvalidMailArgumentError,
  Mail,
  toMailMessage,
} from "../../src/adapters/mail.ts";
import { ExternalCommandError } from "../../src/adapters/cli_output.ts";
import { OutputParseError } from "../../src/adapters/cli_json.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { CommandTimeoutError } from "../../src/errors.ts";
import { FakeTown, mailMessage } from "../fixtures/fake_town.ts";

const runner = createRunner();

Deno.test("Mail.inbox() reads the deacon inbox from the stand-in", async (t) => {
  const fake = await FakeTown.create();
  const mail = new Mail(runner, { town: fake.town, env: fake.env() });
  try {
    await t.step(
      "runs the documented argv in the town (LPROC-01)",
      async () => {
        await fake.setInbox([
          mailMessage({ id: "hq-msg1", body: '{"action": "cycle"}' }),
        ]);
        const [m] = await mail.inbox();
        assertEquals([m?.id, m?.body, m?.read], [
          "hq-msg1",
          '{"action": "cycle"}',
          false,
        ]);
        const call = (await fake.calls()).at(-1);
        assertEquals(call?.argv, [
          "mail",
          "inbox",
          "--identity",
          "deacon/",
          "--json",
        ]);
        assertEquals(call?.cwd, fake.town);
      },
    );

    await t.step(
      "keeps every field and ignores unknown keys (MSG-01, MSG-02)",
      async () => {
        const message = {
          id: "msg-123",
          from: "test-sender",
          to: "test-recipient",
          subject: "Test Message",
          body: "A test message body",
          timestamp: "2026-01-04T14:58:12.40311-05:00",
          read: true,
          priority: "high",
          type: "message",
        };
        await fake.setInbox([{
          ...message,
          thread_id: "thread-1",
          wisp: true,
        }]);
        assertEquals(await mail.inbox(), [message]);
      },
    );

    await t.step(
      "reads empty output, [] and null as an empty inbox (LPROC-02)",
      async () => {
        for (const text of ["", "[]", "[]\n", "null\n"]) {
          await fake.setInbox(text);
          assertEquals(await mail.inboxDetailed(), {
            messages: [],
            skipped: 0,
            unreadable: [],
          });
        }
      },
    );

    await t.step(
      "skips a message with a numeric priority, keeping the rest (MSG-02 fix)",
      async () => {
        await fake.setInbox([
          { ...mailMessage({ id: "hq-bad" }), priority: 2 },
          mailMessage({ id: "hq-good" }),
        ]);
        const got = await mail.inboxDetailed();
        assertEquals(got.messages.map((m) => m.id), ["hq-good"]);
        assertEquals(got.skipped, 1);
      },
    );

    await t.step("throws on garbage and on a non-array", async () => {
      await fake.setInbox("not json {{{");
      await assertRejects(
        () => mail.inbox(),
        OutputParseError,
        'Cannot parse "gt mail inbox" output',
      );
      await fake.setMode("gt", "object");
      await assertRejects(
        () => mail.inbox(),
        OutputParseError,
        "expected a JSON array, got an object",
      );
      await fake.setMode("gt", "ok");
    });

    await t.step("reports a non-zero exit", async () => {
      await fake.setMode("gt", "fail", "mail-inbox");
      const err = await assertRejects(() => mail.inbox(), ExternalCommandError);
      assertStringIncludes(
        err.message,
        "gt mail inbox --identity deacon/ --json",
      );
      await fake.setMode("gt", "ok", "mail-inbox");
    });

    await t.step("times out a hung gt", async () => {
      await fake.setMode("gt", "hang");
      const quick = new Mail(runner, {
        town: fake.town,
        env: fake.env(),
        timeoutMs: 300,
      });
      await assertRejects(
        () => quick.inbox(),
        CommandTimeoutError,
        "after 300 ms: gt mail inbox",
      );
      await fake.setMode("gt", "ok");
    });
  } finally {
    await fake.cleanup();
  }
});

Deno.test("toMailMessage() validates one message", async (t) => {
  const good = mailMessage({ id: "hq-1" });

  await t.step("defaults optional fields that are missing or null", () => {
    const m = toMailMessage({
      id: "hq-1",
      from: "a",
      subject: "s",
      read: null,
    });
    assertEquals(m, {
      id: "hq-1",
      from: "a",
      to: "",
      subject: "s",
      body: "",
      timestamp: "",
      read: false,
      priority: "",
      type: "",
    });
  });

  await t.step("rejects missing required fields and wrong types", () => {
    const bad: unknown[] = [
      null,
      "x",
      [good],
      { ...good, id: undefined },
      { ...good, from: null },
      { ...good, subject: 1 },
      { ...good, read: "false" },
      { ...good, body: {} },
      { ...good, id: "--force" },
    ];
    for (const entry of bad) {
      assertEquals(toMailMessage(entry), null, JSON.stringify(entry));
    }
  });
});

Deno.test("Mail.delete() and send() run gt mail", async (t) => {
  const fake = await FakeTown.create();
  const mail = new Mail(runner, { town: fake.town, env: fake.env() });
  try {
    await t.step("delete() removes the message", async () => {
      await fake.setInbox([
        mailMessage({ id: "hq-msg1" }),
        mailMessage({ id: "hq-msg2" }),
      ]);
      await mail.delete("hq-msg1");
      assertEquals((await fake.inbox()).map((m) => m.id), ["hq-msg2"]);
      assertEquals((await fake.calls()).at(-1)?.argv, [
        "mail",
        "delete",
        "hq-msg1",
      ]);
    });

    await t.step("delete() refuses an id that could be a flag", async () => {
      await assertRejects(() => mail.delete("--all"), InvalidMailArgumentError);
    });

    await t.step("delete() reports a failure with the output", async () => {
      await fake.setMode("gt", "fail", "mail-delete");
      const err = await assertRejects(
        () => mail.delete("hq-msg2"),
        ExternalCommandError,
      );
      assertStringIncludes(
        err.message,
        "gt mail delete hq-msg2: Error: gt stand-in: injected failure",
      );
      await fake.setMode("gt", "ok", "mail-delete");
    });

    await t.step(
      "send() passes subject and body as separate arguments",
      async () => {
        const body =
          "Agent x has work on hook but isn't progressing.\n\nhook_bead: gt-abc";
        await mail.send(
          "gastown/witness",
          "GUPP_VIOLATION: x stuck for 45m0s",
          body,
        );
        assertEquals(await fake.sent(), [
          {
            to: "gastown/witness",
            subject: "GUPP_VIOLATION: x stuck for 45m0s",
            body,
          },
        ]);
        assertEquals((await fake.calls()).at(-1)?.argv, [
          "mail",
          "send",
          "gastown/witness",
          "-s",
          "GUPP_VIOLATION: x stuck for 45m0s",
          "-m",
          body,
        ]);
      },
    );

    await t.step(
      "send() refuses an unsafe address and reports failures",
      async () => {
        await assertRejects(
          () => mail.send("-x", "s", "b"),
          InvalidMailArgumentError,
        );
        await assertRejects(
          () => mail.send("a b/witness", "s", "b"),
          InvalidMailArgumentError,
        );
        await fake.setMode("gt", "fail", "mail-send");
        await assertRejects(
          () => mail.send("gastown/witness", "s", "b"),
          ExternalCommandError,
        );
        assertEquals((await fake.sent()).length, 1);
      },
    );
  } finally {
    await fake.cleanup();
  }
});
