/**
 * Whole ticks in one process: a town on disk, in-process tmux, `bd`,
 * `gt mail`, runner and clock. Each case sets up the world, runs one or
 * more ticks (observe → decide → act) and checks what was done and logged:
 * the recovery scenarios of the end-to-end suite, without processes.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  assertLogHas,
  CRASH_RESTART_LINES,
  PENDING_SPAWN_LINES,
} from "../helpers/scenario_logs.ts";
import {
  HEARTBEAT_CHECKS,
  RECOVERY_CHECKS,
} from "../../src/heartbeat/checks.ts";
import { worldTest } from "../fakes/tick_world.ts";

const MIN = 60_000;

function count(lines: string[], text: string): number {
  return lines.filter((l) => l.includes(text)).length;
}

worldTest(
  "runTick() starts a Witness and a Refinery for every rig, in their directories, and leaves them alone next time",
  { rigs: ["alpha", "beta"] },
  async (w) => {
    await w.dirs("alpha/witness", "alpha/refinery/rig", "beta");
    await w.tick();
    const made = w.tmux.callsOf("newSession");
    assertEquals(made.sort(), [
      "gt-alpha-refinery",
      "gt-alpha-witness",
      "gt-beta-refinery",
      "gt-beta-witness",
    ]);
    const opts = (s: string) => w.tmux.sessions.get(s)?.created;
    assertEquals(opts("gt-alpha-witness")?.dir, `${w.town}/alpha/witness`);
    assertEquals(
      opts("gt-alpha-refinery")?.dir,
      `${w.town}/alpha/refinery/rig`,
    );
    // No refinery/rig in beta: the rig root.
    assertEquals(opts("gt-beta-refinery")?.dir, `${w.town}/beta`);
    const env = new Map(opts("gt-alpha-witness")?.env ?? []);
    assertEquals(env.get("GT_ROLE"), "witness");
    assertEquals(env.get("BD_ACTOR"), "alpha/witness");
    assertEquals(
      new Map(opts("gt-alpha-refinery")?.env ?? []).get("BEADS_DIR"),
      `${w.town}/alpha/mayor/rig/.beads`,
    );
    assertEquals(opts("gt-alpha-witness")?.remainOnExit, true);
    assert(opts("gt-alpha-witness")?.paneDiedHook?.includes("pane-died."));
    assertEquals(w.tmux.callsOf("waitForAgent").length, 4);
    const log = w.takeLog();
    assert(
      log.includes("Witness for alpha not running per agent bead, starting..."),
      log.join("\n"),
    );
    assert(log.includes("Refinery session for beta started successfully"));
    assertEquals(w.backoff.lastRestart("alpha/witness"), w.clock.now());
    // The next tick finds them healthy.
    await w.tick();
    assertEquals(w.tmux.callsOf("newSession").length, 4);
    assertEquals(w.tmux.callsOf("killSession"), []);
  },
);

worldTest(
  "runTick() restarts a killed polecat with hooked work, leaves one without work alone, and holds a quick second death back until its backoff ends",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/polecats/Toast", "gastown/polecats/Idle");
    w.beads.raw = [
      ...w.runningRig("gastown"),
      w.workingPolecat("gastown", "Toast"),
      w.bead({
        id: "gt-gastown-polecat-Idle",
        role: "polecat",
        rig: "gastown",
        state: "idle",
      }),
    ];
    await w.tick();
    assertEquals(w.tmux.callsOf("newSession"), ["gt-gastown-Toast"]);
    const log = w.takeLog().join("\n");
    assertLogHas(log, CRASH_RESTART_LINES);
    assertEquals(w.mail.sent, []);
    // A crash restart does not pre-sync the worktree.
    assertEquals(w.runner.calls, []);
    assertEquals(
      w.tmux.sessions.get("gt-gastown-Toast")?.created?.dir,
      `${w.town}/gastown/polecats/Toast`,
    );

    // Killed again at once: inside the 1 s backoff, it waits.
    w.tmux.sessions.delete("gt-gastown-Toast");
    await w.tick({ checks: RECOVERY_CHECKS, scope: { mail: false } });
    assertEquals(w.tmux.callsOf("newSession").length, 1);
    assertStringIncludes(w.takeLog().join("\n"), "Not restarting");
    // Once the backoff has run out, the next pass restarts it.
    await w.clock.advance(1_100);
    await w.tick({ checks: RECOVERY_CHECKS, scope: { mail: false } });
    assertEquals(w.tmux.callsOf("newSession"), [
      "gt-gastown-Toast",
      "gt-gastown-Toast",
    ]);
    assertEquals(w.backoff.toJSON()["gastown/polecats/Toast"]?.restarts, 1);
    w.takeLog();
    // After a healthy run (over the minimum uptime) a death is restarted at
    // once and forgets the quick one.
    await w.clock.advance(11_000);
    w.tmux.sessions.delete("gt-gastown-Toast");
    await w.tick({ checks: RECOVERY_CHECKS, scope: { mail: false } });
    assertEquals(w.tmux.callsOf("newSession").length, 3);
    assert(!w.takeLog().some((l) => l.includes("Not restarting")));
    assertEquals(w.backoff.toJSON()["gastown/polecats/Toast"]?.restarts, 0);
  },
);

worldTest(
  "runTick() leaves a healthy session with a stale bead alone and replaces a zombie",
  { rigs: ["charlie", "delta"] },
  async (w) => {
    w.tmux.add("gt-charlie-witness");
    w.tmux.add("gt-delta-witness", { command: "bash" });
    w.tmux.add("gt-charlie-refinery");
    w.tmux.add("gt-delta-refinery");
    w.beads.raw = [
      w.bead({
        id: "gt-charlie-witness",
        role: "witness",
        rig: "charlie",
        state: "idle",
        updatedAgoMs: 60 * MIN,
      }),
      w.bead({
        id: "gt-delta-witness",
        role: "witness",
        rig: "delta",
        state: "idle",
      }),
    ];
    await w.tick();
    assertEquals(w.tmux.callsOf("killSession"), ["gt-delta-witness"]);
    assertEquals(w.tmux.callsOf("newSession"), ["gt-delta-witness"]);
    assertEquals(w.tmux.sessions.get("gt-delta-witness")?.command, "claude");
    const log = w.takeLog();
    assert(
      log.includes(
        "Witness session for charlie healthy (Claude running), skipping restart despite stale bead",
      ),
      log.join("\n"),
    );
    assert(
      log.includes("Witness for delta not running per agent bead, starting..."),
    );
  },
);

worldTest(
  "runTick() kills and recreates a Deacon marked dead once, not on every tick",
  { quiet: false },
  async (w) => {
    w.tmux.add("gt-deacon");
    w.beads.raw = [w.bead({ id: "hq-deacon", role: "deacon", state: "dead" })];
    await w.clock.advance(1_000);
    await w.tick();
    assertEquals(w.tmux.callsOf("killSession"), ["gt-deacon"]);
    assertEquals(
      w.tmux.callsOf("newSession").filter((s) => s === "gt-deacon"),
      ["gt-deacon"],
    );
    const created = w.tmux.sessions.get("gt-deacon")?.created;
    assertEquals(created?.dir, `${w.town}/deacon`);
    assertEquals(new Map(created?.env ?? []).get("GT_ROLE"), "deacon");
    const log = w.takeLog();
    assert(
      log.includes(
        "Deacon is marked dead (circuit breaker triggered), forcing restart...",
      ),
      log.join("\n"),
    );
    assert(log.includes("Deacon session started successfully"));
    // The bead still says dead, but the session was restarted after that.
    await w.clock.advance(1_000);
    await w.tick();
    assertEquals(
      w.tmux.callsOf("newSession").filter((s) => s === "gt-deacon").length,
      1,
    );
  },
);

worldTest(
  "runTick() nudges a Deacon whose heartbeat is 10 minutes old once, and restarts one stuck for 35",
  {},
  async (w) => {
    w.tmux.add("gt-deacon");
    w.beads.raw = [
      w.bead({ id: "hq-deacon", role: "deacon", state: "running" }),
    ];
    const hb = (ago: number) =>
      Deno.writeTextFile(
        `${w.town}/deacon/heartbeat.json`,
        JSON.stringify({
          timestamp: new Date(w.clock.now() - ago).toISOString(),
          cycle: 1,
        }),
      );
    await hb(10 * MIN);
    await w.tick();
    assertEquals(w.tmux.sessions.get("gt-deacon")?.nudges, [
      "HEALTH_CHECK: heartbeat stale, respond to confirm responsiveness",
    ]);
    await w.tick();
    assertEquals(w.tmux.sessions.get("gt-deacon")?.nudges.length, 1);
    await hb(35 * MIN);
    await w.tick();
    assertEquals(w.tmux.callsOf("killSession"), ["gt-deacon"]);
    assertEquals(w.tmux.sessions.get("gt-deacon")?.nudges, []);
    const log = w.takeLog().join("\n");
    assertStringIncludes(
      log,
      "Deacon heartbeat is stale (35m0s old), checking session...",
    );
    assertStringIncludes(log, "Deacon stuck for 35m0s - restarting session");
    // The restarted Deacon gets time to write a heartbeat: no kill loop.
    await w.tick();
    assertEquals(w.tmux.callsOf("killSession"), ["gt-deacon"]);
  },
);

worldTest(
  "runTick() mails the Witness exactly once when a polecat restart fails",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/polecats/Broken");
    w.tmux.add("gt-gastown-witness");
    w.tmux.add("gt-gastown-refinery");
    w.tmux.diesAtStart.add("gt-gastown-Broken");
    w.beads.raw = [
      ...w.rigBeads("gastown"),
      w.bead({
        id: "gt-gastown-polecat-Broken",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-abc",
      }),
    ];
    await w.tick();
    w.tmux.sessions.delete("gt-gastown-Broken");
    await w.clock.advance(3 * MIN);
    await w.tick();
    assertEquals(w.mail.sent.length, 1, JSON.stringify(w.mail.sent));
    const [sent] = w.mail.sent;
    assertEquals(sent?.to, "gastown/witness");
    assertEquals(
      sent?.subject,
      "CRASHED_POLECAT: gastown/Broken restart failed",
    );
    const lines = (sent?.body ?? "").split("\n");
    assertEquals(
      lines[0],
      "Polecat Broken crashed and automatic restart failed.",
    );
    assertEquals(lines[2], "hook_bead: gt-abc");
    assertStringIncludes(lines[3] ?? "", "the agent exited at once");
    assertEquals(lines.slice(4), ["", "Manual intervention may be required."]);
    assertStringIncludes(
      w.takeLog().join("\n"),
      "Error restarting polecat gastown/Broken: ",
    );
  },
);

worldTest(
  "runTick() carries out a lifecycle cycle: the message is deleted before the Witness is restarted",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/witness");
    w.beads.raw = w.runningRig("gastown");
    w.mail.raw = [w.message({ id: "hq-msg1", from: "gastown/witness" })];
    await w.tick();
    assertEquals(w.mail.deleted, ["hq-msg1"]);
    assertEquals(w.mail.raw, []);
    assertEquals(w.tmux.callsOf("killSession")[0], "gt-gastown-witness");
    assertEquals(w.tmux.callsOf("newSession"), ["gt-gastown-witness"]);
    const env = new Map(
      w.tmux.sessions.get("gt-gastown-witness")?.created?.env ?? [],
    );
    assertEquals(env.get("GT_ROLE"), "witness");
    assertEquals(env.get("BD_ACTOR"), "gastown/witness");
    const log = w.takeLog();
    const i = (text: string) => log.findIndex((l) => l.includes(text));
    assert(i("Processing lifecycle request from gastown/witness: cycle") >= 0);
    // Claimed first, then killed, then restarted.
    assert(i("Deleted lifecycle message: hq-msg1") >= 0, log.join("\n"));
    assert(
      i("Deleted lifecycle message: hq-msg1") <
        i("Killed session gt-gastown-witness for restart"),
    );
    assert(
      i("Killed session gt-gastown-witness for restart") <
        i("Restarted session gt-gastown-witness"),
    );
  },
);

worldTest(
  "runTick() deletes a 7-hour-old request without carrying it out and leaves other mail alone",
  { rigs: ["gastown"] },
  async (w) => {
    w.beads.raw = w.runningRig("gastown");
    w.mail.raw = [
      w.message({ id: "old", from: "gastown/witness", agoMs: 7 * 60 * MIN }),
      w.message({
        id: "chat",
        from: "mayor/",
        subject: "Regular message",
        body: "hello",
      }),
      w.message({
        id: "bad",
        from: "gastown/witness",
        subject: "LIFECYCLE: x",
        body: "explode",
      }),
    ];
    await w.tick();
    assertEquals(w.mail.deleted, ["old"]);
    assertEquals(w.mail.raw.map((m) => m.id), ["chat", "bad"]);
    assertEquals(w.tmux.callsOf("killSession"), []);
    const log = w.takeLog().join("\n");
    assertStringIncludes(
      log,
      "Ignoring stale lifecycle request from gastown/witness (age: 7h0m0s, max: 6h0m0s) - deleting",
    );
    assertStringIncludes(
      log,
      'Lifecycle request with unparseable body: "explode"',
    );
  },
);

worldTest(
  "runTick() answers a request from an unknown sender with the reason",
  { rigs: ["gastown"] },
  async (w) => {
    w.beads.raw = w.runningRig("gastown");
    w.mail.raw = [w.message({ id: "m1", from: "stranger" })];
    await w.tick();
    assertEquals(w.mail.deleted, ["m1"]);
    assertEquals(w.mail.sent.length, 1, JSON.stringify(w.mail.sent));
    assertEquals(w.mail.sent[0]?.to, "stranger");
    assertStringIncludes(w.mail.sent[0]?.subject ?? "", "LIFECYCLE_FAILED");
    assertStringIncludes(
      w.mail.sent[0]?.body ?? "",
      "unknown agent identity: stranger",
    );
    assertStringIncludes(
      w.takeLog().join("\n"),
      "Error executing lifecycle action: unknown agent identity: stranger",
    );
  },
);

worldTest(
  "runTick() restarts an agent once for 1,000 requests and deletes the rest over later ticks",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/witness");
    w.beads.raw = w.runningRig("gastown");
    w.mail.raw = Array.from(
      { length: 1000 },
      (_, i) =>
        w.message({ id: `m${i}`, from: "gastown/witness", agoMs: 1000 + i }),
    );
    await w.tick();
    const first = w.takeLog();
    assertEquals(count(first, "Restarted session gt-gastown-witness"), 1);
    assertEquals(count(first, "Skipping duplicate lifecycle request"), 50);
    assert(
      first.some((l) =>
        l.includes(
          "Leaving 949 superseded lifecycle request(s) for the next pass",
        )
      ),
    );
    assertEquals(w.mail.raw.length, 949);
    // Each deletion carries its own log line.
    assertEquals(count(first, "Deleted lifecycle message: "), 51);
    await w.clock.advance(3 * MIN);
    await w.tick();
    assertEquals(count(w.takeLog(), "Restarted session"), 0);
    assertEquals(w.mail.raw.length, 899);
    assertEquals(w.tmux.callsOf("newSession").length, 1);
  },
);

worldTest(
  "runTick() mails the Witness once each about GUPP and orphaned work over five ticks, and again when the condition returns",
  { rigs: ["gastown", "my-rig"] },
  async (w) => {
    for (const r of ["gastown", "my-rig"]) {
      w.tmux.add(`gt-${r}-witness`);
      w.tmux.add(`gt-${r}-refinery`);
    }
    const beads = [
      ...w.rigBeads("gastown"),
      ...w.rigBeads("my-rig"),
      w.bead({
        id: "gt-gastown-polecat-Toast",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-abc",
        updatedAgoMs: 31 * MIN,
      }),
      w.bead({
        id: "gt-gastown-polecat-Nux",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-def",
        updatedAgoMs: 10 * MIN,
      }),
      w.bead({
        id: "gt-my-rig-polecat-Max",
        role: "polecat",
        rig: "my-rig",
        state: "dead",
        hook: "gt-ghi",
      }),
      w.bead({
        id: "gt-gastown-polecat-Gone",
        role: "polecat",
        rig: "gastown",
        state: "dead",
      }),
    ];
    w.beads.raw = beads;
    for (let i = 0; i < 5; i++) await w.tick();
    assertEquals(w.mail.sent.map((m) => [m.to, m.subject]), [
      [
        "gastown/witness",
        "GUPP_VIOLATION: gt-gastown-polecat-Toast stuck for 31m0s",
      ],
      [
        "my-rig/witness",
        "ORPHANED_WORK: gt-my-rig-polecat-Max has hooked work but is dead",
      ],
    ]);
    assertEquals(
      w.mail.sent[0]?.body,
      "Agent gt-gastown-polecat-Toast has work on hook but isn't progressing.\n\nhook_bead: gt-abc\nstuck_duration: 31m0s\n\nAction needed: Check if agent is alive and responsive. Consider restarting if stuck.",
    );
    assertEquals(
      w.mail.sent[1]?.body,
      "Agent gt-my-rig-polecat-Max is dead but has work on its hook.\n\nhook_bead: gt-ghi\n\nAction needed: Either restart the agent or reassign the work.",
    );
    // Every full tick saved the notices that keep them from repeating.
    assertEquals(w.saves, 5);
    // The condition clears (work unhooked), then returns: a new mail.
    w.beads.raw = beads.filter((b) => b.id !== "gt-gastown-polecat-Toast");
    await w.tick();
    w.beads.raw = beads;
    await w.tick();
    assertEquals(
      w.mail.sent.filter((m) => m.subject.startsWith("GUPP")).length,
      2,
    );
  },
);

worldTest(
  "runTick() marks an agent idle for 16 minutes with no live session dead, once",
  {},
  async (w) => {
    w.tmux.add("gt-deacon");
    w.beads.raw = [
      w.bead({
        id: "hq-mayor",
        role: "mayor",
        state: "running",
        updatedAgoMs: 16 * MIN,
      }),
      w.bead({
        id: "hq-deacon",
        role: "deacon",
        state: "working",
        updatedAgoMs: 16 * MIN,
      }),
    ];
    for (let i = 0; i < 3; i++) await w.tick();
    assertEquals(w.beads.updates.map((u) => u.id), ["hq-mayor"]);
    const lines = (w.beads.updates[0]?.description ?? "").split("\n");
    assertEquals(lines.slice(0, 6), [
      "role_type: mayor",
      "rig: ",
      "agent_state: dead",
      "hook_bead: ",
      "role_bead: ",
      "",
    ]);
    assert(
      /^Marked dead by daemon at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(was running, last update too old\)$/
        .test(lines[6] ?? ""),
      lines[6],
    );
    const log = w.takeLog().join("\n");
    assertStringIncludes(
      log,
      "Agent hq-mayor appears dead (state=running, last update 16m0s ago, timeout 15m0s)",
    );
    assertStringIncludes(log, "Marked agent hq-mayor as dead due to timeout");
    // The Deacon's session is healthy, so its stale bead is not a death.
    assert(!log.includes("Agent hq-deacon appears dead"));
  },
);

worldTest("runTick() with a dry run decides the plan and does nothing", {
  rigs: ["gastown"],
}, async (w) => {
  await w.dirs("gastown/witness");
  w.beads.raw = w.rigBeads("gastown");
  w.mail.raw = [w.message({ id: "hq-1", from: "gastown/witness" })];
  const r = await w.tick({ checks: HEARTBEAT_CHECKS, dryRun: true });
  const kinds = r.plan.flatMap((p) => p.actions.map((a) => a.kind));
  assert(kinds.includes("startSession"), kinds.join(","));
  assert(kinds.includes("lifecycle"), kinds.join(","));
  assertEquals(w.tmux.callsOf("newSession"), []);
  assertEquals(w.mail.deleted, []);
  assertEquals(w.mail.sent, []);
  assertEquals(w.runner.calls, []);
  assertEquals(w.saves, 0);
  assertEquals(w.backoff.toJSON(), {});
  assert(r.snapshot !== null);
  assertEquals(r.snapshot.rigs, ["gastown"]);
});

worldTest(
  "runTick() logs a failing tmux read once as an error and still processes mail",
  { rigs: ["gastown"] },
  async (w) => {
    w.tmux.listError = "server exited unexpectedly";
    w.beads.raw = w.rigBeads("gastown");
    w.mail.raw = [
      w.message({ id: "old", from: "gastown/witness", agoMs: 7 * 60 * MIN }),
    ];
    await w.tick();
    const log = w.takeLog();
    assertEquals(count(log, "Error: tmux: server exited unexpectedly"), 1);
    assertEquals(w.tmux.callsOf("newSession"), []);
    assertEquals(w.mail.deleted, ["old"]);
  },
);

worldTest(
  "runTick() nudges a ready spawned polecat, drops a gone one and prunes an old one",
  { rigs: ["gastown"] },
  async (w) => {
    w.tmux.add("gt-gastown-witness");
    w.tmux.add("gt-gastown-refinery");
    w.tmux.add("gt-gastown-Toast", { screen: "welcome\n> " });
    w.tmux.add("gt-gastown-Slow", { command: "bash", screen: "$ " });
    w.tmux.add("gt-gastown-Old", { command: "bash", screen: "$ " });
    w.beads.raw = w.rigBeads("gastown");
    const m = (id: string, name: string, ago: number) => ({
      ...w.message({
        id,
        from: "gastown/witness",
        subject: `POLECAT_STARTED gastown/${name}`,
        agoMs: ago,
      }),
      body: `Session: gt-gastown-${name}\nIssue: gt-${name}`,
    });
    w.mail.raw = [
      m("m1", "Toast", MIN),
      m("m2", "Nux", MIN),
      m("m3", "Slow", MIN),
      m("m4", "Old", 10 * MIN),
    ];
    await w.tick();
    assertEquals(w.tmux.sessions.get("gt-gastown-Toast")?.nudges, ["Begin."]);
    assertEquals(w.tmux.sessions.get("gt-gastown-Slow")?.nudges, []);
    // Screens were read while observing; only the ready one is re-checked.
    assertEquals(w.tmux.callsOf("capture").sort(), [
      "gt-gastown-Old",
      "gt-gastown-Slow",
      "gt-gastown-Toast",
    ]);
    assertEquals(w.tmux.callsOf("panes"), ["gt-gastown-Toast"]);
    const pending = JSON.parse(
      await Deno.readTextFile(`${w.town}/spawn/pending.json`),
    );
    assertEquals(pending.map((p: { polecat: string }) => p.polecat), ["Slow"]);
    assertEquals(w.beads.closed.sort(), ["m1", "m2", "m3", "m4"]);
    const log = w.takeLog().join("\n");
    assertLogHas(log, PENDING_SPAWN_LINES);
  },
);

worldTest(
  "runTick() logs bad mail and a failing bd update, and loses nothing",
  { rigs: ["gastown"] },
  async (w) => {
    await w.dirs("gastown/witness");
    w.beads.raw = w.runningRig("gastown");
    w.mail.inboxError =
      'Cannot parse "gt mail inbox" output: expected a JSON array, got an object';
    await w.tick();
    assert(
      w.takeLog().some((l) => l.startsWith("Error: gt mail: Cannot parse")),
    );
    w.mail.inboxError = null;
    w.mail.raw = [
      { id: "nofrom", subject: "LIFECYCLE: x", body: "cycle" },
      { ...w.message({ id: "num", from: "gastown/witness" }), priority: 2 },
      {
        ...w.message({ id: "when", from: "gastown/witness", body: "shutdown" }),
        timestamp: "yesterday",
      },
    ];
    w.beads.updateError = "bd update: exit status 1";
    w.beads.raw = [
      ...w.rigBeads("gastown"),
      w.bead({
        id: "hq-mayor",
        role: "mayor",
        state: "running",
        updatedAgoMs: 20 * MIN,
      }),
    ];
    await w.tick();
    const log = w.takeLog().join("\n");
    assertStringIncludes(
      log,
      'has no valid timestamp ("yesterday"); treating it as fresh',
    );
    assertStringIncludes(log, "Warning: failed to mark hq-mayor as dead:");
    // Only the valid request was claimed and carried out; the others stay.
    assertEquals(w.mail.deleted, ["when"]);
    assertEquals(w.mail.raw.map((m) => m.id), ["nofrom", "num"]);
    assert(!w.tmux.sessions.has("gt-gastown-witness"));
    assertEquals(w.beads.updates, []);
  },
);
