/**
 * A hostile role bead. Whoever can write the town's beads can set how an
 * agent starts (its command and environment), but not which session a
 * lifecycle request kills, nor a work directory outside the town, nor text
 * that tmux reads as a command or a format.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { Harness, message, rigBeads } from "../helpers/harness.ts";
import { linesWith } from "./support.ts";

function roleBead(description: string): Record<string, unknown> {
  return {
    id: "gt-witness-role",
    title: "Witness role",
    description,
    status: "open",
    issue_type: "role",
  };
}

Deno.test("a role bead cannot choose the session a lifecycle request kills, nor a directory outside the town", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    await h.healthyRigs("alpha");
    // The user's own session, named like nothing in Gas Town.
    const work = await h.zombieSession("work", h.t.root);
    const canary = `${h.fake}.CANARY`;
    await h.setBeads([
      ...rigBeads("alpha"),
      roleBead(
        [
          "session_pattern: work",
          "work_dir_pattern: {town}/#(touch $GT_FAKE_DIR.CANARY)/x",
          "env_var: GT_EXTRA={rig}",
        ].join("\n"),
      ),
    ]);
    const witness = (await h.sessions()).get("gt-alpha-witness")!;
    await h.setInbox([
      message({ id: "hq-1", from: "alpha/witness", body: "restart" }),
    ]);
    await h.heartbeat();
    const after = await h.sessions();
    assertEquals(
      after.get("work")?.id,
      work.id,
      "the user's session was killed",
    );
    const restarted = after.get("gt-alpha-witness");
    assert(
      restarted && restarted.id !== witness.id,
      "the Witness was not restarted",
    );
    // The directory does not exist: the nearest existing one inside the
    // town, never the text of the pattern's parent, and never the daemon's.
    assertEquals(restarted.path, h.town);
    assertEquals(await h.sessionEnv("gt-alpha-witness", "GT_EXTRA"), "alpha");
    assert(
      !(await Deno.lstat(canary).then(() => true, () => false)),
      "a command in the work directory ran",
    );
    const log = await h.log();
    assertEquals(
      linesWith(
        log,
        "Warning: role bead gt-witness-role: ignoring session_pattern",
      ).length,
      1,
      log,
    );
    assertEquals(
      linesWith(log, `does not exist; starting gt-alpha-witness in ${h.town}`)
        .length,
      1,
      log,
    );
  } finally {
    await h.close();
  }
});

Deno.test("a role bead's values ending in ';' stay values: no tmux command runs", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    await h.healthyRigs("alpha");
    // Before, the ";" ended new-session and the start command ran as a
    // tmux command: kill-server took every town's sessions with it.
    await h.setBeads([
      ...rigBeads("alpha"),
      roleBead("env_var: GT_EXTRA=v;\nstart_command: kill-server"),
    ]);
    await h.setInbox([
      message({ id: "hq-1", from: "alpha/witness", body: "restart" }),
    ]);
    await h.heartbeat();
    const after = await h.sessions();
    assert(after.has("keepalive"), "the tmux server was killed");
    assert(after.has("gt-alpha-refinery"));
    const log = await h.log();
    // The start command runs in the shell, where it is not a command.
    assert(
      linesWith(log, "LIFECYCLE_FAILED").length +
          linesWith(log, "Replied to alpha/witness").length >= 1,
      log,
    );
  } finally {
    await h.close();
  }
});
