/**
 * A crash-event pass reuses the last bead listing: it lists no database,
 * reads the dead polecat's bead afresh with `bd show`, and restarts it; a
 * dead polecat missing from that listing makes it list again. The beads of
 * sessions named by crash events are read while tmux is still listing.
 *
 * @module
 */

import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import { earlyShows } from "../../src/heartbeat/observe_beads.ts";
import { RECOVERY_CHECKS } from "../../src/heartbeat/checks.ts";
import type { AgentBead } from "../../src/heartbeat/types.ts";
import { worldTest } from "../fakes/tick_world.ts";

worldTest(
  "a crash pass on an earlier listing lists nothing, shows the dead polecat's bead and restarts it",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/polecats/Toast");
    for (const s of ["witness", "refinery", "Toast"]) {
      w.tmux.add(`gt-gastown-${s}`);
    }
    w.beads.raw = [
      ...w.rigBeads("gastown"),
      w.workingPolecat("gastown", "Toast"),
    ];
    const kept: ReadonlyMap<string, AgentBead>[] = [];
    await w.tick({ scope: { onListed: (b) => kept.push(b) } });
    // One `bd list` per beads database.
    const perPass = w.beads.lists;
    assert(perPass >= 1);
    assertEquals(kept.length, 1, `onListed ${kept.length}`);
    assert(kept[0]!.has("gt-gastown-polecat-Toast"));
    // As a real `bd list` prints them: without the hook and state columns.
    const listed = new Map<string, AgentBead>(
      [...kept[0]!].map((
        [id, b],
      ) => [id, { ...b, hookBead: "", agentState: "" }]),
    );
    w.tmux.sessions.delete("gt-gastown-Toast");
    w.beads.shown.length = 0;
    w.takeLog();
    await w.tick({
      checks: RECOVERY_CHECKS,
      scope: { mail: false, listed, died: ["gt-gastown-Toast"] },
    });
    assertEquals(w.beads.lists, perPass, "lists");
    assertEquals(w.beads.shown, ["gt-gastown-polecat-Toast"], "shown");
    assertEquals(w.tmux.callsOf("newSession"), ["gt-gastown-Toast"]);

    // Nux was added after that listing, with hooked work; no session yet.
    await w.dirs("gastown/polecats/Nux");
    w.beads.raw.push(w.workingPolecat("gastown", "Nux"));
    let relisted = 0;
    await w.tick({
      checks: RECOVERY_CHECKS,
      scope: { mail: false, listed, onListed: () => relisted++ },
    });
    assertEquals([w.beads.lists, relisted], [2 * perPass, 1]);
    assertEquals(w.tmux.callsOf("newSession"), [
      "gt-gastown-Toast",
      "gt-gastown-Nux",
    ]);
  },
);

worldTest(
  "earlyShows() starts the dead polecats' bd show at once and hands each result over once",
  { rigs: ["gastown"] },
  async (w) => {
    const toast = w.workingPolecat("gastown", "Toast");
    const nux = w.workingPolecat("gastown", "Nux");
    w.beads.raw = [toast, nux];
    const listed = new Map(
      (await w.beads.listAgents()).map((b) => [b.id, { ...b, db: "/db" }]),
    );
    const calls: string[] = [];
    const port = {
      show: (id: string, db?: string) => {
        calls.push(`${id}@${db}`);
        return id.endsWith("Nux")
          ? Promise.reject(new Error("bd broke"))
          : w.beads.show(id);
      },
    };
    const shows = earlyShows(
      listed,
      ["gt-gastown-Toast", "gt-gastown-Nux", "gt-other-x"],
      port,
    );
    // Started before anyone asked, in each bead's own database.
    assertEquals(calls, [
      "gt-gastown-polecat-Toast@/db",
      "gt-gastown-polecat-Nux@/db",
    ]);
    assertEquals(
      (await shows.show("gt-gastown-polecat-Toast"))?.hookBead,
      "gt-abc",
    );
    await assertRejects(
      () => shows.show("gt-gastown-polecat-Nux"),
      Error,
      "bd broke",
    );
    assertEquals(calls.length, 2);
    await shows.show("gt-gastown-witness");
    assertEquals(calls[2], "gt-gastown-witness@undefined");
  },
);
