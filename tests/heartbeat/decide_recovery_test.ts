import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  decideGupp,
  decideLifecycle,
  decideOrphans,
  decideStaleAgents,
  polecatOfBead,
} from "../../src/heartbeat/decide/recovery.ts";
import { decidePendingSpawns } from "../../src/heartbeat/decide/spawns.ts";
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

Deno.test("decideStaleAgents() marks running agents with a 15-min-old bead dead, unless their session is healthy", async (t) => {
  await t.step(
    "candidates: hq-deacon, hq-mayor, each rig's witness and refinery",
    () => {
      const s = snap({
        rigs: ["gastown"],
        beadList: [
          "hq-deacon",
          "hq-mayor",
          "gt-gastown-witness",
          "gt-gastown-refinery",
          "gt-other",
        ].map((id) => agent(id, { state: "running", agoMs: 16 * MIN })),
      });
      assertEquals(plan(decideStaleAgents(s, ctx())), [
        "dead hq-deacon",
        "dead hq-mayor",
        "dead gt-gastown-witness",
        "dead gt-gastown-refinery",
      ]);
    },
  );
  await t.step("10 min old, idle, or a healthy session: not marked", () => {
    const s = snap({
      beadList: [
        agent("hq-mayor", { state: "running", agoMs: 10 * MIN }),
        agent("hq-deacon", { state: "working", agoMs: 20 * MIN }),
      ],
      sessionList: [session("gt-deacon", "healthy")],
    });
    const out = decideStaleAgents(s, ctx());
    assertEquals(plan(out), []);
    assertStringIncludes(
      logs(out).join("\n"),
      "its session gt-deacon is healthy; not marking it dead",
    );
    assertEquals(
      plan(
        decideStaleAgents(
          snap({
            beadList: [agent("hq-mayor", { state: "idle", agoMs: 99 * MIN })],
          }),
          ctx(),
        ),
      ),
      [],
    );
  });
  await t.step("an unparsable updated_at is logged and skipped", () => {
    const out = decideStaleAgents(
      snap({
        beadList: [
          agent("hq-mayor", { state: "running", updatedAt: "yesterday" }),
        ],
      }),
      ctx(),
    );
    assertEquals(plan(out), []);
    assertStringIncludes(
      logs(out)[0]!,
      "Warning: cannot parse updated_at for hq-mayor",
    );
  });
  await t.step("the description written is the reference's", () => {
    const out = decideStaleAgents(
      snap({
        beadList: [agent("hq-mayor", { state: "running", agoMs: 20 * MIN })],
      }),
      ctx(),
    );
    const m = out.find((a) => a.kind === "markDead");
    assert(m?.kind === "markDead");
    assertEquals(
      m.description,
      "role_type: x\nrig: \nagent_state: dead\nhook_bead: \nrole_bead: \n\nMarked dead by daemon at 2026-01-04T20:00:00Z (was running, last update too old)",
    );
    assertEquals(
      logs(out)[0],
      "Agent hq-mayor appears dead (state=running, last update 20m0s ago, timeout 15m0s)",
    );
  });
});

Deno.test("polecatOfBead() matches canonical and legacy polecat ids against the known rigs", () => {
  const rigs = ["gastown", "my-rig", "my"];
  const none = new Map<string, string>();
  assertEquals(polecatOfBead("gt-gastown-polecat-Toast", rigs, none), {
    rig: "gastown",
    name: "Toast",
  });
  assertEquals(polecatOfBead("gt-my-rig-polecat-Max", rigs, none), {
    rig: "my-rig",
    name: "Max",
  });
  assertEquals(polecatOfBead("gt-polecat-my-rig-Max", rigs, none), {
    rig: "my-rig",
    name: "Max",
  });
  assertEquals(polecatOfBead("gt-gastown-witness", rigs, none), null);
  assertEquals(polecatOfBead("hq-deacon", rigs, none), null);
  assertEquals(
    polecatOfBead("ga-gastown-polecat-T", rigs, new Map([["gastown", "ga"]])),
    { rig: "gastown", name: "T" },
  );
});

Deno.test("decideGupp() and decideOrphans() mail the rig's Witness with the reference's texts", async (t) => {
  const rigs = ["gastown", "my-rig"];
  await t.step("GUPP: hooked, working, over 30 min", () => {
    const s = snap({
      rigs,
      beadList: [
        agent("gt-gastown-polecat-Toast", {
          column: "working",
          hook: "gt-abc",
          agoMs: 45 * MIN,
        }),
        agent("gt-gastown-polecat-Nux", {
          column: "working",
          hook: "gt-def",
          agoMs: 30 * MIN,
        }),
        agent("gt-gastown-polecat-Idle", {
          column: "running",
          agoMs: 120 * MIN,
        }),
        agent("gt-gastown-polecat-Done", {
          column: "done",
          hook: "gt-x",
          agoMs: 120 * MIN,
        }),
      ],
    });
    const out = decideGupp(s, ctx());
    assertEquals(plan(out), [
      "mail gastown/witness: GUPP_VIOLATION: gt-gastown-polecat-Toast stuck for 45m0s",
    ]);
    const m = out.find((a) => a.kind === "sendMail");
    assert(m?.kind === "sendMail");
    assertEquals(
      m.body,
      "Agent gt-gastown-polecat-Toast has work on hook but isn't progressing.\n\nhook_bead: gt-abc\nstuck_duration: 45m0s\n\nAction needed: Check if agent is alive and responsive. Consider restarting if stuck.",
    );
    assertEquals(m.dedupeKey, "gupp:gt-gastown-polecat-Toast:gt-abc");
  });
  await t.step("orphans: dead (column or description) with hooked work", () => {
    const s = snap({
      rigs,
      beadList: [
        agent("gt-my-rig-polecat-Max", { column: "dead", hook: "gt-ghi" }),
        agent("gt-gastown-polecat-Desc", {
          state: "dead",
          column: "working",
          hook: "gt-jkl",
        }),
        agent("gt-gastown-polecat-Gone", { column: "dead" }),
        agent("hq-deacon", { column: "dead", hook: "gt-zzz" }),
      ],
    });
    const out = decideOrphans(s, ctx());
    assertEquals(plan(out), [
      "mail my-rig/witness: ORPHANED_WORK: gt-my-rig-polecat-Max has hooked work but is dead",
      "mail gastown/witness: ORPHANED_WORK: gt-gastown-polecat-Desc has hooked work but is dead",
    ]);
    assertStringIncludes(
      logs(out).join("\n"),
      "Orphaned work detected: agent hq-deacon is dead but has hook_bead=gt-zzz",
    );
  });
});

Deno.test("decideLifecycle() claims fresh requests once per agent and drops stale and superseded ones", async (t) => {
  await t.step("a fresh request becomes one lifecycle action", () => {
    assertEquals(
      plan(
        decideLifecycle(
          snap({
            rigs: ["gastown"],
            mailList: [mail("m1", "gastown/witness")],
          }),
          ctx(),
        ),
      ),
      [
        "cycle gastown/witness",
      ],
    );
  });
  await t.step("older than 6 h: deleted unexecuted; 5 h 59 m: executed", () => {
    const out = decideLifecycle(
      snap({
        rigs: ["gastown"],
        mailList: [
          mail("old", "gastown/witness", { agoMs: 7 * 60 * MIN }),
          mail("ok", "gastown/refinery", { agoMs: 359 * MIN }),
        ],
      }),
      ctx(),
    );
    assertEquals(plan(out), ["delete old", "cycle gastown/refinery"]);
    assertStringIncludes(
      logs(out).join("\n"),
      "Ignoring stale lifecycle request from gastown/witness (age: 7h0m0s, max: 6h0m0s) - deleting",
    );
  });
  await t.step(
    "read, non-lifecycle and unparsable messages are left alone",
    () => {
      const out = decideLifecycle(
        snap({
          rigs: ["gastown"],
          mailList: [
            mail("r", "gastown/witness", { read: true }),
            mail("n", "mayor/", { subject: "Regular message" }),
            mail("x", "mayor/", { body: "explode" }),
            mail("y", "mayor/", { body: '{"action":"explode"}' }),
          ],
        }),
        ctx(),
      );
      assertEquals(plan(out), []);
      assertEquals(logs(out), [
        'Lifecycle request with unparseable body: "explode"',
        'Unknown lifecycle action: "explode"',
      ]);
    },
  );
  await t.step(
    "two requests for one agent, in address and legacy form: one action, one deletion",
    () => {
      const out = decideLifecycle(
        snap({
          rigs: ["gastown"],
          mailList: [
            mail("a", "gastown/witness"),
            mail("b", "gastown-witness", { body: "restart" }),
          ],
        }),
        ctx(),
      );
      assertEquals(plan(out), ["cycle gastown/witness", "delete b"]);
    },
  );
  await t.step(
    "a request sent before the last one was carried out is superseded",
    () => {
      const out = decideLifecycle(
        snap({
          rigs: ["gastown"],
          mailList: [mail("a", "gastown/witness", { agoMs: 5 * MIN })],
        }),
        ctx({ lifecycleDoneAt: () => NOW.getTime() - MIN }),
      );
      assertEquals(plan(out), ["delete a"]);
    },
  );
  await t.step(
    "an unknown sender is still claimed (act replies with the reason)",
    () => {
      assertEquals(
        plan(
          decideLifecycle(
            snap({ rigs: ["gastown"], mailList: [mail("u", "stranger")] }),
            ctx(),
          ),
        ),
        ["cycle stranger"],
      );
    },
  );
  await t.step("at most 50 deletions a pass", () => {
    const flood = Array.from(
      { length: 120 },
      (_, i) => mail(`m${i}`, "gastown/witness", { agoMs: i }),
    );
    const out = decideLifecycle(
      snap({ rigs: ["gastown"], mailList: flood }),
      ctx(),
    );
    assertEquals(plan(out).filter((p) => p.startsWith("delete")).length, 50);
    assertEquals(plan(out).filter((p) => p.startsWith("cycle")).length, 1);
    assertStringIncludes(
      logs(out).at(-1)!,
      "Leaving 69 superseded lifecycle request(s) for the next pass",
    );
  });
});

Deno.test("decidePendingSpawns() records new POLECAT_STARTED mail once and ignores malformed ones", () => {
  const started = (id: string, subject: string, body: string) =>
    mail(id, "gastown/witness", { subject, body });
  const s = snap({
    rigs: ["gastown"],
    pending: [{
      rig: "gastown",
      polecat: "Old",
      session: "gt-gastown-Old",
      issue: "",
      spawned_at: NOW.toISOString(),
      mail_id: "m0",
    }],
    mailList: [
      started("m0", "POLECAT_STARTED gastown/Old", "Session: gt-gastown-Old"),
      started(
        "m1",
        "POLECAT_STARTED gastown/Toast",
        "Session: gt-gastown-Toast\nIssue: gt-t",
      ),
      started("m2", "POLECAT_STARTED malformed", ""),
      started("m3", "POLECAT_STARTED gastown/Evil", "Session: gt-x; rm -rf /"),
      started("m4", "HEALTH_CHECK gastown/Toast", ""),
    ],
  });
  const out = decidePendingSpawns(s, ctx());
  const p = out.find((a) => a.kind === "pendingSpawns");
  assert(p?.kind === "pendingSpawns");
  assertEquals(p.closeMessageIds, ["m1"]);
  assertEquals(p.entries.map((e) => e.polecat), ["Old", "Toast"]);
  assertEquals(logs(out).length, 2);
  assertEquals(plan(decidePendingSpawns(snap(), ctx())), []);
});

Deno.test("decideLifecycle() counts unknown senders against the pass's budget", () => {
  const flood = Array.from(
    { length: 80 },
    (_, i) => mail(`u${i}`, `stranger${i}`),
  );
  const out = decideLifecycle(snap({ mailList: flood }), ctx());
  assertEquals(plan(out).length, 50);
  assertStringIncludes(
    logs(out).at(-1)!,
    "Leaving 30 superseded lifecycle request(s)",
  );
});
