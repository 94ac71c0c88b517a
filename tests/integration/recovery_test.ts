import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { assertLogHas, PENDING_SPAWN_LINES } from "../helpers/scenario_logs.ts";
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
    assertLogHas(log, PENDING_SPAWN_LINES);
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
