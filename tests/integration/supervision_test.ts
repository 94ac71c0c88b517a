import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { assertLogHas, CRASH_RESTART_LINES } from "../helpers/scenario_logs.ts";
import { readState, waitFor } from "../helpers/cli.ts";
import { bead, Harness, rigBeads, workingPolecat } from "../helpers/harness.ts";

type Backoff = Record<string, { lastRestartMs: number }>;

Deno.test("a Witness and a Refinery exist for every rig after one heartbeat", async () => {
  const h = await Harness.create({ rigs: ["alpha", "beta"] });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    await Deno.mkdir(`${h.town}/alpha/refinery/rig`, { recursive: true });
    await Deno.mkdir(`${h.town}/beta`, { recursive: true });
    await h.heartbeat();
    const s = await h.sessions();
    for (
      const name of [
        "gt-alpha-witness",
        "gt-alpha-refinery",
        "gt-beta-witness",
        "gt-beta-refinery",
      ]
    ) {
      assert(
        s.get(name)?.commands.includes("claude"),
        `${name}: ${JSON.stringify(s.get(name))}`,
      );
    }
    assertEquals(s.get("gt-alpha-witness")?.path, `${h.town}/alpha/witness`);
    assertEquals(
      s.get("gt-alpha-refinery")?.path,
      `${h.town}/alpha/refinery/rig`,
    );
    assertEquals(s.get("gt-beta-refinery")?.path, `${h.town}/beta`);
    assertEquals(
      await h.sessionEnv("gt-alpha-witness", "BD_ACTOR"),
      "alpha/witness",
    );
    assertEquals(
      await h.sessionEnv("gt-alpha-refinery", "BEADS_DIR"),
      `${h.town}/alpha/mayor/rig/.beads`,
    );
    assertEquals(
      await h.option("gt-alpha-refinery", "status-left"),
      "🏭 alpha/refinery ",
    );
    const agents = await h.agents();
    const w = agents.find((a) =>
      (a.env as Record<string, string>).BD_ACTOR === "alpha/witness"
    );
    assert(w, JSON.stringify(agents));
    assertEquals(w.argv, ["--dangerously-skip-permissions"]);
    assertEquals((w.env as Record<string, string>).GT_ROLE, "witness");
    assertEquals((w.env as Record<string, string>).GT_RIG, "alpha");
    assertEquals(
      (w.env as Record<string, string>).GIT_AUTHOR_NAME,
      "alpha/witness",
    );
    const log = await h.log();
    assertStringIncludes(
      log,
      "Witness for alpha not running per agent bead, starting...",
    );
    assertStringIncludes(log, "Refinery session for beta started successfully");
    // A second heartbeat leaves the healthy sessions alone.
    await h.heartbeat();
    const again = await h.sessions();
    for (const [name, v] of s) {
      if (name !== "keepalive") assertEquals(again.get(name)?.id, v.id, name);
    }
  } finally {
    await h.close();
  }
});

Deno.test("a killed polecat with hooked work is back within one heartbeat; one without hooked work is left alone", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    for (const n of ["Toast", "Idle"]) {
      await Deno.mkdir(`${h.town}/gastown/polecats/${n}`, { recursive: true });
    }
    await h.healthyRigs("gastown");
    await h.setBeads([
      ...rigBeads("gastown"),
      workingPolecat("gastown", "Toast"),
      bead({
        id: "gt-gastown-polecat-Idle",
        role: "polecat",
        rig: "gastown",
        state: "working",
      }),
    ]);
    await h.heartbeat();
    const s = await h.sessions();
    const toast = s.get("gt-gastown-Toast");
    assert(
      toast && toast.commands.includes("claude"),
      JSON.stringify([...s.keys()]),
    );
    assertEquals(toast.path, `${h.town}/gastown/polecats/Toast`);
    assert(!s.has("gt-gastown-Idle"));
    const env = Object.fromEntries(
      await Promise.all(
        [
          "GT_ROLE",
          "GT_RIG",
          "GT_POLECAT",
          "BD_ACTOR",
          "BEADS_DIR",
          "BEADS_NO_DAEMON",
          "BEADS_AGENT_NAME",
        ].map(
          async (k) => [k, await h.sessionEnv("gt-gastown-Toast", k)],
        ),
      ),
    );
    assertEquals(env, {
      GT_ROLE: "polecat",
      GT_RIG: "gastown",
      GT_POLECAT: "Toast",
      BD_ACTOR: "gastown/polecats/Toast",
      BEADS_DIR: `${h.town}/gastown/.beads`,
      BEADS_NO_DAEMON: "1",
      BEADS_AGENT_NAME: "gastown/Toast",
    });
    assertEquals(
      await h.option("gt-gastown-Toast", "status-left"),
      "😺 gastown/Toast ",
    );
    const agent = (await h.agents()).find((a) =>
      (a.env as Record<string, string>).GT_POLECAT === "Toast"
    );
    assert(agent);
    assertEquals(agent.env, {
      ...(agent.env as Record<string, string>),
      BD_ACTOR: "gastown/polecats/Toast",
      GIT_AUTHOR_NAME: "Toast",
      GT_RIG: "gastown",
      GT_ROLE: "polecat",
    });
    // No pre-sync on a crash restart: a rebase onto the feature branch could be left half done.
    const syncs = (await h.calls()).filter((c) =>
      c.prog === "bd" && (c.argv as string[])[0] === "sync"
    );
    assertEquals(syncs.length, 0);
    const log = await h.log();
    assertLogHas(log, CRASH_RESTART_LINES);
    assertEquals((await h.sent()).length, 0);

    // Once it has run for the minimum uptime, a kill is a healthy death:
    // the next heartbeat brings it back at once, with no backoff.
    const started = ((await readState(h.town))?.backoff as Backoff)[
      "gastown/polecats/Toast"
    ]?.lastRestartMs;
    assert(
      typeof started === "number",
      JSON.stringify(await readState(h.town)),
    );
    assert(await waitFor(() => Date.now() - started >= 500, 5_000));
    await h.tmux(["kill-session", "-t", "=gt-gastown-Toast"]);
    await h.heartbeat({ GT_DAEMON_MIN_UPTIME: "500ms" });
    assert(
      (await h.sessions()).get("gt-gastown-Toast")?.commands.includes("claude"),
      await h.log(),
    );
    assert(!(await h.log()).includes("Not restarting"), await h.log());
  } finally {
    await h.close();
  }
});

Deno.test("a failed polecat restart sends exactly one CRASHED_POLECAT mail", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await Deno.mkdir(`${h.town}/gastown/polecats/Broken`, { recursive: true });
    await h.healthyRigs("gastown");
    await h.setBeads([
      ...rigBeads("gastown"),
      bead({
        id: "gt-gastown-polecat-Broken",
        role: "polecat",
        rig: "gastown",
        state: "working",
        hook: "gt-abc",
      }),
    ]);
    await h.tmux([
      "set-hook",
      "-g",
      "session-created",
      "if-shell -F '#{==:#{session_name},gt-gastown-Broken}' 'kill-session -t gt-gastown-Broken'",
    ]);
    await h.heartbeat();
    await h.heartbeat();
    const sent = await h.sent();
    assertEquals(sent.length, 1, JSON.stringify(sent));
    assertEquals(sent[0]!.to, "gastown/witness");
    assertEquals(
      sent[0]!.subject,
      "CRASHED_POLECAT: gastown/Broken restart failed",
    );
    const lines = String(sent[0]!.body).split("\n");
    assertEquals(
      lines[0],
      "Polecat Broken crashed and automatic restart failed.",
    );
    assertEquals(lines[1], "");
    assertEquals(lines[2], "hook_bead: gt-abc");
    assert(lines[3]!.startsWith("restart_error: "), lines[3]);
    assertEquals(lines.slice(4), ["", "Manual intervention may be required."]);
    assertStringIncludes(
      await h.log(),
      "Error restarting polecat gastown/Broken: ",
    );
  } finally {
    await h.close();
  }
});
