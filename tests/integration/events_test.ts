/**
 * Crash and close notifications from tmux reach a daemon whose heartbeat is
 * minutes away: an agent killed in its pane (the session's `pane-died` hook)
 * and a whole session killed (the town's global `session-closed` hook) are
 * both back within seconds, and `stop` takes the global hook away again.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { bead, Harness, rigBeads, workingPolecat } from "../helpers/harness.ts";

const POLECAT = "gt-gastown-Toast";

async function liveAgentPid(h: Harness, session: string): Promise<number> {
  const out = await h.tmux([
    "list-panes",
    "-t",
    `=${session}:`,
    "-F",
    "#{pane_dead}:#{pane_pid}:#{pane_current_command}",
  ]).catch(() => "");
  const m = /^0:(\d+):claude$/m.exec(out);
  return m ? Number(m[1]) : 0;
}

async function closedHooks(h: Harness): Promise<string[]> {
  const out = await h.tmux(["show-hooks", "-g"]).catch(() => "");
  return out.split("\n").filter((l) => l.startsWith("session-closed["));
}

Deno.test("killed agents and killed sessions come back long before the heartbeat; stop removes the global hook", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await Deno.mkdir(`${h.town}/gastown/polecats/Toast`, { recursive: true });
    await Deno.mkdir(`${h.town}/gastown/witness`, { recursive: true });
    await h.setBeads([
      ...rigBeads("gastown"),
      workingPolecat("gastown", "Toast"),
    ]);
    // The daemon starts the agents itself, so every session has its hook.
    // With a minimum uptime of 0 every death is a healthy one: no restart
    // backoff, so no backoff wake-up re-checks the sessions and could hide
    // a missing hook.
    assertEquals(
      (await h.cli(["start", "--interval", "10m", "--min-uptime", "0s"])).code,
      0,
    );
    const up = async (s: string) => (await liveAgentPid(h, s)) > 0;
    assert(
      await waitFor(
        async () => (await up(POLECAT)) && (await up("gt-gastown-witness")),
        20_000,
      ),
      await h.log(),
    );
    assert(
      await waitFor(async () => (await closedHooks(h)).length === 1, 10_000),
      "session-closed hook not installed",
    );
    const [hook] = await closedHooks(h);
    assert(hook?.includes(`${h.town}/daemon/events/session-closed.`), hook);
    // The daemon (started with the permissions it ships with) can read the
    // server's /proc entry, so it nudges the server.
    const server = await h.tmux(["display-message", "-p", "#{pid}"]);
    assert(
      (await h.log()).includes(`Watching tmux server PID ${server} `),
      await h.log(),
    );

    // The agent process dies: its pane's hook wakes the daemon.
    const first = await liveAgentPid(h, POLECAT);
    Deno.kill(first, "SIGKILL");
    assert(
      await waitFor(async () => {
        const pid = await liveAgentPid(h, POLECAT);
        return pid > 0 && pid !== first;
      }, 15_000),
      await h.log(),
    );
    assert(
      await waitFor(
        async () => (await h.log()).includes(`Agent exited in ${POLECAT}`),
        5_000,
      ),
      await h.log(),
    );

    // The whole session is killed: no pane hook runs, the global one does.
    const before = (await h.sessions()).get("gt-gastown-witness")?.id;
    await h.tmux(["kill-session", "-t", "=gt-gastown-witness"]);
    assert(
      await waitFor(async () => {
        const s = (await h.sessions()).get("gt-gastown-witness");
        return s !== undefined && s.id !== before &&
          (await up("gt-gastown-witness"));
      }, 15_000),
      await h.log(),
    );

    // A closed session of someone else wakes nothing that restarts it.
    await h.tmux(["new-session", "-d", "-s", "scratch", "sleep 600"]);
    await h.tmux(["kill-session", "-t", "=scratch"]);

    assertEquals((await h.cli(["stop"])).code, 0);
    assertEquals(await closedHooks(h), []);
    assert(!(await h.sessions()).has("scratch"));
  } finally {
    await h.close();
  }
});

for (const server of ["a running tmux server", "no tmux server"]) {
  Deno.test(`a session killed just after the daemon created it, while the first heartbeat is still busy, is back long before the heartbeat (${server} at start)`, async () => {
    const h = await Harness.create({ rigs: ["gastown"] });
    try {
      // Without a server, the daemon's first session starts one.
      if (server === "no tmux server") await h.tmux(["kill-server"]);
      await Deno.mkdir(`${h.town}/gastown/witness`, { recursive: true });
      // A polecat stuck on its work for 31 minutes: the Witness is mailed
      // about it, and that mail takes 3 s, so the first heartbeat is still
      // acting (and no restart backoff is left to wake the daemon) when the
      // Witness dies.
      await h.setBeads([
        ...rigBeads("gastown"),
        bead({
          id: "gt-gastown-polecat-Toast",
          role: "polecat",
          rig: "gastown",
          state: "working",
          hook: "gt-abc",
          updatedAgoMs: 31 * 60_000,
        }),
      ]);
      await h.setMode("gt", "slow:3000", "mail-send");
      assertEquals((await h.cli(["start", "--interval", "10m"])).code, 0);
      let first: string | undefined;
      assert(
        await waitFor(async () => {
          first = (await h.sessions()).get("gt-gastown-witness")?.id;
          return first !== undefined;
        }, 20_000),
        await h.log(),
      );
      // Killed while the first heartbeat is demonstrably busy: its 3 s
      // `gt mail send` to the Witness has started and it is not complete.
      assert(
        await waitFor(
          async () =>
            (await h.calls()).some((c) =>
              c.prog === "gt" && (c.argv as string[]).join(" ").startsWith(
                "mail send",
              )
            ),
          20_000,
        ),
        await h.log(),
      );
      await h.tmux(["kill-session", "-t", "=gt-gastown-witness"]);
      assert(!(await h.log()).includes("Heartbeat complete (#1)"));
      assert(
        await waitFor(async () => {
          const s = (await h.sessions()).get("gt-gastown-witness");
          return s !== undefined && s.id !== first &&
            s.commands.includes("claude");
        }, 15_000),
        await h.log(),
      );
      // Back through the wake-up, not a second heartbeat.
      assert(!(await h.log()).includes("Heartbeat complete (#2)"));
      assertEquals((await h.cli(["stop"])).code, 0);
    } finally {
      await h.close();
    }
  });
}
