/**
 * Two towns on one tmux server, and sessions that are no town's: `gt-mayor`,
 * `gt-deacon` and `gt-boot` have the same name in every town, and anyone
 * with the server can name a session `gt-<rig>-<name>`. The daemon acts only
 * on its own sessions (tagged `@gt_town` with its root, or untagged and
 * running inside the town) and on rigs listed in `rigs.json`; it logs each
 * conflict once. Polecats whose session names coincide get one session.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import {
  bead,
  Harness,
  message,
  rigBeads,
  workingPolecat,
} from "../helpers/harness.ts";
import { linesWith } from "./support.ts";

Deno.test("a town's daemon never kills, replaces or types into another town's sessions or a stray one", async () => {
  const h = await Harness.create({ rigs: ["alpha"], quiet: false });
  try {
    const town = h.town;
    const other = `${h.t.root}/other-town`;
    await Deno.mkdir(other, { recursive: true });
    await h.healthyRigs("alpha");
    // Town B's Deacon and Boot: tagged for B, an agent at B's root.
    for (const s of ["gt-deacon", "gt-boot"]) {
      await h.healthySession(s, other);
      await h.tmux(["set-option", "-t", `=${s}:`, "@gt_town", other]);
    }
    // A stray shell session named like a rig's Witness and a polecat of a
    // rig that is not this town's, with a prompt that looks like Claude's.
    for (const s of ["gt-foreign-witness", "gt-other-x"]) {
      await h.tmux([
        "new-session",
        "-d",
        "-s",
        s,
        "-c",
        h.t.root,
        "-e",
        "PS1=> ",
        "bash --noprofile --norc",
      ]);
    }
    await h.setBeads([
      ...rigBeads("alpha"),
      // A's Deacon bead says dead: A would replace "its" Deacon.
      bead({ id: "hq-deacon", role: "deacon", state: "dead" }),
    ]);
    // A stale Deacon heartbeat: A would nudge, or kill, "its" Deacon.
    await Deno.writeTextFile(
      `${town}/deacon/heartbeat.json`,
      JSON.stringify({
        timestamp: new Date(Date.now() - 45 * 60_000).toISOString(),
      }),
    );
    await h.setInbox([
      message({ id: "hq-1", from: "deacon", body: "shutdown" }),
      message({ id: "hq-2", from: "foreign/witness", body: "shutdown" }),
      message({
        id: "hq-3",
        from: "alpha/witness",
        subject: "POLECAT_STARTED other/x",
        body: "Session: gt-other-x",
      }),
    ]);
    const before = await h.sessions();
    await h.heartbeat();
    await h.heartbeat();
    const after = await h.sessions();
    for (
      const s of ["gt-deacon", "gt-boot", "gt-foreign-witness", "gt-other-x"]
    ) {
      assertEquals(after.get(s)?.id, before.get(s)?.id, `${s} was replaced`);
    }
    const typed = (await h.jsonl("stdin.jsonl")).map((l) => l.line);
    assertEquals(typed, [], "text was typed into another town's agent");
    const screen = await h.tmux(["capture-pane", "-p", "-t", "=gt-other-x:"]);
    assert(!screen.includes("Begin."), screen);
    // A's own Witness (untagged, inside the town) is still A's to manage,
    // and what A creates carries its tag.
    assertEquals(
      after.get("gt-alpha-witness")?.id,
      before.get("gt-alpha-witness")?.id,
    );
    const log = await h.log();
    assertEquals(
      linesWith(log, "Session gt-deacon belongs to another town").length,
      1,
      log,
    );
    assertEquals(linesWith(log, "Executing shutdown").length, 0, log);
    assert(
      linesWith(log, 'rig "foreign" is not a rig of this town').length >= 1,
      log,
    );
    assert(
      linesWith(log, "Ignoring POLECAT_STARTED message hq-3").length === 1,
      log,
    );
  } finally {
    await h.close();
  }
});

Deno.test("sessions the daemon creates carry the town's tag; untagged ones inside the town are adopted", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    // Left by the Go daemon: no tag, a shell where the agent should be.
    const zombie = await h.zombieSession(
      "gt-alpha-witness",
      `${h.town}/alpha/witness`,
    );
    await h.healthySession("gt-alpha-refinery");
    await h.setBeads(rigBeads("alpha"));
    await h.heartbeat();
    const after = await h.sessions();
    assert(after.get("gt-alpha-witness")?.id !== zombie.id);
    assertEquals(await h.option("gt-alpha-witness", "@gt_town"), h.town);
    assertEquals(await h.option("gt-alpha-refinery", "@gt_town"), "");
  } finally {
    await h.close();
  }
});

Deno.test("two polecats whose session names coincide: one session, for the polecat of the longer rig", async () => {
  const h = await Harness.create({ rigs: ["a", "a-b"] });
  try {
    await Deno.mkdir(`${h.town}/a/polecats/b-x`, { recursive: true });
    await Deno.mkdir(`${h.town}/a-b/polecats/x`, { recursive: true });
    await h.healthyRigs("a", "a-b");
    await h.setBeads([
      ...rigBeads("a"),
      ...rigBeads("a-b"),
      workingPolecat("a", "b-x"),
      workingPolecat("a-b", "x"),
    ]);
    await h.heartbeat();
    await h.heartbeat();
    const s = await h.sessions();
    assert(s.get("gt-a-b-x")?.commands.includes("claude"));
    assertEquals(await h.sessionEnv("gt-a-b-x", "GT_RIG"), "a-b");
    assertEquals(await h.sessionEnv("gt-a-b-x", "GT_POLECAT"), "x");
    assertEquals(s.get("gt-a-b-x")?.path, `${h.town}/a-b/polecats/x`);
    const log = await h.log();
    assertEquals(
      linesWith(
        log,
        "Ignoring polecat a/b-x: its session gt-a-b-x is also polecat a-b/x's",
      ).length,
      1,
      log,
    );
    assertEquals(
      (await h.agents()).filter((a) =>
        (a.env as Record<string, string>).GT_ROLE === "polecat"
      ).length,
      1,
    );
  } finally {
    await h.close();
  }
});
