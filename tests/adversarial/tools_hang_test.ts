/**
 * Broken tools in the middle of actions and over time: `git` failing during
 * a pre-sync, `bd`, `gt` and `tmux` hanging (one timeout, no process left
 * behind, SIGTERM still ends the daemon within 2 s), and a daemon whose
 * tools keep failing heartbeat after heartbeat.
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { readPid, waitFor } from "../helpers/cli.ts";
import { Harness, message } from "../helpers/harness.ts";
import {
  alphaTown,
  clearModes,
  count,
  linesWith,
  logSince,
  setMode,
  tmuxWrapper,
} from "./support.ts";
import { fakeProcs, owners, spawnDaemon } from "./procs.ts";

const BD_LIST = "Error: bd: ";
const GT_INBOX = "Error: gt mail: ";

Deno.test("git that fails, prints garbage or 50 MB, or dies of SIGPIPE during a pre-sync never stops the restart", async () => {
  const h = await alphaTown();
  try {
    for (const [fetch, pull] of [["fail", "sigpipe"], ["huge", "garbage"]]) {
      await setMode(h, "git.fetch", fetch!);
      await setMode(h, "git.pull", pull!);
      const before = (await h.sessions()).get("gt-alpha-refinery") ??
        await h.healthySession(
          "gt-alpha-refinery",
          `${h.town}/alpha/refinery/rig`,
        );
      await h.setInbox([
        message({ id: `hq-${fetch}`, from: "alpha/refinery" }),
      ]);
      const skip = (await h.log()).length;
      await h.heartbeat();
      const log = await logSince(h, skip);
      const dir = `${h.town}/alpha/refinery/rig`;
      const warnings = linesWith(log, "Warning: git");
      if (fetch === "fail") {
        assertEquals(warnings, [
          `Warning: git fetch failed in ${dir}: exit status 1: fatal: git stand-in: injected failure`,
          `Warning: git pull failed in ${dir}: exit status 141: From origin`,
        ]);
      } else {
        assertEquals(warnings, [], log);
      }
      const after = (await h.sessions()).get("gt-alpha-refinery");
      assert(after && after.id !== before.id, log);
      assertStringIncludes(log, "Restarted session gt-alpha-refinery");
      const gits = (await h.calls()).filter((c) => c.prog === "git");
      assert(gits.some((c) => (c.argv as string[])[0] === "pull"));
    }
  } finally {
    await h.close();
  }
});

Deno.test("hung bd, gt and tmux cost one timeout together and leave no process behind", async () => {
  const h = await alphaTown();
  try {
    const wrap = await tmuxWrapper(h.t.root);
    await setMode(h, "bd.list", "hang");
    await setMode(h, "gt.mail-inbox", "hang");
    await setMode(h, "tmux.list-panes-a", "hang");
    const started = performance.now();
    const r = await h.cli(["heartbeat", "--once"], {
      PATH: `${wrap}:${h.env.PATH}`,
    });
    const ms = performance.now() - started;
    assertEquals(r.code, 0, r.stderr);
    // One 10 s timeout (they run at once), not three in a row.
    assert(ms >= 9_500 && ms < 25_000, `took ${ms} ms`);
    const log = await h.log();
    assertEquals(
      linesWith(log, "Error: bd:"),
      [
        `Error: bd: ${h.town}/.beads: Command timed out after 10000 ms: bd list --type=agent --json --limit=0`,
      ],
    );
    assertEquals(
      linesWith(log, "Error: gt mail:"),
      [
        "Error: gt mail: Command timed out after 10000 ms: gt mail inbox --identity deacon/ --json",
      ],
    );
    assertEquals(linesWith(log, "Error: tmux:").length, 1, log);
    assertStringIncludes(linesWith(log, "Error: tmux:")[0]!, "timed out");
    // Nothing was started on the strength of a snapshot that timed out.
    assertEquals([...(await h.sessions()).keys()], ["keepalive"]);
    assert(
      await waitFor(
        () =>
          fakeProcs(h, "bin/bd").length + fakeProcs(h, "bin/gt").length +
              fakeProcs(h, "wrapbin/tmux").length === 0,
        3_000,
      ),
      "a hung tool outlived its timeout",
    );
  } finally {
    await h.close();
  }
});

Deno.test("SIGTERM ends the daemon within 2 s while tmux or git hangs in the middle of an action, and kills the hung tool", async (t) => {
  const h = await alphaTown();
  try {
    const stopWithin = async (
      what: string,
      env: Record<string, string>,
      hanging: () => boolean,
      part: string,
    ) => {
      const d = spawnDaemon(h, { interval: "100ms", env });
      try {
        assert(await waitFor(hanging, 15_000), `${what} never hung`);
        const t0 = performance.now();
        d.signal("SIGTERM");
        const out = await d.exited;
        const ms = performance.now() - t0;
        assert(ms < 2_000, `exit took ${ms} ms`);
        assertEquals(out.code, 0, out.stderr);
        const log = await h.log();
        assertStringIncludes(log, "Received signal terminated, shutting down");
        assertStringIncludes(log, "Daemon stopped");
        assertEquals(owners(`${h.town}/daemon/daemon.lock`), []);
        assertEquals(await readPid(h.town), null);
        assert(
          await waitFor(() => fakeProcs(h, part).length === 0, 2_000),
          `the hung ${what} survived the daemon`,
        );
      } finally {
        await d.close();
      }
    };
    await t.step("tmux new-session hangs while starting an agent", async () => {
      const wrap = await tmuxWrapper(h.t.root);
      await setMode(h, "tmux.new-session", "hang");
      await stopWithin(
        "tmux new-session",
        { PATH: `${wrap}:${h.env.PATH}` },
        () => fakeProcs(h, "wrapbin/tmux\0new-session").length > 0,
        "wrapbin/tmux\0new-session",
      );
      await clearModes(h);
    });
    await t.step("git fetch hangs during a pre-sync", async () => {
      await setMode(h, "git", "hang");
      await h.setInbox([message({ id: "hq-sync1", from: "alpha/refinery" })]);
      await stopWithin(
        "git fetch",
        {},
        () => fakeProcs(h, "bin/git").length > 0,
        "bin/git",
      );
    });
  } finally {
    await h.close();
  }
});

Deno.test("a daemon whose bd and gt keep failing logs one line per fault per heartbeat and keeps going", async () => {
  const h = await Harness.create();
  const d = spawnDaemon(h, { interval: "150ms" });
  try {
    await setMode(h, "bd.list", "garbage");
    await setMode(h, "gt.mail-inbox", "fail");
    assert(
      await waitFor(
        async () => count(await h.log(), "Heartbeat complete") >= 3,
        20_000,
      ),
      await h.log(),
    );
    await clearModes(h);
    const mark = count(await h.log(), "Heartbeat complete");
    assert(
      await waitFor(
        async () => count(await h.log(), "Heartbeat complete") >= mark + 2,
        20_000,
      ),
    );
    d.signal("SIGTERM");
    const out = await d.exited;
    assertEquals(out.code, 0, out.stderr);
    const log = await h.log();
    // Split into ticks: every tick with a fault logs exactly one line per tool.
    const ticks = log.split("Heartbeat starting").slice(1);
    let faulty = 0;
    for (const tick of ticks) {
      const bd = count(tick, BD_LIST);
      const gt = count(tick, GT_INBOX);
      assert(bd <= 1 && gt <= 1, tick);
      if (bd + gt > 0) faulty++;
    }
    assert(faulty >= 2, log);
    assertEquals(
      linesWith(ticks.at(-1) ?? "", "Error").length,
      0,
      ticks.at(-1),
    );
    assertEquals(count(log, "Daemon stopped"), 1);
  } finally {
    await d.close();
    await h.close();
  }
});
