import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  decideDeaconHeartbeat,
  decideWitnesses,
} from "../../src/heartbeat/decide/supervision.ts";
import { decideBoot } from "../../src/heartbeat/decide/boot.ts";
import { decidePolecatHealth } from "../../src/heartbeat/decide/polecats.ts";
import { decideLifecycle } from "../../src/heartbeat/decide/recovery.ts";
import { decidePendingSpawns } from "../../src/heartbeat/decide/spawns.ts";
import { lifecycleSpec } from "../../src/heartbeat/specs.ts";
import { polecatSessionConflict } from "../../src/town/session_claims.ts";
import { parseIdentity } from "../../src/town/identity.ts";
import type { Action, PaneInfo, PaneOwner } from "../../src/heartbeat/types.ts";
import {
  agent,
  ctx,
  logs,
  mail,
  MIN,
  NOW,
  plan,
  session,
  snap,
} from "./snap.ts";

function owned(
  name: string,
  kind: "healthy" | "zombie" | "dead",
  owner: PaneOwner,
): [string, PaneInfo[]] {
  const [n, panes] = session(name, kind);
  return [n, panes.map((p) => ({ ...p, owner }))];
}

function notices(actions: Action[]): string[] {
  return actions.flatMap((a) =>
    a.kind === "log" && a.dedupeKey?.startsWith("foreign-session:")
      ? [a.message]
      : []
  );
}

Deno.test("decide functions leave sessions of other towns and stray untagged ones alone, and log it once", async (t) => {
  const W = "gt-gastown-witness";
  await t.step(
    "Witness: another town's or a stray session is never replaced",
    () => {
      for (const owner of ["other-town", "untagged"] as const) {
        for (const kind of ["zombie", "dead", "healthy"] as const) {
          const s = snap({
            rigs: ["gastown"],
            beadList: [agent(W, { state: "dead", agoMs: 5 * MIN })],
            sessionList: [owned(W, kind, owner)],
          });
          const out = decideWitnesses(s, ctx());
          assertEquals(plan(out), [], `${owner} ${kind}`);
          assertEquals(notices(out).length, 1);
        }
      }
      const other = decideWitnesses(
        snap({
          rigs: ["gastown"],
          sessionList: [owned(W, "zombie", "other-town")],
        }),
        ctx(),
      );
      assertStringIncludes(notices(other)[0]!, "belongs to another town");
    },
  );
  await t.step(
    "Witness: this town's, or untagged inside the town, is replaced",
    () => {
      for (const owner of ["town", "untagged-in-town"] as const) {
        const s = snap({
          rigs: ["gastown"],
          sessionList: [owned(W, "zombie", owner)],
        });
        assertEquals(plan(decideWitnesses(s, ctx())), [`start ${W}`]);
      }
    },
  );
  await t.step(
    "Deacon: a stale heartbeat never nudges or kills another town's Deacon",
    () => {
      for (const age of [15 * MIN, 45 * MIN]) {
        const s = snap({
          deaconHeartbeat: new Date(NOW.getTime() - age),
          sessionList: [owned("gt-deacon", "healthy", "other-town")],
        });
        const out = decideDeaconHeartbeat(s, ctx());
        assertEquals(plan(out), []);
        assertEquals(notices(out).length, 1);
      }
    },
  );
  await t.step(
    "Boot: another town's gt-boot is not replaced, nor its Deacon",
    () => {
      const s = snap({
        sessionList: [
          owned("gt-boot", "zombie", "other-town"),
          owned("gt-deacon", "zombie", "other-town"),
        ],
      });
      const out = decideBoot(s, ctx());
      assertEquals(plan(out), []);
      assertEquals(notices(out).length, 2);
      const degraded = decideBoot({ ...s, degraded: true }, ctx());
      assertEquals(plan(degraded), ["boot-status error"]);
    },
  );
  await t.step(
    "the notice is keyed by the session's lifetime (once per episode)",
    () => {
      const a = notices(decideWitnesses(
        snap({
          rigs: ["gastown"],
          sessionList: [owned(W, "zombie", "other-town")],
        }),
        ctx(),
      ));
      const keyed = decideWitnesses(
        snap({
          rigs: ["gastown"],
          sessionList: [owned(W, "zombie", "other-town")],
        }),
        ctx(),
      ).find((x) => x.kind === "log");
      assert(keyed?.kind === "log");
      assert(keyed.dedupeKey?.startsWith(`foreign-session:${W}:`));
      assertEquals(a.length, 1);
    },
  );
});

Deno.test("decideLifecycle() refuses targets outside this town's rigs, colliding polecats and foreign sessions", () => {
  const s = snap({
    rigs: ["a", "a-b", "gastown"],
    sessionList: [owned("gt-deacon", "healthy", "other-town")],
    mailList: [
      mail("m1", "foreign/witness", { body: "shutdown" }),
      mail("m2", "a/b-x", { body: "shutdown" }),
      mail("m3", "a-b/x", { body: "shutdown" }),
      mail("m4", "deacon", { body: "restart" }),
      mail("m5", "gastown/witness", { body: "cycle" }),
    ],
  });
  const refused = Object.fromEntries(
    decideLifecycle(s, ctx()).flatMap((a) =>
      a.kind === "lifecycle" ? [[a.messageId, a.refused ?? null]] : []
    ),
  );
  assertEquals(refused.m1, 'rig "foreign" is not a rig of this town');
  assertStringIncludes(refused.m2!, "is also polecat a-b/x's");
  assertEquals(refused.m3, null);
  assertEquals(refused.m4, "session gt-deacon is not this town's");
  assertEquals(refused.m5, null);
  // With an unreadable rigs file the request waits instead.
  const later = decideLifecycle(
    { ...s, rigs: [], rigProblems: ["bad rigs.json"] },
    ctx(),
  );
  assertEquals(
    later.filter((a) => a.kind === "lifecycle").map((a) =>
      a.kind === "lifecycle" ? a.messageId : ""
    ),
    ["m4"],
  );
});

Deno.test("decidePendingSpawns() drops spawns of other rigs, colliding polecats and foreign sessions", () => {
  const started = (id: string, what: string, session: string) =>
    mail(id, "x/witness", {
      subject: `POLECAT_STARTED ${what}`,
      body: `Session: ${session}`,
    });
  const s = snap({
    rigs: ["a", "a-b"],
    sessionList: [owned("gt-a-b-y", "healthy", "other-town")],
    pending: [{
      rig: "other",
      polecat: "x",
      session: "gt-other-x",
      issue: "",
      spawned_at: NOW.toISOString(),
      mail_id: "old",
    }],
    mailList: [
      started("m1", "other/x", "gt-other-x"),
      started("m2", "a/b-x", "gt-a-b-x"),
      started("m3", "a-b/x", "gt-a-b-x"),
      started("m4", "a-b/y", "gt-a-b-y"),
    ],
  });
  const out = decidePendingSpawns(s, ctx());
  const p = out.find((a) => a.kind === "pendingSpawns");
  assert(p?.kind === "pendingSpawns");
  assertEquals(p.entries.map((e) => `${e.rig}/${e.polecat}`), ["a-b/x"]);
  assertEquals(p.closeMessageIds, ["m3"]);
  assertEquals(logs(out).length, 4);
});

Deno.test("decidePolecatHealth() restarts one of two polecats that share a session name, and logs the other", () => {
  const s = snap({
    rigs: ["a", "a-b"],
    polecats: new Map([["a", ["b-x"]], ["a-b", ["x"]]]),
    beadList: [
      agent("gt-a-polecat-b-x", { state: "working", hook: "gt-1" }),
      agent("gt-a-b-polecat-x", { state: "working", hook: "gt-2" }),
    ],
  });
  const out = decidePolecatHealth(s, ctx());
  assertEquals(plan(out), ["start gt-a-b-x"]);
  const start = out.find((a) => a.kind === "startSession");
  assert(start?.kind === "startSession");
  assertEquals(start.spec.agent, "a-b/polecats/x");
  assertStringIncludes(
    logs(out).join("\n"),
    "Ignoring polecat a/b-x: its session gt-a-b-x is also polecat a-b/x's",
  );
});

Deno.test("polecatSessionConflict() gives a shared session name to the longest rig, and yields to crew", () => {
  assertEquals(polecatSessionConflict(["a", "a-b"], "a-b", "x"), null);
  assertStringIncludes(
    polecatSessionConflict(["a", "a-b"], "a", "b-x")!,
    "a-b/x",
  );
  assertEquals(polecatSessionConflict(["a"], "a", "b-x"), null);
  assertEquals(polecatSessionConflict(["gastown"], "gastown", "Toast-2"), null);
  assertStringIncludes(
    polecatSessionConflict(["a", "a-crew"], "a-crew", "x")!,
    "a/crew/x",
  );
  assertEquals(polecatSessionConflict(["a-crew"], "a-crew", "x"), null);
});

Deno.test("lifecycleSpec() never lets a role bead pick another session or a directory outside the town", () => {
  const ctxt = { town: "/t", agentArgv: ["/bin/claude"] };
  const who = parseIdentity("gastown/witness")!;
  const role = (o: Record<string, unknown>) => ({
    sessionPattern: "",
    workDirPattern: "",
    needsPreSync: false,
    startCommand: "",
    envVars: {},
    ...o,
  });
  const hostile = lifecycleSpec(
    ctxt,
    who,
    role({
      sessionPattern: "work",
      workDirPattern: "{town}/../etc",
      envVars: { "A B": "x", GOOD: "v;" },
      startCommand: "exec /bin/true",
    }),
  );
  assertEquals(hostile.spec.session, "gt-gastown-witness");
  assertEquals(hostile.spec.workDir, "/t/gastown/witness");
  assertEquals(hostile.spec.command, "exec /bin/true");
  assert(hostile.spec.env.some(([k, v]) => k === "GOOD" && v === "v;"));
  assert(!hostile.spec.env.some(([k]) => k === "A B"));
  assertEquals(hostile.ignored.length, 3);
  for (const dir of ["relative", "/elsewhere", "/t2/x", "/t/a/../../x"]) {
    const r = lifecycleSpec(ctxt, who, role({ workDirPattern: dir }));
    assertEquals(r.spec.workDir, "/t/gastown/witness", dir);
  }
  const fine = lifecycleSpec(
    ctxt,
    who,
    role({
      sessionPattern: "gt-{rig}-witness",
      workDirPattern: "{town}/{rig}/./x/",
    }),
  );
  assertEquals(fine.ignored, []);
  assertEquals(fine.spec.workDir, "/t/gastown/x");
});
