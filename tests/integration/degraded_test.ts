import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { Harness } from "../helpers/harness.ts";
import { toolDir } from "../adversarial/support.ts";

Deno.test("degraded Boot triage records what really happened to the Deacon", async (t) => {
  const h = await Harness.create({ quiet: false });
  const bootStatus = async () =>
    JSON.parse(
      await Deno.readTextFile(`${h.town}/deacon/dogs/boot/.boot-status.json`),
    );
  const logSince = async (n: number) => (await h.log()).slice(n);
  try {
    await t.step(
      "without tmux nothing is started, and nothing is claimed",
      async () => {
        const dir = await toolDir(h.t.root, "no-tmux", [
          "gt",
          "bd",
          "git",
          "claude",
        ]);
        const skip = (await h.log()).length;
        await h.heartbeat({ PATH: dir });
        const log = await logSince(skip);
        assertStringIncludes(
          log,
          "Degraded mode: running mechanical Boot triage",
        );
        assert(!log.includes("Deacon not running, starting..."), log);
        assertStringIncludes(
          log,
          "Deacon session cannot be checked or started: tmux is not available",
        );
        const status = await bootStatus();
        assertEquals(status.last_action, "error");
        assertEquals(status.target, undefined);
        assertStringIncludes(status.error, "tmux is not available");
      },
    );

    await t.step(
      "GT_DEGRADED=true and a Deacon start that fails: error with the reason",
      async () => {
        await h.tmux([
          "set-hook",
          "-g",
          "session-created",
          "if-shell -F '#{==:#{session_name},gt-deacon}' 'kill-session -t gt-deacon'",
        ]);
        const skip = (await h.log()).length;
        await h.heartbeat({ GT_DEGRADED: "true" });
        const log = await logSince(skip);
        assertStringIncludes(log, "Deacon not running, starting...");
        const status = await bootStatus();
        assertEquals(status.last_action, "error", JSON.stringify(status));
        assert(status.error.length > 0);
        assert(!(await h.sessions()).has("gt-deacon"));
      },
    );

    await t.step(
      "GT_DEGRADED=true and a Deacon that starts: start/deacon",
      async () => {
        await h.tmux(["set-hook", "-gu", "session-created"]);
        // A fresh start, not held back by the failure above.
        await Deno.remove(`${h.town}/daemon/state.json`);
        await h.heartbeat({ GT_DEGRADED: "true" });
        const status = await bootStatus();
        assertEquals(
          [status.last_action, status.target, status.error],
          ["start", "deacon", undefined],
        );
        assert(
          (await h.sessions()).get("gt-deacon")?.commands.includes("claude"),
        );
      },
    );
  } finally {
    await h.close();
  }
});
