/**
 * The daemon against the real `bd` (beads v0.44.0): a town laid out the
 * way `gt install` and `gt rig add` lay it out, built with real `bd`
 * commands, and the stub agent in a private tmux server. Skips, saying why,
 * when `deno task real-tools` could not install `bd`.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { FIXTURE_BIN } from "../helpers/cli.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { Beads } from "../../src/adapters/beads.ts";
import { rfc3339 } from "../../src/gotime.ts";
import { findRealTools } from "./find_tools.ts";

const { tools, skip } = findRealTools(["bd"]);
const runner = createRunner({ defaultTimeoutMs: 30_000 });

/** Imports beads (kept times included) into the database of `cwd`. */
async function importBeads(cwd: string, beads: unknown[]): Promise<void> {
  const file = `${cwd}/import.jsonl.tmp`;
  await Deno.writeTextFile(
    file,
    beads.map((b) => JSON.stringify(b)).join("\n"),
  );
  await bd(["--no-daemon", "import", "-i", file], { cwd });
  await Deno.remove(file);
}

/** Runs the real bd; throws with its output when it fails. */
async function bd(
  args: string[],
  options: { cwd: string; beadsDir?: string },
): Promise<string> {
  const env: Record<string, string> = { BD_ACTOR: "test" };
  if (options.beadsDir) env.BEADS_DIR = options.beadsDir;
  const r = await runner.run([tools.bd as string, ...args], {
    cwd: options.cwd,
    env,
  });
  if (r.code !== 0) {
    throw new Error(`bd ${args.join(" ")} (${r.code}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

function agentDescription(role: string, rig: string, state: string, hook = "") {
  return [
    `${role} agent`,
    "",
    `role_type: ${role}`,
    `rig: ${rig || "null"}`,
    `agent_state: ${state}`,
    `hook_bead: ${hook || "null"}`,
    "role_bead: null",
  ].join("\n");
}

/**
 * Lays out the town as gt does with real bd: the town database (`bd init
 * --prefix hq`), the rig database `alpha/.beads` (`bd init --prefix ap`,
 * `BEADS_DIR` set as `gt rig add` does), the route, a stale Mayor (imported
 * with an old `updated_at`), work in the rig and a polecat bead, hooked
 * through its description as `gt sling` leaves it, only in the rig database.
 */
async function layTown(town: string): Promise<{ work: string }> {
  const townDb = `${town}/.beads`;
  const rigDb = `${town}/alpha/.beads`;
  await bd(["init", "--prefix", "hq", "--quiet"], { cwd: town });
  const stale = rfc3339(new Date(Date.now() - 60 * 60_000));
  const mayor = {
    id: "hq-mayor",
    title: "Mayor",
    description: agentDescription("mayor", "", "running"),
    status: "open",
    priority: 2,
    issue_type: "agent",
    created_at: stale,
    updated_at: stale,
  };
  // A bead exists before routes.jsonl is written: with no issues.jsonl,
  // bd v0.44.0 takes any *.jsonl in .beads (routes.jsonl too) as its export.
  await importBeads(town, [mayor]);
  for (const name of ["toast", "nux"]) {
    await Deno.mkdir(`${town}/alpha/polecats/${name}`, { recursive: true });
  }
  await bd(["init", "--prefix", "ap", "--quiet"], {
    cwd: `${town}/alpha`,
    beadsDir: rigDb,
  });
  await Deno.writeTextFile(
    `${townDb}/routes.jsonl`,
    JSON.stringify({ prefix: "ap-", path: "alpha" }) + "\n",
    { append: true },
  );
  const work = JSON.parse(
    await bd([
      "--no-daemon",
      "create",
      "--json",
      "--title=Some work",
      "--description=w",
    ], {
      cwd: `${town}/alpha`,
    }),
  ).id as string;
  await bd([
    "--no-daemon",
    "create",
    "--json",
    "--id=ap-alpha-polecat-toast",
    "--type=agent",
    "--title=Polecat toast",
    `--description=${agentDescription("polecat", "alpha", "spawning", work)}`,
  ], { cwd: `${town}/alpha` });
  await bd([
    "--no-daemon",
    "agent",
    "state",
    "ap-alpha-polecat-toast",
    "running",
  ], {
    cwd: `${town}/alpha`,
  });
  // nux finished (gt done sets the column; its description still says
  // spawning with the old hook); ace died with work on its hook (column
  // only); gus has worked on its hook without a bead update for an hour.
  for (const [name, state] of [["nux", "done"], ["ace", "dead"]] as const) {
    await bd([
      "--no-daemon",
      "create",
      "--json",
      `--id=ap-alpha-polecat-${name}`,
      "--type=agent",
      `--title=Polecat ${name}`,
      `--description=${agentDescription("polecat", "alpha", "spawning", work)}`,
    ], { cwd: `${town}/alpha` });
    await bd(
      ["--no-daemon", "agent", "state", `ap-alpha-polecat-${name}`, state],
      { cwd: `${town}/alpha` },
    );
  }
  await importBeads(`${town}/alpha`, [{
    ...mayor,
    id: "ap-alpha-polecat-gus",
    title: "Polecat gus",
    description: agentDescription("polecat", "alpha", "working", work),
  }]);
  return { work };
}

Deno.test({
  name:
    "real bd: a polecat whose bead lives only in the rig database is started and restarted, a finished one is left alone, orphaned work and GUPP are noticed once, a stale agent is marked dead",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const bin = await Deno.makeTempDir({ prefix: "gtd-real-bin-" });
    await Deno.symlink(tools.bd as string, `${bin}/bd`);
    const path = `${bin}:${FIXTURE_BIN}:${
      Deno.env.get("PATH") ?? "/usr/bin:/bin"
    }`;
    const h = await Harness.create({ rigs: ["alpha"], env: { PATH: path } });
    try {
      const { work } = await layTown(h.town);

      await t.step("a town-root bd list sees no polecat", async () => {
        const ids = JSON.parse(
          await bd(["list", "--type=agent", "--json"], { cwd: h.town }),
        )
          .map((b: { id: string }) => b.id);
        assertEquals(ids, ["hq-mayor"]);
      });

      await h.healthyRigs("alpha");
      const polecat = "gt-alpha-toast";
      const up = async () =>
        (await h.sessions()).get(polecat)?.commands.includes("claude") === true;

      await t.step("the daemon starts the polecat", async () => {
        assertEquals((await h.cli(["start", "--interval", "10m"])).code, 0);
        assert(await waitFor(up, 30_000), await h.log());
        assertStringIncludes(
          await h.log(),
          `CRASH DETECTED: polecat alpha/toast has hook_bead=${work} but session ${polecat} is dead`,
        );
      });

      await t.step(
        "a finished polecat is not resurrected (column state)",
        async () => {
          const log = await h.log();
          assertStringIncludes(
            log,
            "Skipping crash detection for alpha/nux: agent_state=done",
          );
          assert(!(await h.sessions()).has("gt-alpha-nux"), log);
        },
      );

      await t.step(
        "orphaned work and GUPP reach the Witness once",
        async () => {
          const sent = await h.sent();
          const subjects = sent.map((m) => `${m.to} ${m.subject}`);
          assertEquals(
            subjects.filter((s) => s.includes("ORPHANED_WORK")),
            ["alpha/witness ORPHANED_WORK: ap-alpha-polecat-ace has hooked work but is dead"],
          );
          const gupp = subjects.filter((s) => s.includes("GUPP_VIOLATION"));
          assertEquals(gupp.length, 1, JSON.stringify(subjects));
          assert(
            gupp[0]?.startsWith(
              "alpha/witness GUPP_VIOLATION: ap-alpha-polecat-gus stuck for",
            ),
          );
        },
      );

      await t.step("a killed polecat comes back", async () => {
        await h.tmux(["kill-session", "-t", `=${polecat}`]);
        assert(await waitFor(async () => !(await up()), 5_000));
        assert(await waitFor(up, 30_000), await h.log());
      });

      await t.step(
        "the stale Mayor is marked dead, read back by bd show",
        async () => {
          const dead = async () => {
            const out = await bd(["show", "hq-mayor", "--json"], {
              cwd: h.town,
            });
            return String(JSON.parse(out)[0]?.description).includes(
              "agent_state: dead",
            );
          };
          assert(await waitFor(dead, 30_000), await h.log());
          assertStringIncludes(
            await h.log(),
            "Marked agent hq-mayor as dead due to timeout",
          );
        },
      );

      await t.step(
        "a write to a rig bead reaches the rig database",
        async () => {
          const beads = new Beads(runner, {
            town: h.town,
            env: { PATH: path },
          });
          const rigDb = `${h.town}/alpha/.beads`;
          await beads.updateDescription(
            "ap-alpha-polecat-toast",
            agentDescription("polecat", "alpha", "working", work),
            rigDb,
          );
          const shown = await beads.show("ap-alpha-polecat-toast");
          assertEquals(shown?.fields.agentState, "working");
          assertEquals(shown?.agentState, "running");
        },
      );
      // Still once each after the later passes.
      const notices = (await h.sent()).filter((m) =>
        /^(ORPHANED_WORK|GUPP_VIOLATION):/.test(String(m.subject))
      );
      assertEquals(notices.length, 2, JSON.stringify(notices));
      assertEquals((await h.cli(["stop"])).code, 0);
    } finally {
      await h.close();
      await Deno.remove(bin, { recursive: true });
    }
  },
});
