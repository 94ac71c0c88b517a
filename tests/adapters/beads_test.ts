import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { join } from "node:path";
import { BeadNotFoundError, Beads } from "../../src/adapters/beads.ts";
import { ExternalCommandError } from "../../src/adapters/cli_output.ts";
import { OutputParseError } from "../../src/adapters/cli_json.ts";
import { createRunner, type Runner } from "../../src/adapters/process.ts";
import { CommandTimeoutError } from "../../src/errors.ts";
import { stubRunner as stub } from "../helpers/stub_runner.ts";
import { agentBead, FakeTown, mailMessage } from "../fixtures/fake_town.ts";

const runner = createRunner();

Deno.test("Beads.listAgents() reads bd list against the stand-in", async (t) => {
  const fake = await FakeTown.create();
  const beads = new Beads(runner, { town: fake.town, env: fake.env() });
  const updated = new Date("2026-01-04T12:01:10.002Z");
  try {
    await fake.setBeads([
      agentBead({
        id: "hq-deacon",
        role: "deacon",
        state: "running",
        updatedAt: updated,
      }),
      agentBead({
        id: "gt-gastown-polecat-ace",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-kwnj1",
        updatedAt: "2026-01-03T13:03:30.614277-08:00",
        descriptionState: "stuck",
      }),
    ]);

    const townDb = `${fake.town}/.beads`;
    const rigDb = `${fake.town}/gastown/.beads`;

    await t.step("lists one database, named by BEADS_DIR", async () => {
      const list = await beads.listAgents();
      assertEquals(list.map((b) => [b.id, b.db]), [["hq-deacon", townDb]]);
      const call = (await fake.calls()).at(-1);
      assertEquals(call?.argv, ["list", "--type=agent", "--json", "--limit=0"]);
      // Read inside the database, git discovery stopped at its parent.
      assertEquals(call?.cwd, townDb);
      assertEquals(call?.BEADS_DIR, townDb);
      assertEquals(call?.GIT_CEILING_DIRECTORIES, fake.town);
      const rig = await beads.listAgents(rigDb);
      assertEquals(rig.map((b) => [b.id, b.db]), [
        ["gt-gastown-polecat-ace", rigDb],
      ]);
      assertEquals((await fake.calls()).at(-1)?.cwd, rigDb);
    });

    await t.step("maps description fields and times", async () => {
      const [deacon] = await beads.listAgents();
      const [ace] = await beads.listAgents(rigDb);
      // bd list prints neither the hook_bead nor the agent_state column.
      assertEquals([deacon?.hookBead, deacon?.agentState], ["", ""]);
      assertEquals(deacon?.fields.agentState, "running");
      assertEquals(deacon?.updated?.getTime(), updated.getTime());
      assertEquals(ace?.issueType, "agent");
      assertEquals([ace?.hookBead, ace?.agentState], ["", ""]);
      assertEquals(ace?.fields.hookBead, "gt-kwnj1");
      assertEquals(ace?.fields.agentState, "stuck");
      assertEquals(ace?.fields.rig, "gastown");
      assertEquals(ace?.updated?.toISOString(), "2026-01-03T21:03:30.614Z");
    });

    await t.step(
      "show() reads the columns from the bead's database",
      async () => {
        const ace = await beads.show("gt-gastown-polecat-ace", rigDb);
        assertEquals([ace?.hookBead, ace?.agentState], ["gt-kwnj1", "working"]);
        assertEquals(ace?.db, rigDb);
        assertEquals((await fake.calls()).at(-1)?.BEADS_DIR, rigDb);
      },
    );

    await t.step("skips malformed entries and counts them", async () => {
      await fake.setBeads([
        agentBead({
          id: "hq-mayor",
          role: "mayor",
          state: "running",
          updatedAt: updated,
        }),
        { issue_type: "agent" },
        { id: 5, issue_type: "agent" },
        { id: "hq-x", issue_type: "agent", description: 7 },
        { id: "--help", issue_type: "agent" },
        { id: "hq-y", issue_type: "agent", updated_at: "yesterday" },
      ]);
      const got = await beads.listAgentsDetailed();
      assertEquals(got.agents.map((a) => a.id), ["hq-mayor", "hq-y"]);
      assertEquals(got.agents[1]?.updated, null);
      assertEquals(got.skipped, 4);
    });

    await t.step(
      "throws a parse error on garbage and on a non-array",
      async () => {
        await fake.setMode("bd", "garbage");
        await assertRejects(
          () => beads.listAgents(),
          OutputParseError,
          'Cannot parse "bd list" output',
        );
        await fake.setMode("bd", "object");
        await assertRejects(
          () => beads.listAgents(),
          OutputParseError,
          "expected a JSON array, got an object",
        );
      },
    );

    await t.step("reads empty output as no agents", async () => {
      await fake.setMode("bd", "empty");
      assertEquals(await beads.listAgents(), []);
      assertEquals(
        await new Beads(stub("null\n"), { town: "/t" }).listAgents(),
        [],
      );
    });

    await t.step("reports a failure with argv and stderr", async () => {
      await fake.setMode("bd", "fail");
      const err = await assertRejects(
        () => beads.listAgents(),
        ExternalCommandError,
      );
      assertStringIncludes(
        err.message,
        "exit code 1: bd list --type=agent --json --limit=0: Error: bd stand-in: injected failure",
      );
    });

    await t.step(
      "reports output past the size cap as unparseable",
      async () => {
        const capped: Runner = {
          run: () =>
            Promise.resolve({
              code: 0,
              stdout: "[{",
              stderr: "",
              ms: 1,
              truncated: true,
            }),
        };
        await assertRejects(
          () => new Beads(capped, { town: "/t" }).listAgents(),
          OutputParseError,
          "exceeds the output size limit",
        );
      },
    );

    await t.step("times out a hung bd", async () => {
      await fake.setMode("bd", "hang");
      const quick = new Beads(runner, {
        town: fake.town,
        env: fake.env(),
        timeoutMs: 300,
      });
      await assertRejects(
        () => quick.listAgents(),
        CommandTimeoutError,
        "Command timed out after 300 ms: bd list --type=agent --json",
      );
    });
  } finally {
    await fake.cleanup();
  }
});

Deno.test("Beads writes: updateDescription(), closeMessage()", async (t) => {
  const fake = await FakeTown.create();
  const mayor = agentBead({
    id: "hq-mayor",
    role: "mayor",
    state: "running",
    updatedAt: new Date(0),
  });
  try {
    await fake.setBeads([mayor]);
    const beads = new Beads(runner, {
      town: fake.town,
      env: fake.env(),
      sessionId: "sess-1",
    });

    await t.step("updateDescription() replaces the description", async () => {
      await beads.updateDescription(
        "hq-mayor",
        "role_type: mayor\nagent_state: dead",
      );
      assertEquals(
        (await fake.beads())[0]?.description,
        "role_type: mayor\nagent_state: dead",
      );
      assertEquals((await fake.calls()).at(-1)?.argv, [
        "update",
        "hq-mayor",
        "--description",
        "role_type: mayor\nagent_state: dead",
      ]);
    });

    await t.step(
      "updateDescription() writes to the bead's own database (bd update does not route)",
      async () => {
        const rigDb = join(fake.town, "gastown", ".beads");
        await fake.setBeads([
          mayor,
          agentBead({
            id: "gt-gastown-polecat-ace",
            role: "polecat",
            rig: "gastown",
            state: "working",
            updatedAt: new Date(0),
          }),
        ]);
        const err = await assertRejects(
          () => beads.updateDescription("gt-gastown-polecat-ace", "x"),
          ExternalCommandError,
        );
        assertStringIncludes(
          err.message,
          'no issue found matching "gt-gastown-polecat-ace"',
        );
        await beads.updateDescription(
          "gt-gastown-polecat-ace",
          "agent_state: dead",
          rigDb,
        );
        assertEquals((await fake.calls()).at(-1)?.BEADS_DIR, rigDb);
        const ace = (await fake.beads()).find((b) =>
          b.id === "gt-gastown-polecat-ace"
        );
        assertEquals(ace?.description, "agent_state: dead");
      },
    );

    await t.step(
      "updateDescription() reports a failure with the argv",
      async () => {
        await fake.setMode("bd", "fail", "update");
        const err = await assertRejects(
          () => beads.updateDescription("hq-mayor", "x"),
          ExternalCommandError,
        );
        assertStringIncludes(err.message, "bd update hq-mayor --description x");
        await fake.setMode("bd", "ok", "update");
      },
    );

    await t.step("closeMessage() sets BEADS_DIR and --session", async () => {
      await fake.setInbox([mailMessage({ id: "hq-m1" })]);
      await beads.closeMessage("hq-m1");
      const call = (await fake.calls()).at(-1);
      assertEquals(call?.argv, ["close", "hq-m1", "--session=sess-1"]);
      assertEquals(call?.BEADS_DIR, join(fake.town, ".beads"));
      assertEquals(await fake.inbox(), []);
    });

    await t.step("closeMessage() reports a missing message", async () => {
      await assertRejects(
        () => beads.closeMessage("hq-m1"),
        BeadNotFoundError,
        'Message not found: "hq-m1"',
      );
    });

    await t.step(
      "closeMessage() leaves out --session without a session id",
      async () => {
        const s = stub("");
        await new Beads(s, { town: "/t" }).closeMessage("hq-m2");
        assertEquals(s.argv, [["bd", "close", "hq-m2"]]);
      },
    );
  } finally {
    await fake.cleanup();
  }
});
