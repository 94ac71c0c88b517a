import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { readPid, waitFor } from "../helpers/cli.ts";
import { bead, Harness, message, rigBeads } from "../helpers/harness.ts";

const MIN = 60_000;

async function withWitness(h: Harness) {
  await Deno.mkdir(`${h.town}/gastown/witness`, { recursive: true });
  await h.healthySession("gt-gastown-refinery");
  const w = await h.healthySession(
    "gt-gastown-witness",
    `${h.town}/gastown/witness`,
  );
  await h.setBeads([
    ...rigBeads("gastown"),
  ]);
  return w;
}

Deno.test("LIFECYCLE: cycle from gastown/witness restarts that Witness and deletes the message first", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    const before = await withWitness(h);
    await Deno.writeTextFile(`${h.fake}/tmux_snapshot`, "");
    await h.setInbox([message({ id: "hq-msg1", from: "gastown/witness" })]);
    await h.heartbeat();
    const after = (await h.sessions()).get("gt-gastown-witness");
    assert(
      after && after.id !== before.id && after.commands.includes("claude"),
      JSON.stringify(after),
    );
    assertEquals(
      await h.sessionEnv("gt-gastown-witness", "GT_ROLE"),
      "witness",
    );
    assertEquals(
      await h.sessionEnv("gt-gastown-witness", "BD_ACTOR"),
      "gastown/witness",
    );
    const del = (await h.calls()).find((c) =>
      c.prog === "gt" && (c.argv as string[])[1] === "delete"
    );
    assert(del, "gt mail delete was not called");
    assertEquals(del.argv, ["mail", "delete", "hq-msg1"]);
    // Claimed before the restart: the old session was still there.
    assert(
      (del.tmux as string[]).includes(`gt-gastown-witness:${before.id}`),
      JSON.stringify(del.tmux),
    );
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`)),
      [],
    );
    const log = await h.log();
    assertStringIncludes(
      log,
      "Processing lifecycle request from gastown/witness: cycle",
    );
    assertStringIncludes(log, "Killed session gt-gastown-witness for restart");
    assertStringIncludes(log, "Restarted session gt-gastown-witness");
  } finally {
    await h.close();
  }
});

Deno.test("a 7-hour-old request is deleted and not executed; a non-lifecycle message is left alone", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    const before = await withWitness(h);
    await h.setInbox([
      message({ id: "old", from: "gastown/witness", agoMs: 7 * 60 * MIN }),
      message({
        id: "chat",
        from: "mayor/",
        subject: "Regular message",
        body: "hello",
      }),
      message({
        id: "bad",
        from: "gastown/witness",
        subject: "LIFECYCLE: x",
        body: "explode",
      }),
    ]);
    await h.heartbeat();
    assertEquals((await h.sessions()).get("gt-gastown-witness")?.id, before.id);
    const deletes = (await h.calls()).filter((c) =>
      c.prog === "gt" && (c.argv as string[])[1] === "delete"
    );
    assertEquals(deletes.map((c) => (c.argv as string[])[2]), ["old"]);
    const inbox = JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`));
    assertEquals(inbox.map((m: { id: string }) => m.id), ["chat", "bad"]);
    const log = await h.log();
    assertStringIncludes(
      log,
      "Ignoring stale lifecycle request from gastown/witness (age: 7h0m0s, max: 6h0m0s) - deleting",
    );
    assertStringIncludes(
      log,
      'Lifecycle request with unparseable body: "explode"',
    );
  } finally {
    await h.close();
  }
});

Deno.test("SIGUSR1 processes a lifecycle request without waiting for the heartbeat", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    const before = await withWitness(h);
    const start = await h.cli(["start", "--interval", "10m"]);
    assertEquals(start.code, 0, start.stderr);
    assert(
      await waitFor(
        async () => (await h.log()).includes("Heartbeat complete (#1)"),
        15_000,
      ),
    );
    await h.setInbox([
      message({ id: "hq-usr1", from: "gastown/witness", body: "restart" }),
    ]);
    Deno.kill((await readPid(h.town))!, "SIGUSR1");
    assert(
      await waitFor(async () => {
        const s = (await h.sessions()).get("gt-gastown-witness");
        return s !== undefined && s.id !== before.id &&
          s.commands.includes("claude");
      }, 15_000),
      await h.log(),
    );
    const log = await h.log();
    assertStringIncludes(
      log,
      "Received SIGUSR1, processing lifecycle requests immediately",
    );
    assertStringIncludes(
      log,
      "Processing lifecycle request from gastown/witness: restart",
    );
    assert(!log.includes("Heartbeat complete (#2)"));
    // The same works without a signal, through the events directory.
    await h.setInbox([
      message({ id: "hq-poke", from: "gastown/witness", body: "stop" }),
    ]);
    const poke = await h.cli(["poke"]);
    assertEquals(poke.code, 0, poke.stderr);
    assert(
      await waitFor(
        async () => !(await h.sessions()).has("gt-gastown-witness"),
        15_000,
      ),
      await h.log(),
    );
    assertEquals((await h.cli(["stop"])).code, 0);
  } finally {
    await h.close();
  }
});

Deno.test("a request from an unknown sender is claimed and answered with the reason", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await withWitness(h);
    await h.setInbox([message({ id: "m1", from: "stranger" })]);
    await h.heartbeat();
    const sent = await h.sent();
    assertEquals(sent.length, 1, JSON.stringify(sent));
    assertEquals(sent[0]!.to, "stranger");
    assertStringIncludes(String(sent[0]!.subject), "LIFECYCLE_FAILED");
    assertStringIncludes(
      String(sent[0]!.body),
      "unknown agent identity: stranger",
    );
    assertStringIncludes(
      await h.log(),
      "Error executing lifecycle action: unknown agent identity: stranger",
    );
  } finally {
    await h.close();
  }
});

Deno.test("1,000 requests for one agent cause one restart in the pass", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await withWitness(h);
    await h.setInbox(
      Array.from(
        { length: 1000 },
        (_, i) =>
          message({ id: `m${i}`, from: "gastown/witness", agoMs: 1000 + i }),
      ),
    );
    await h.heartbeat();
    const first = await h.log();
    assertEquals(
      first.split("Restarted session gt-gastown-witness").length - 1,
      1,
    );
    assertEquals(
      first.split("Skipping duplicate lifecycle request").length - 1,
      50,
    );
    assertStringIncludes(
      first,
      "Leaving 949 superseded lifecycle request(s) for the next pass",
    );
    const left = JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`));
    assertEquals(left.length, 949);
    // The next pass deletes more of them and restarts nothing.
    await h.heartbeat();
    const second = await h.log();
    assertEquals(
      second.split("Restarted session gt-gastown-witness").length - 1,
      1,
    );
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`)).length,
      899,
    );
  } finally {
    await h.close();
  }
});

Deno.test("GUPP and orphaned work each mail the Witness once over five heartbeats", async () => {
  const h = await Harness.create({ rigs: ["gastown", "my-rig"] });
  try {
    for (const r of ["gastown", "my-rig"]) {
      await h.healthySession(`gt-${r}-witness`);
      await h.healthySession(`gt-${r}-refinery`);
    }
    const beads = [
      ...["gastown", "my-rig"].flatMap((r) => [
        bead({
          id: `gt-${r}-witness`,
          role: "witness",
          rig: r,
          state: "running",
        }),
        bead({
          id: `gt-${r}-refinery`,
          role: "refinery",
          rig: r,
          state: "running",
        }),
      ]),
      bead({
        id: "gt-gastown-polecat-Toast",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-abc",
        updatedAgoMs: 31 * MIN,
      }),
      bead({
        id: "gt-gastown-polecat-Nux",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-def",
        updatedAgoMs: 10 * MIN,
      }),
      bead({
        id: "gt-my-rig-polecat-Max",
        role: "polecat",
        rig: "my-rig",
        state: "dead",
        hook: "gt-ghi",
      }),
      bead({
        id: "gt-gastown-polecat-Gone",
        role: "polecat",
        rig: "gastown",
        state: "dead",
      }),
    ];
    await h.setBeads(beads);
    for (let i = 0; i < 5; i++) await h.heartbeat();
    const sent = await h.sent();
    assertEquals(sent.map((m) => [m.to, m.subject]), [
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
      sent[0]!.body,
      "Agent gt-gastown-polecat-Toast has work on hook but isn't progressing.\n\nhook_bead: gt-abc\nstuck_duration: 31m0s\n\nAction needed: Check if agent is alive and responsive. Consider restarting if stuck.",
    );
    assertEquals(
      sent[1]!.body,
      "Agent gt-my-rig-polecat-Max is dead but has work on its hook.\n\nhook_bead: gt-ghi\n\nAction needed: Either restart the agent or reassign the work.",
    );
    // The condition clears (work unhooked), then returns: a new mail.
    await h.setBeads(beads.filter((b) => b.id !== "gt-gastown-polecat-Toast"));
    await h.heartbeat();
    await h.setBeads(beads);
    await h.heartbeat();
    assertEquals(
      (await h.sent()).filter((m) => String(m.subject).startsWith("GUPP"))
        .length,
      2,
    );
  } finally {
    await h.close();
  }
});

Deno.test("a running agent idle for 16 minutes with no live session is marked dead once", async () => {
  const h = await Harness.create();
  try {
    await h.healthySession("gt-deacon", `${h.town}/deacon`);
    await h.setBeads([
      bead({
        id: "hq-mayor",
        role: "mayor",
        state: "running",
        updatedAgoMs: 16 * MIN,
      }),
      bead({
        id: "hq-deacon",
        role: "deacon",
        state: "working",
        updatedAgoMs: 16 * MIN,
      }),
    ]);
    for (let i = 0; i < 3; i++) await h.heartbeat();
    const updates = (await h.calls()).filter((c) =>
      c.prog === "bd" && (c.argv as string[])[0] === "update"
    );
    assertEquals(updates.length, 1, JSON.stringify(updates));
    const argv = updates[0]!.argv as string[];
    assertEquals(argv.slice(0, 3), ["update", "hq-mayor", "--description"]);
    const lines = argv[3]!.split("\n");
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
        .test(lines[6]!),
      lines[6],
    );
    const log = await h.log();
    assertStringIncludes(
      log,
      "Agent hq-mayor appears dead (state=running, last update 16m0s ago, timeout 15m0s)",
    );
    assertStringIncludes(log, "Marked agent hq-mayor as dead due to timeout");
    // The Deacon's session is healthy, so its stale bead is not a death.
    assert(!log.includes("Agent hq-deacon appears dead"));
  } finally {
    await h.close();
  }
});

Deno.test("pending spawns: a ready polecat is nudged, a gone one dropped, an old one pruned", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await h.healthyRigs("gastown");
    await h.healthySession("gt-gastown-Toast");
    await h.zombieSession("gt-gastown-Slow");
    await h.zombieSession("gt-gastown-Old");
    const m = (id: string, name: string, ago: number) => ({
      ...message({
        id,
        from: "gastown/witness",
        subject: `POLECAT_STARTED gastown/${name}`,
        agoMs: ago,
      }),
      body: `Session: gt-gastown-${name}\nIssue: gt-${name}`,
    });
    await h.setInbox([
      m("m1", "Toast", MIN),
      m("m2", "Nux", MIN),
      m("m3", "Slow", MIN),
      m("m4", "Old", 10 * MIN),
    ]);
    await h.setBeads([
      ...["m1", "m2", "m3", "m4"].map((id) => ({
        id,
        issue_type: "message",
        title: "x",
        description: "",
      })),
    ]);
    await h.heartbeat();
    assert(
      await waitFor(
        async () =>
          (await h.jsonl("stdin.jsonl")).some((l) => l.line === "Begin."),
        5_000,
      ),
    );
    const pending = JSON.parse(
      await Deno.readTextFile(`${h.town}/spawn/pending.json`),
    );
    assertEquals(pending.map((p: { polecat: string }) => p.polecat), ["Slow"]);
    const closes = (await h.calls()).filter((c) =>
      c.prog === "bd" && (c.argv as string[])[0] === "close"
    );
    assertEquals(closes.map((c) => (c.argv as string[])[1]).sort(), [
      "m1",
      "m2",
      "m3",
      "m4",
    ]);
    const log = await h.log();
    assertStringIncludes(
      log,
      "Found 4 pending spawn(s), attempting to trigger...",
    );
    assertStringIncludes(log, "Triggered polecat: gastown/Toast");
    assertStringIncludes(
      log,
      "Error triggering gt-gastown-Nux: session no longer exists",
    );
    assertStringIncludes(log, "Triggered 1/4 pending spawn(s)");
    assertStringIncludes(log, "Pruned 1 stale pending spawn(s)");
  } finally {
    await h.close();
  }
});

Deno.test("bad mail and a failing bd update are logged and lose nothing", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await withWitness(h);
    await h.setInbox('{"not": "an array"}');
    await h.heartbeat();
    assertStringIncludes(await h.log(), "Error: gt mail:");
    await h.setInbox([
      { id: "nofrom", subject: "LIFECYCLE: x", body: "cycle" },
      { ...message({ id: "num", from: "gastown/witness" }), priority: 2 },
      message({ id: "when", from: "gastown/witness", body: "shutdown" }),
    ].map((m, i) => i === 2 ? { ...m, timestamp: "yesterday" } : m));
    await h.setMode("bd", "fail", "update");
    await h.setBeads([
      ...rigBeads("gastown"),
      bead({
        id: "hq-mayor",
        role: "mayor",
        state: "running",
        updatedAgoMs: 20 * MIN,
      }),
    ]);
    await h.heartbeat();
    const log = await h.log();
    assertStringIncludes(
      log,
      'has no valid timestamp ("yesterday"); treating it as fresh',
    );
    assertStringIncludes(log, "Warning: failed to mark hq-mayor as dead:");
    // Only the valid request was claimed and executed; the others stay.
    const inbox = JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`))
      .map((m: { id: string }) => m.id);
    assertEquals(inbox, ["nofrom", "num"]);
    assert(!(await h.sessions()).has("gt-gastown-witness"));
  } finally {
    await h.close();
  }
});
