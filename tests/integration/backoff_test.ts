import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { readState, waitFor } from "../helpers/cli.ts";
import { Harness, rigBeads, workingPolecat } from "../helpers/harness.ts";

type Backoff = Record<
  string,
  { restarts: number; crashLoop: boolean; lastRestartMs: number }
>;

Deno.test("a healthy polecat killed six times is back at once each time; one whose command exits at once is held back, shown by status, and cleared on request", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    for (const n of ["Toast", "Crash"]) {
      await Deno.mkdir(`${h.town}/gastown/polecats/${n}`, { recursive: true });
    }
    await h.healthyRigs("gastown");
    await h.setBeads([
      ...rigBeads("gastown"),
      workingPolecat("gastown", "Toast"),
      workingPolecat("gastown", "Crash"),
    ]);
    await Deno.writeTextFile(`${h.fake}/agent-die.Crash`, "1");
    // Long enough that a quick death is seen as one even on a loaded
    // machine (the crash-looping agent dies within a second of its start).
    const minUptime = 4_000;
    // One heartbeat at start; after that only events bring agents back.
    const start = await h.cli([
      "start",
      "--interval",
      "10m",
      "--min-uptime",
      `${minUptime}ms`,
    ]);
    assertEquals(start.code, 0, start.stderr);
    const healthy = "gastown/polecats/Toast";
    const crashing = "gastown/polecats/Crash";
    const backoff = async () =>
      ((await readState(h.town))?.backoff ?? {}) as Backoff;
    const toast = async () => {
      const s = (await h.sessions()).get("gt-gastown-Toast");
      return s?.commands.includes("claude") ? s : null;
    };

    const backWithin: number[] = [];
    for (let kill = 1; kill <= 6; kill++) {
      // Wait until it has run healthy for the minimum uptime (tmux gives
      // the creation time in whole seconds).
      let id = "";
      assert(
        await waitFor(async () => {
          const s = await toast();
          if (!s) return false;
          id = s.id;
          return Date.now() >= (s.created + 1) * 1000 + minUptime;
        }, 30_000),
        `kill ${kill}: ${await h.log()}`,
      );
      const t0 = Date.now();
      await h.tmux(["kill-session", "-t", "=gt-gastown-Toast"]);
      assert(
        await waitFor(async () => {
          const s = await toast();
          return s !== null && s.id !== id;
        }, 10_000),
        `kill ${kill}: not back: ${await h.log()}`,
      );
      backWithin.push(Date.now() - t0);
    }
    console.log(`healthy polecat back within (ms): ${backWithin.join(", ")}`);
    const log = await h.log();
    assert(!log.includes(`Not restarting ${healthy}`), log);
    const entry = (await backoff())[healthy];
    assertEquals(entry?.restarts, 0, JSON.stringify(entry));
    assertEquals(entry?.crashLoop, false);

    // Meanwhile the crashing polecat was started with growing gaps (at
    // least 1 s, 2 s, 4 s, … after each death), not on every death.
    const crashStarts = async () =>
      (await h.agents()).filter((a) =>
        (a.env as Record<string, string>).GT_POLECAT === "Crash"
      ).map((a) => a.t as number);
    assert(
      await waitFor(
        async () => (await backoff())[crashing]?.crashLoop === true,
        60_000,
      ),
      `no crash loop: ${JSON.stringify(await backoff())}\n${await h.log()}`,
    );
    const starts = await crashStarts();
    assertEquals(starts.length, 5, JSON.stringify(starts));
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i]! - starts[i - 1]!;
      assert(gap >= 1_000 * 2 ** (i - 1), `gap ${i}: ${gap} ms`);
    }
    assertStringIncludes(await h.log(), `Not restarting ${crashing} yet`);
    const status = JSON.parse((await h.cli(["status", "--json"])).stdout);
    assertEquals(status.backoff[crashing].crashLoop, true);
    assertEquals(status.backoff[crashing].minUptimeMs, minUptime);
    assert(status.backoff[crashing].restarts >= 5);
    assertStringIncludes(
      (await h.cli(["status"])).stdout,
      `Crash loop: ${crashing}`,
    );

    await Deno.remove(`${h.fake}/agent-die.Crash`);
    const clear = await h.cli(["clear-backoff", crashing]);
    assertEquals(clear.code, 0, clear.stderr);
    assert(
      await waitFor(
        async () =>
          (await h.log()).includes(`Cleared restart backoff for ${crashing}`),
        10_000,
      ),
    );
    assert(
      await waitFor(async () => (await backoff())[crashing] === undefined),
    );
    const bad = await h.cli(["clear-backoff", "../etc"]);
    assertEquals(bad.code, 2);
    assertEquals((await h.cli(["stop"])).code, 0);
  } finally {
    await h.close();
  }
});

Deno.test("heartbeat --once --dry-run prints the plan and changes nothing", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    const human = await h.cli(["heartbeat", "--once", "--dry-run"]);
    assertEquals(human.code, 0, human.stderr);
    assertStringIncludes(human.stdout, "witnesses: 1 action(s)");
    assertStringIncludes(human.stdout, "start session gt-gastown-witness");
    assertStringIncludes(human.stdout, "nothing was done (dry run)");
    const json = await h.cli(["heartbeat", "--once", "--dry-run", "--json"]);
    const plan = JSON.parse(json.stdout);
    const witness = plan.checks.find((c: { check: string }) =>
      c.check === "witnesses"
    );
    assertEquals(
      witness.actions.filter((a: { kind: string }) => a.kind === "startSession")
        .length,
      1,
    );
    assertEquals([...(await h.sessions()).keys()], ["keepalive"]);
    assertEquals(
      (await h.calls()).filter((c) => (c.argv as string[])[0] === "update")
        .length,
      0,
    );
  } finally {
    await h.close();
  }
});
