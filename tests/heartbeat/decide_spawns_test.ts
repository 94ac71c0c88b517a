/**
 * Pending spawns leave decide with each session's observed state, so `act`
 * neither lists nor captures panes to decide; it only re-checks a session
 * before typing into it.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { decidePendingSpawns } from "../../src/heartbeat/decide/spawns.ts";
import type { PaneInfo, PendingSpawn } from "../../src/heartbeat/types.ts";
import { ctx, NOW, session, snap } from "./snap.ts";

const entry = (polecat: string): PendingSpawn => ({
  rig: "gastown",
  polecat,
  session: `gt-gastown-${polecat}`,
  issue: "",
  spawned_at: NOW.toISOString(),
  mail_id: `m-${polecat}`,
});

function foreign(name: string): [string, PaneInfo[]] {
  const [n, panes] = session(name, "healthy");
  return [n, panes.map((p) => ({ ...p, owner: "other-town" as const }))];
}

Deno.test("decidePendingSpawns() gives each spawn's session its observed state", () => {
  const pending = ["Ready", "Busy", "Gone", "Theirs"].map(entry);
  const s = snap({
    rigs: ["gastown"],
    pending,
    sessionList: [
      session("gt-gastown-Ready", "healthy"),
      session("gt-gastown-Busy", "healthy"),
      foreign("gt-gastown-Theirs"),
    ],
    spawnScreens: new Map([
      ["gt-gastown-Ready", "Claude Code\n> "],
      ["gt-gastown-Busy", "Thinking…"],
    ]),
  });
  const out = decidePendingSpawns(s, ctx());
  const p = out.find((a) => a.kind === "pendingSpawns");
  assert(p?.kind === "pendingSpawns", JSON.stringify(out));
  // Another town's session: dropped here, never nudged.
  assertEquals(p.entries.map((e) => e.polecat), ["Ready", "Busy", "Gone"]);
  assertEquals(p.sessions, {
    "gt-gastown-Ready": "ready",
    "gt-gastown-Busy": "waiting",
    "gt-gastown-Gone": "gone",
  });
  // tmux unreadable: kept, not nudged.
  const blind = decidePendingSpawns(
    snap({ rigs: ["gastown"], pending: [entry("Ready")], sessions: null }),
    ctx(),
  ).find((a) => a.kind === "pendingSpawns");
  assert(blind?.kind === "pendingSpawns");
  assertEquals(blind.sessions, { "gt-gastown-Ready": "unreadable" });
});
