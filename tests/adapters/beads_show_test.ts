import { assertEquals, assertRejects } from "../helpers/assert.ts";
import {
  Beads,
  BeadsNotARepoError,
  BeadsNotInstalledError,
  BeadsSyncConflictError,
  InvalidBeadIdError,
  NotRoleBeadError,
} from "../../src/adapters/beads.ts";
import { ExternalCommandError } from "../../src/adapters/cli_output.ts";
import { OutputParseError } from "../../src/adapters/cli_json.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { stubRunner as stub } from "../helpers/stub_runner.ts";
import { agentBead, FakeTown } from "../fixtures/fake_town.ts";

const runner = createRunner();

Deno.test("Beads.show() and getRoleConfig() read single beads", async (t) => {
  const fake = await FakeTown.create();
  const beads = new Beads(runner, { town: fake.town, env: fake.env() });
  try {
    await fake.setBeads([
      agentBead({
        id: "hq-mayor",
        role: "mayor",
        state: "running",
        updatedAt: new Date(),
      }),
      {
        id: "gt-witness-role",
        issue_type: "role",
        description:
          "Witness role\n\nsession_pattern: gt-{rig}-watch\nenv_var: EXTRA={rig}-{role}",
      },
      { id: "gt-crew-role", issue_type: "role", description: "prose only" },
      // Where gt install puts role beads.
      {
        id: "hq-polecat-role",
        issue_type: "role",
        description: "Polecat role\n\nsession_pattern: gt-{rig}-{name}",
      },
      {
        id: "gt-mayor-role",
        issue_type: "agent",
        description: "session_pattern: x",
      },
    ]);

    await t.step("show() returns the bead or null when missing", async () => {
      assertEquals((await beads.show("hq-mayor"))?.fields.roleType, "mayor");
      assertEquals(await beads.show("hq-nope"), null);
      assertEquals((await fake.calls()).at(-1)?.argv, [
        "show",
        "hq-nope",
        "--json",
      ]);
    });

    await t.step(
      "show() accepts a bare object and reads [] as missing",
      async () => {
        const bare = new Beads(stub('{"id":"hq-a","issue_type":"agent"}'), {
          town: "/t",
        });
        assertEquals((await bare.show("hq-a"))?.id, "hq-a");
        assertEquals(
          await new Beads(stub("[]"), { town: "/t" }).show("hq-a"),
          null,
        );
        await assertRejects(
          () => new Beads(stub("[5]"), { town: "/t" }).show("hq-a"),
          OutputParseError,
        );
      },
    );

    await t.step(
      "show() refuses ids that could be flags, without running bd",
      async () => {
        const s = stub("[]");
        for (const id of ["--help", "", "a b", "x\ny"]) {
          await assertRejects(
            () => new Beads(s, { town: "/t" }).show(id),
            InvalidBeadIdError,
          );
        }
        assertEquals(s.argv, []);
      },
    );

    await t.step(
      "getRoleConfig() parses a role bead with --no-daemon",
      async () => {
        const cfg = await beads.getRoleConfig("witness");
        assertEquals(cfg?.sessionPattern, "gt-{rig}-watch");
        assertEquals(cfg?.envVars, { EXTRA: "{rig}-{role}" });
        assertEquals((await fake.calls()).at(-1)?.argv, [
          "--no-daemon",
          "show",
          "gt-witness-role",
          "--json",
        ]);
      },
    );

    await t.step(
      "getRoleConfig() falls back to hq-<role>-role in the town database",
      async () => {
        const cfg = await beads.getRoleConfig("polecat");
        assertEquals(cfg?.sessionPattern, "gt-{rig}-{name}");
        const shows = (await fake.calls()).slice(-2).map((c) => c.argv[2]);
        assertEquals(shows, ["gt-polecat-role", "hq-polecat-role"]);
        assertEquals(
          (await fake.calls()).at(-1)?.BEADS_DIR,
          `${fake.town}/.beads`,
        );
      },
    );

    await t.step(
      "getRoleConfig() returns null when missing or without config",
      async () => {
        assertEquals(await beads.getRoleConfig("refinery"), null);
        assertEquals(await beads.getRoleConfig("crew"), null);
      },
    );

    await t.step("getRoleConfig() rejects a bead of another type", async () => {
      await assertRejects(
        () => beads.getRoleConfig("mayor"),
        NotRoleBeadError,
        'Bead "gt-mayor-role" is not a role bead: type "agent"',
      );
    });

    await t.step(
      "getRoleConfig() classifies bd failures in the reference order",
      async () => {
        const cases: [string, new (...a: never[]) => Error][] = [
          ["Error: not a beads repository", BeadsNotARepoError],
          ["Error: No .beads directory found", BeadsNotARepoError],
          ["Error: .beads database not found", BeadsNotARepoError],
          ["Error: sync conflict on pull", BeadsSyncConflictError],
          ["CONFLICT (content)", BeadsSyncConflictError],
          ["Error: database locked", ExternalCommandError],
        ];
        for (const [stderr, cls] of cases) {
          await assertRejects(
            () =>
              new Beads(stub("", 1, stderr), { town: "/t" }).getRoleConfig("x"),
            cls,
          );
        }
        assertEquals(
          await new Beads(stub("", 1, "Issue not found"), { town: "/t" })
            .getRoleConfig("x"),
          null,
        );
      },
    );

    await t.step("a missing bd is reported as not installed", async () => {
      const missing = new Beads(
        createRunner({ programs: { bd: "/nonexistent/bd" } }),
        { town: fake.town },
      );
      await assertRejects(
        () => missing.getRoleConfig("witness"),
        BeadsNotInstalledError,
        "not found",
      );
    });
  } finally {
    await fake.cleanup();
  }
});
