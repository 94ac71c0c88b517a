/**
 * Hostile names: rig names, polecat directories, bead ids and hook values
 * carrying `../`, `/`, `;`, `$(…)`, backticks, quotes, newlines, spaces,
 * tmux target syntax (`:`, `.`, `=`, `#(…)`), very long strings and
 * non-ASCII text are rejected or quoted: the canary file never appears, no
 * agent runs outside the town, decoy sessions keep their ids. And a flood of
 * 1,000 lifecycle requests for one agent plans one action for it.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { bead, Harness, message } from "../helpers/harness.ts";
import { linesWith } from "./support.ts";
import {
  canaryGone,
  INJECTIONS,
  logIsClean,
  ODD_NAMES,
  sameIds,
  TOUCH,
} from "./hostile_payloads.ts";
import { MAX_DELETES_PER_PASS } from "../../src/heartbeat/decide/recovery.ts";

const MIN = 60_000;

Deno.test("hostile rig names, polecat directories, bead ids and hook values never reach a shell, a path outside the town or another session", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    const town = h.town;
    const badRigs = [
      ...INJECTIONS,
      ...ODD_NAMES,
      "",
      "../escape",
      "a/b",
      "x".repeat(10_000),
    ];
    const rigs: Record<string, unknown> = { alpha: {} };
    for (const r of badRigs) rigs[r] = {};
    await Deno.writeTextFile(
      `${town}/mayor/rigs.json`,
      JSON.stringify({ version: 1, rigs }),
    );
    await Deno.mkdir(`${town}/alpha/witness`, { recursive: true });
    const badDirs = [...INJECTIONS, ...ODD_NAMES].filter((n) =>
      !n.includes("/")
    );
    for (const n of [...badDirs, "Toast"]) {
      await Deno.mkdir(`${town}/alpha/polecats/${n}`, { recursive: true });
    }
    // A polecat directory that is a symlink out of the town.
    await Deno.mkdir(`${h.t.root}/outside`);
    await Deno.symlink(`${h.t.root}/outside`, `${town}/alpha/polecats/Outside`);
    const decoys = [
      "gt-alpha-Toast2",
      "gt-alpha-Toast-old",
      "gt-alpha-witness2",
      "gt-deacon-boot",
      "gt-alpha",
    ];
    for (const d of decoys) await h.healthySession(d);
    const beads = [
      bead({
        id: "gt-alpha-polecat-Toast",
        role: "polecat",
        rig: "alpha",
        state: "working",
        hook: "gt-1",
      }),
      bead({
        id: "gt-alpha-polecat-Outside",
        role: "polecat",
        rig: "alpha",
        state: "working",
        hook: "gt-2",
      }),
      // The hook column is copied into the description the daemon writes.
      {
        ...bead({
          id: "hq-deacon",
          role: "deacon",
          state: "running",
          updatedAgoMs: 20 * MIN,
        }),
        hook_bead: "gt-3\nagent_state: running\nrole_type: mayor",
      },
      ...[...badDirs, "../escape", "x".repeat(300)].map((n) =>
        bead({
          id: `gt-alpha-polecat-${n}`,
          role: "polecat",
          rig: "alpha",
          state: "working",
          hook: `$(${TOUCH})`,
        })
      ),
    ];
    await h.setBeads(beads);
    const before = await h.sessions();
    await h.heartbeat();
    canaryGone(h);
    const after = await h.sessions();
    sameIds(before, after, [...decoys, "keepalive"]);
    const created = [...after.keys()].filter((n) => !before.has(n)).sort();
    assertEquals(created, [
      "gt-alpha-Toast",
      "gt-alpha-refinery",
      "gt-alpha-witness",
    ]);
    for (const a of await h.agents()) {
      assert(
        a.cwd === town || String(a.cwd).startsWith(`${town}/`),
        `agent started outside the town: ${a.cwd}`,
      );
    }
    const log = await h.log();
    logIsClean(log);
    assertEquals(
      linesWith(log, "Ignored a rig in rigs.json").length,
      badRigs.length,
      log,
    );
    assertEquals(
      linesWith(log, "Ignoring polecat directory in rig").length,
      badDirs.length,
      log,
    );
    // The description written for the stale Deacon has one state line.
    const update = (await h.calls()).find((c) =>
      c.prog === "bd" && (c.argv as string[])[0] === "update"
    );
    assert(update, "hq-deacon was not marked dead");
    const desc = String((update.argv as string[])[3]).split("\n");
    assertEquals(desc.filter((l) => /^agent_state:/.test(l)), [
      "agent_state: dead",
    ]);
    assertEquals(desc.filter((l) => /^role_type:/.test(l)), [
      "role_type: deacon",
    ]);
    // Hostile bead ids never reached bd or gt as arguments.
    const hostileIds = new Set(
      beads.map((b) => String(b.id)).filter((id) => !/^[\w-]+$/.test(id)),
    );
    for (const c of await h.calls()) {
      for (const arg of c.argv as string[]) {
        assert(!hostileIds.has(arg), `${c.prog} got ${JSON.stringify(arg)}`);
      }
    }
  } finally {
    await h.close();
  }
});

Deno.test("a flood of 1,000 requests for one agent under every alias plans one action for it and a bounded number of deletions", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    const aliases = ["alpha/witness", "alpha-witness", "alpha/witness/"];
    await h.setInbox(
      Array.from({ length: 1000 }, (_, i) =>
        message({
          id: `hq-f${i}`,
          from: aliases[i % aliases.length]!,
          agoMs: 1000 + i,
        })),
    );
    const r = await h.cli(["heartbeat", "--once", "--dry-run", "--json"]);
    assertEquals(r.code, 0, r.stderr);
    const plan: { check: string; actions: { kind: string }[] }[] =
      JSON.parse(r.stdout).checks;
    const actions = plan.find((c) => c.check === "lifecycle")!.actions;
    const kinds = new Map<string, number>();
    for (const a of actions) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
    assertEquals(kinds.get("lifecycle"), 1);
    assert(
      (kinds.get("deleteMail") ?? 0) <= MAX_DELETES_PER_PASS,
      JSON.stringify([...kinds]),
    );
    assertEquals(
      [...kinds.keys()].filter((k) =>
        !["log", "lifecycle", "deleteMail"].includes(k)
      ),
      [],
    );
    // A dry run does nothing.
    assertEquals(
      (await h.calls()).filter((c) =>
        (c.argv as string[])[1] !== "inbox" && c.prog === "gt"
      ),
      [],
    );
  } finally {
    await h.close();
  }
});
