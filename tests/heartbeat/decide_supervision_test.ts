import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  decideDeaconHeartbeat,
  decideWitnesses,
  ensureDeacon,
} from "../../src/heartbeat/decide/supervision.ts";
import { decideBoot } from "../../src/heartbeat/decide/boot.ts";
import { decidePolecatHealth } from "../../src/heartbeat/decide/polecats.ts";
import { agent, ctx, logs, MIN, NOW, plan, session, snap } from "./snap.ts";

Deno.test("ensure-running decides every row of the reference table (Witness)", async (t) => {
  const W = "gt-gastown-witness";
  type Row = [
    string,
    string | null,
    "healthy" | "zombie" | "dead" | null,
    string[],
  ];
  // [case, bead state (null: no bead), session, expected actions]
  const rows: Row[] = [
    ["running bead, healthy session: nothing", "running", "healthy", []],
    ["working bead, healthy session: nothing", "working", "healthy", []],
    [
      "running bead, no session: start (the reference trusted the bead)",
      "running",
      null,
      [`start ${W}`],
    ],
    ["running bead, zombie: replace", "running", "zombie", [`start ${W}`]],
    ["dead bead, healthy older session: kill then start", "dead", "healthy", [
      `restart ${W}`,
    ]],
    ["dead bead, zombie: kill then start", "dead", "zombie", [`restart ${W}`]],
    ["dead bead, no session: start", "dead", null, [`start ${W}`]],
    [
      "idle bead, healthy session: nothing (logged healthy)",
      "idle",
      "healthy",
      [],
    ],
    ["idle bead, zombie: start (the zombie is replaced)", "idle", "zombie", [
      `start ${W}`,
    ]],
    ["idle bead, dead pane: start", "idle", "dead", [`start ${W}`]],
    ["idle bead, no session: start", "idle", null, [`start ${W}`]],
    ["no bead, healthy session: nothing", null, "healthy", []],
    ["no bead, zombie: start", null, "zombie", [`start ${W}`]],
    ["no bead, no session: start", null, null, [`start ${W}`]],
  ];
  for (const [name, state, sess, want] of rows) {
    await t.step(name, () => {
      const s = snap({
        rigs: ["gastown"],
        beadList: state === null ? [] : [agent(W, { state, agoMs: 5 * MIN })],
        sessionList: sess === null ? [] : [session(W, sess)],
      });
      assertEquals(plan(decideWitnesses(s, ctx())), want);
    });
  }
  await t.step("tmux unreadable: nothing (never kill or start blind)", () => {
    const s = snap({
      rigs: ["gastown"],
      sessions: null,
      tmuxError: "tmux: hung",
    });
    assertEquals(plan(decideWitnesses(s, ctx())), []);
  });
  await t.step("bd unreadable: a missing session is still started", () => {
    const s = snap({
      rigs: ["gastown"],
      beads: null,
      beadsError: "bd: garbage",
    });
    assertEquals(plan(decideWitnesses(s, ctx())), [`start ${W}`]);
  });
  await t.step(
    "dead bead, healthy session started after the marking: nothing (no restart loop)",
    () => {
      const s = snap({
        rigs: ["gastown"],
        beadList: [agent(W, { state: "dead", agoMs: 10 * MIN })],
        sessionList: [session(W, "healthy", 2 * MIN)],
      });
      assertEquals(plan(decideWitnesses(s, ctx())), []);
    },
  );
  await t.step("backoff holds a restart back and says so", () => {
    const s = snap({ rigs: ["gastown"] });
    const out = decideWitnesses(
      s,
      ctx({
        backoff: () => ({
          allowed: false,
          waitMs: 4000,
          crashLoop: true,
          restarts: 6,
        }),
      }),
    );
    assertEquals(plan(out), []);
    assertStringIncludes(
      logs(out).join("\n"),
      "Not restarting gastown/witness yet: backing off 4s after 6 restart(s) (crash loop)",
    );
  });
  await t.step("the log texts are the reference's", () => {
    const s = snap({
      rigs: ["gastown"],
      beadList: [agent(W, { state: "dead" })],
      sessionList: [session(W, "healthy")],
    });
    assertEquals(logs(decideWitnesses(s, ctx())), [
      "Witness for gastown is marked dead (circuit breaker triggered), forcing restart...",
      "Witness for gastown not running per agent bead, starting...",
    ]);
  });
});

Deno.test("ensureDeacon() reads the hq-deacon bead and starts gt-deacon in <town>/deacon", () => {
  const s = snap({ beadList: [agent("gt-deacon", { state: "dead" })] });
  const out = ensureDeacon(s, ctx());
  assertEquals(plan(out), ["start gt-deacon"]);
  const a = out.find((x) => x.kind === "startSession");
  assertEquals(a?.kind === "startSession" ? a.spec.workDir : "", "/t/deacon");
  const dead = snap({
    beadList: [agent("hq-deacon", { state: "dead" })],
    sessionList: [session("gt-deacon", "healthy")],
  });
  assertEquals(plan(ensureDeacon(dead, ctx())), ["restart gt-deacon"]);
});

Deno.test("decideBoot() follows the marker, degraded mode and a live Boot", async (t) => {
  await t.step("a fresh marker: skip Boot and the Deacon", () => {
    const out = decideBoot(
      snap({ bootMarkerMtimeMs: NOW.getTime() - MIN }),
      ctx(),
    );
    assertEquals(plan(out), []);
    assertEquals(logs(out), ["Boot already running, skipping spawn"]);
  });
  await t.step("a stale marker: spawn Boot and ensure the Deacon", () => {
    const out = decideBoot(
      snap({ bootMarkerMtimeMs: NOW.getTime() - 6 * MIN }),
      ctx(),
    );
    assertEquals(plan(out), ["start gt-boot", "start gt-deacon"]);
  });
  await t.step("a live Boot younger than 5 min is not respawned", () => {
    const s = snap({
      sessionList: [
        session("gt-boot", "healthy", MIN),
        session("gt-deacon", "healthy"),
      ],
    });
    assertEquals(plan(decideBoot(s, ctx())), []);
  });
  await t.step("an older Boot is replaced", () => {
    const s = snap({
      sessionList: [
        session("gt-boot", "healthy", 10 * MIN),
        session("gt-deacon", "healthy"),
      ],
    });
    assertEquals(plan(decideBoot(s, ctx())), ["restart gt-boot"]);
  });
  await t.step("degraded, no Deacon: start it and record start/deacon", () => {
    const out = decideBoot(snap({ degraded: true }), ctx());
    assertEquals(plan(out), ["start gt-deacon", "boot-status start"]);
    assertEquals(logs(out)[0], "Degraded mode: running mechanical Boot triage");
    assertEquals(logs(out)[1], "Deacon not running, starting...");
    // The status reports the outcome of that start.
    const status = out.find((a) => a.kind === "bootStatus");
    assertEquals(status?.kind === "bootStatus" && status.startOf, "deacon");
  });
  await t.step(
    "degraded without tmux: nothing started, and nothing claimed",
    () => {
      const out = decideBoot(
        snap({ degraded: true, tmuxAvailable: false, sessions: null }),
        ctx(),
      );
      assertEquals(plan(out), ["boot-status error"]);
      assert(!logs(out).some((l) => l.includes("starting")), logs(out).join());
      const status = out.find((a) => a.kind === "bootStatus");
      assert(status?.kind === "bootStatus");
      assertEquals(status.status.target, undefined);
      assertStringIncludes(status.status.error ?? "", "tmux is not available");
    },
  );
  await t.step(
    "degraded, Deacon start held back by backoff: record nothing",
    () => {
      const out = decideBoot(
        snap({ degraded: true }),
        ctx({
          backoff: () => ({
            allowed: false,
            waitMs: 4000,
            crashLoop: false,
            restarts: 3,
          }),
        }),
      );
      assertEquals(plan(out), ["boot-status nothing"]);
      assert(!logs(out).includes("Deacon not running, starting..."));
    },
  );
  await t.step("degraded, Deacon healthy: record nothing", () => {
    const out = decideBoot(
      snap({ degraded: true, sessionList: [session("gt-deacon", "healthy")] }),
      ctx(),
    );
    assertEquals(plan(out), ["boot-status nothing"]);
  });
  await t.step("degraded, tmux unreadable: record the error", () => {
    const out = decideBoot(
      snap({ degraded: true, sessions: null, tmuxError: "tmux: boom" }),
      ctx(),
    );
    assertEquals(plan(out), ["boot-status error"]);
  });
});

Deno.test("decideDeaconHeartbeat() nudges from 10 min, restarts after 30 min", async (t) => {
  const hb = (ago: number) => new Date(NOW.getTime() - ago);
  const healthy = [session("gt-deacon", "healthy")];
  const cases: [string, number | null, boolean, string[]][] = [
    ["no heartbeat file: nothing", null, true, []],
    ["5 min: nothing", 5 * MIN, true, []],
    ["10 min: nudge", 10 * MIN, true, ["nudge gt-deacon"]],
    ["29 min: nudge", 29 * MIN, true, ["nudge gt-deacon"]],
    ["35 min: kill and restart", 35 * MIN, true, ["restart gt-deacon"]],
    ["35 min, no session: nothing", 35 * MIN, false, []],
  ];
  for (const [name, ago, withSession, want] of cases) {
    await t.step(name, () => {
      const s = snap({
        deaconHeartbeat: ago === null ? null : hb(ago),
        sessionList: withSession ? healthy : [],
      });
      assertEquals(plan(decideDeaconHeartbeat(s, ctx())), want);
    });
  }
  await t.step("35 min, but the daemon restarted it 5 min ago: wait", () => {
    const s = snap({ deaconHeartbeat: hb(35 * MIN), sessionList: healthy });
    const out = decideDeaconHeartbeat(
      s,
      ctx({ lastRestart: () => NOW.getTime() - 5 * MIN }),
    );
    assertEquals(plan(out), []);
    assertStringIncludes(
      logs(out).join("\n"),
      "waiting for its first heartbeat",
    );
  });
  await t.step("log texts use Go durations", () => {
    const out = decideDeaconHeartbeat(
      snap({ deaconHeartbeat: hb(20 * MIN), sessionList: healthy }),
      ctx(),
    );
    assertEquals(logs(out), [
      "Deacon heartbeat is stale (20m0s old), checking session...",
      "Deacon stuck for 20m0s - nudging session",
    ]);
  });
});

Deno.test("decidePolecatHealth() restarts only crashed polecats with hooked work", async (t) => {
  const base = {
    rigs: ["gastown"],
    polecats: new Map([["gastown", ["Toast"]]]),
  };
  const id = "gt-gastown-polecat-Toast";
  const cases: [
    string,
    ReturnType<typeof agent> | null,
    "healthy" | "zombie" | "dead" | null,
    string[],
  ][] = [
    [
      "healthy session: nothing",
      agent(id, { state: "working", hook: "gt-abc" }),
      "healthy",
      [],
    ],
    [
      "no session, hooked work: start",
      agent(id, { state: "working", hook: "gt-abc" }),
      null,
      ["start gt-gastown-Toast"],
    ],
    [
      "zombie, hooked work: replace",
      agent(id, { state: "working", hook: "gt-abc" }),
      "zombie",
      ["restart gt-gastown-Toast"],
    ],
    [
      "dead pane, hooked work: replace",
      agent(id, { state: "working", hook: "gt-abc" }),
      "dead",
      ["restart gt-gastown-Toast"],
    ],
    ["no hooked work: nothing", agent(id, { state: "working" }), null, []],
    ["no bead: nothing", null, null, []],
    [
      "done: not resurrected",
      agent(id, { state: "done", hook: "gt-abc" }),
      null,
      [],
    ],
    [
      "nuked: not resurrected",
      agent(id, { state: "nuked", hook: "gt-abc" }),
      null,
      [],
    ],
    [
      "spawning 1 min ago: left alone",
      agent(id, { state: "spawning", hook: "gt-abc", agoMs: MIN }),
      null,
      [],
    ],
    [
      "spawning 10 min ago: restarted",
      agent(id, { state: "spawning", hook: "gt-abc", agoMs: 10 * MIN }),
      null,
      [
        "start gt-gastown-Toast",
      ],
    ],
  ];
  for (const [name, b, sess, want] of cases) {
    await t.step(name, () => {
      const s = snap({
        ...base,
        beadList: b ? [b] : [],
        sessionList: sess ? [session("gt-gastown-Toast", sess)] : [],
      });
      assertEquals(plan(decidePolecatHealth(s, ctx())), want);
    });
  }
  await t.step(
    "a failed restart mails the Witness the reference's CRASHED_POLECAT text",
    () => {
      const s = snap({
        ...base,
        beadList: [agent(id, { state: "working", hook: "gt-abc" })],
      });
      const a = decidePolecatHealth(s, ctx()).find((x) =>
        x.kind === "startSession"
      );
      assertEquals(a?.kind === "startSession" ? a.failureMail : null, {
        to: "gastown/witness",
        subject: "CRASHED_POLECAT: gastown/Toast restart failed",
        body:
          "Polecat Toast crashed and automatic restart failed.\n\nhook_bead: gt-abc\nrestart_error: {err}\n\nManual intervention may be required.",
      });
    },
  );
  await t.step("a custom bead prefix from routes is used", () => {
    const s = snap({
      ...base,
      rigPrefixes: new Map([["gastown", "ga"]]),
      beadList: [
        agent("ga-gastown-polecat-Toast", { state: "working", hook: "ga-1" }),
      ],
    });
    assertEquals(plan(decidePolecatHealth(s, ctx())), [
      "start gt-gastown-Toast",
    ]);
  });
  await t.step("bd unreadable: nothing (hooks unknown)", () => {
    assertEquals(
      plan(decidePolecatHealth(snap({ ...base, beads: null }), ctx())),
      [],
    );
  });
});
