import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { readState, waitFor } from "../helpers/cli.ts";
import { Harness, rigBeads, workingPolecat } from "../helpers/harness.ts";

type Backoff = Record<string, { restarts: number; crashLoop: boolean }>;

Deno.test("a polecat that keeps dying is restarted with growing backoff, shown by status, and cleared on request", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await Deno.mkdir(`${h.town}/gastown/polecats/Toast`, { recursive: true });
    await h.healthyRigs("gastown");
    await h.setBeads([
      ...rigBeads("gastown"),
      workingPolecat("gastown", "Toast"),
    ]);
    await Deno.writeTextFile(`${h.fake}/agent-die`, "");
    const t0 = Date.now();
    assertEquals((await h.cli(["start", "--interval", "300ms"])).code, 0);
    const agent = "gastown/polecats/Toast";
    const restarts = async () =>
      ((await readState(h.town))?.backoff as Backoff)?.[agent]?.restarts ?? 0;
    assert(
      await waitFor(async () => (await restarts()) >= 4, 40_000),
      await h.log(),
    );
    // Heartbeats run every 300 ms and every death wakes the daemon, yet the
    // restarts are spaced 1 s, 2 s, 4 s apart.
    const took = Date.now() - t0;
    assert(took >= 6_000, `4 restarts within ${took} ms`);
    const log = await h.log();
    assertStringIncludes(log, `Not restarting ${agent} yet: backing off`);
    const status = JSON.parse((await h.cli(["status", "--json"])).stdout);
    assert(status.backoff[agent].restarts >= 4, JSON.stringify(status.backoff));

    await Deno.remove(`${h.fake}/agent-die`);
    const clear = await h.cli(["clear-backoff", agent]);
    assertEquals(clear.code, 0, clear.stderr);
    assert(
      await waitFor(
        async () =>
          (await h.log()).includes(`Cleared restart backoff for ${agent}`),
        10_000,
      ),
    );
    assert(
      await waitFor(
        async () =>
          (await h.sessions()).get("gt-gastown-Toast")?.commands.includes(
            "claude",
          ) ?? false,
        15_000,
      ),
      await h.log(),
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
