/**
 * A heartbeat that does not finish: every `tmux new-session` hangs (each
 * call is cut off after 10 s, and the heartbeat starts two agents). With a
 * heartbeat deadline of 1 s the overrun is logged, the daemon serves a
 * `poke` while the heartbeat is still stuck, does not start a second
 * heartbeat meanwhile, and stops on SIGTERM.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { fakeProcs, spawnDaemon } from "./procs.ts";
import { alphaTown, count, setMode, tmuxWrapper } from "./support.ts";

Deno.test("a heartbeat past its deadline is logged and the daemon keeps serving events and SIGTERM", async () => {
  const h = await alphaTown();
  try {
    const wrap = await tmuxWrapper(h.t.root);
    await setMode(h, "tmux.new-session", "hang");
    const d = spawnDaemon(h, {
      interval: "200ms",
      env: { PATH: `${wrap}:${h.env.PATH}` },
      args: ["--heartbeat-deadline", "1s"],
    });
    try {
      assert(
        await waitFor(
          async () =>
            (await h.log()).includes("Error: heartbeat overran its deadline"),
          15_000,
        ),
        `no overrun logged:\n${await h.log()}`,
      );
      // The stuck heartbeat still waits on tmux.
      assert(fakeProcs(h, "wrapbin/tmux\0new-session").length > 0);
      const poke = await h.cli(["poke"]);
      assertEquals(poke.code, 0, poke.stderr);
      assert(
        await waitFor(async () =>
          (await h.log()).includes(
            "Lifecycle processing requested through the events directory",
          ), 5_000),
        `the poke was not served during the overrun:\n${await h.log()}`,
      );
      assert(fakeProcs(h, "wrapbin/tmux\0new-session").length > 0);
      assert(
        await waitFor(async () =>
          (await h.log()).includes(
            "Heartbeat skipped: the previous one has not finished",
          )
        ),
        await h.log(),
      );
      const log = await h.log();
      assertEquals(count(log, "Heartbeat starting"), 1, log);
      const st = await h.cli(["status", "--json"]);
      assertEquals(JSON.parse(st.stdout).running, true, st.stdout);
      assertEquals(JSON.parse(st.stdout).pid, d.pid, st.stdout);
      d.signal("SIGTERM");
      const out = await d.exited;
      assertEquals(out.code, 0, out.stderr);
    } finally {
      await d.close();
    }
  } finally {
    await h.close();
  }
});
