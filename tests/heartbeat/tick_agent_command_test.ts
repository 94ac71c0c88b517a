import { assert, assertEquals } from "../helpers/assert.ts";
import { worldTest } from "../fakes/tick_world.ts";

worldTest(
  "runTick() with the agent command missing starts nothing, refuses a lifecycle restart and leaves the session alone",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/witness", "gastown/polecats/Toast");
    w.missingCommands.add("claude");
    w.tmux.add("gt-gastown-witness");
    w.beads.raw = [
      ...w.rigBeads("gastown"),
      w.workingPolecat("gastown", "Toast"),
    ];
    w.mail.raw = [w.message({ id: "hq-msg1", from: "gastown/witness" })];
    const result = await w.tick();
    assertEquals(
      result.snapshot?.missingAgentCommands.get("gastown"),
      "claude",
    );
    assertEquals(w.tmux.callsOf("newSession"), []);
    assertEquals(w.tmux.callsOf("killSession"), []);
    const log = w.takeLog();
    for (
      const agent of ["gastown/refinery", "gastown/polecats/Toast"]
    ) {
      assert(
        log.includes(`Not starting ${agent}: agent command "claude" not found`),
        log.join("\n"),
      );
    }
    assert(
      log.some((l) =>
        l.includes(
          'Error executing lifecycle action: agent command "claude" not found; session gt-gastown-witness left as it is',
        )
      ),
      log.join("\n"),
    );
    // The request was answered, not left to fail again.
    assertEquals(w.mail.deleted, ["hq-msg1"]);
    // The next tick does not repeat the notes.
    await w.tick();
    assertEquals(
      w.takeLog().filter((l) => l.startsWith("Not starting")),
      [],
    );
    // Found again: the agents are started.
    w.missingCommands.delete("claude");
    await w.tick();
    assert(w.tmux.callsOf("newSession").includes("gt-gastown-refinery"));
    assert(w.tmux.callsOf("newSession").includes("gt-gastown-Toast"));
  },
);
