/**
 * gt-daemon against a town built by the real `gt` and `bd` (see
 * real_town.ts): every read and write of beads and mail goes through the
 * real tools, the agents are the stub on a private tmux server.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { lockHolders, readState, runCli, waitFor } from "../helpers/cli.ts";
import {
  IDLE_BEAD,
  realTools,
  RealTown,
  RIG,
  WORKER,
  WORKER_BEAD,
} from "./real_town.ts";

const tools = realTools();

const MIN = 60_000;

async function heartbeats(town: string): Promise<number> {
  return Number((await readState(town))?.heartbeat_count ?? 0);
}

/** Waits until the daemon has run `n` more heartbeats. */
async function moreHeartbeats(t: RealTown, n: number): Promise<void> {
  const from = await heartbeats(t.town);
  assert(
    await waitFor(async () => (await heartbeats(t.town)) >= from + n, 30_000),
    `the daemon did not run ${n} more heartbeats`,
  );
}

async function witnessMail(t: RealTown, prefix: string): Promise<string[]> {
  return (await t.inbox(`${RIG}/witness`))
    .map((m) => String(m.subject))
    .filter((s) => s.startsWith(prefix));
}

Deno.test({
  name: "gt-daemon supervises a town built by the real gt and bd",
  ignore: !tools,
  fn: async (ctx) => {
    const t = await RealTown.create(tools!);
    try {
      const start = await runCli(["start", "--interval", "1s"], {
        cwd: t.town,
        env: t.env,
      });
      assertEquals(start.code, 0, start.stderr);
      const pid = Number(/PID (\d+)/.exec(start.stdout)?.[1]);

      await ctx.step("the Witness and Refinery are started", async () => {
        assert(await t.agentIn(`gt-${RIG}-witness`), await t.log());
        assert(await t.agentIn(`gt-${RIG}-refinery`), await t.log());
      });

      await ctx.step("status is right about the real town", async () => {
        await moreHeartbeats(t, 1);
        const r = await runCli(["status"], { cwd: t.town, env: t.env });
        assertEquals(r.code, 0, r.stderr);
        assertMatch(
          r.stdout,
          new RegExp(`^● Daemon is running \\(PID ${pid}\\)\n`),
        );
        assertMatch(r.stdout, /Last heartbeat: \d\d:\d\d:\d\d \(#\d+\)/);
        assertMatch(r.stdout, new RegExp(`Town: ${t.town}\n`));
        assertEquals(lockHolders(`${t.town}/daemon/daemon.lock`), [pid]);
        const js = JSON.parse(
          (await runCli(["status", "--json"], { cwd: t.town, env: t.env }))
            .stdout,
        );
        assertEquals([js.running, js.pid, js.town], [true, pid, t.town]);
        assert(js.heartbeat_count >= 1);
      });

      await ctx.step("a killed polecat with hooked work is back", async () => {
        const session = `gt-${RIG}-${WORKER}`;
        const first = await t.agentIn(session, 20_000);
        assert(first, `the polecat was never started:\n${await t.log()}`);
        await t.tmux(["kill-session", "-t", `=${session}`]);
        const again = await t.agentIn(session, 20_000, first);
        assert(again, `the polecat did not come back:\n${await t.log()}`);
        // Its bead is in the rig database, which the town root's `bd list`
        // does not see; the other polecat has no work and stays down.
        assert(!(await t.sessions()).has(`gt-${RIG}-nux`));
      });

      await ctx.step(
        "a LIFECYCLE request to the Deacon is carried out and deleted",
        async () => {
          const before = (await t.sessions()).get(`gt-${RIG}-refinery`)!.id;
          await t.must(
            [
              "gt",
              "mail",
              "send",
              "deacon/",
              "-s",
              `LIFECYCLE: ${RIG}/refinery requesting restart`,
              "-m",
              "restart",
            ],
            t.town,
            { BD_ACTOR: `${RIG}/refinery`, GT_ROLE: "refinery", GT_RIG: RIG },
          );
          assert(
            await waitFor(
              async () => (await t.inbox("deacon/")).length === 0,
              20_000,
            ),
            "the request is still in the Deacon's inbox",
          );
          assert(
            await t.agentIn(`gt-${RIG}-refinery`, 20_000, before),
            `the Refinery was not restarted:\n${await t.log()}`,
          );
        },
      );

      await ctx.step(
        "GUPP mail lands in the Witness's real inbox once",
        async () => {
          t.backdate(WORKER_BEAD, 31 * MIN);
          assert(
            await waitFor(
              async () => (await witnessMail(t, "GUPP_VIOLATION")).length > 0,
              20_000,
            ),
            `no GUPP mail:\n${await t.log()}`,
          );
          await moreHeartbeats(t, 3);
          assertEquals(await witnessMail(t, "GUPP_VIOLATION"), [
            `GUPP_VIOLATION: ${WORKER_BEAD} stuck for 31m0s`,
          ]);
        },
      );

      await ctx.step(
        "orphaned-work mail lands in the Witness's real inbox once",
        async () => {
          // The polecat's death was recorded with the real tools half an hour
          // ago, and its work is still on its hook.
          await t.must(
            ["bd", "agent", "state", WORKER_BEAD, "dead"],
            `${t.town}/${RIG}`,
          );
          t.backdate(WORKER_BEAD, 31 * MIN);
          assert(
            await waitFor(
              async () => (await witnessMail(t, "ORPHANED_WORK")).length > 0,
              20_000,
            ),
            `no orphaned-work mail:\n${await t.log()}`,
          );
          await moreHeartbeats(t, 3);
          assertEquals(await witnessMail(t, "ORPHANED_WORK"), [
            `ORPHANED_WORK: ${WORKER_BEAD} has hooked work but is dead`,
          ]);
        },
      );

      await ctx.step(
        "an agent marked dead reads back as dead through bd show",
        async () => {
          // The Mayor says it is running but has not touched its bead for 16
          // minutes, and has no session: the daemon marks it dead.
          const mayor = await t.show("hq-mayor");
          const desc = String(mayor.description).replace(
            /^agent_state: .*$/m,
            "agent_state: running",
          );
          await t.must(["bd", "update", "hq-mayor", "--description", desc]);
          t.backdate("hq-mayor", 16 * MIN);
          assert(
            await waitFor(async () =>
              /^agent_state: dead$/m.test(
                String((await t.show("hq-mayor")).description),
              ), 20_000),
            `hq-mayor was not marked dead:\n${await t.log()}`,
          );
          // The daemon logs the mark once bd has written it.
          const marked = /Marked agent hq-mayor as dead due to timeout\n/;
          assert(
            await waitFor(async () => marked.test(await t.log()), 10_000),
            await t.log(),
          );
          // The idle polecat was never touched.
          assertMatch(
            String((await t.show(IDLE_BEAD)).description),
            /agent_state: spawning/,
          );
        },
      );
    } finally {
      await t.close();
    }
  },
});
