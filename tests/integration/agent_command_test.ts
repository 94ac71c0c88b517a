import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { readState, waitFor } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { toolDir } from "../adversarial/support.ts";

const lines = (log: string, text: string) =>
  log.split("\n").filter((l) => l.includes(text));

Deno.test("a missing agent command is one error with the path searched; nothing is started until it appears, and status warns meanwhile", async () => {
  const h = await Harness.create({ rigs: ["gastown"] });
  try {
    await Deno.mkdir(`${h.town}/gastown/witness`, { recursive: true });
    const dir = await toolDir(h.t.root, "no-claude", [
      "tmux",
      "gt",
      "bd",
      "git",
    ]);
    const start = await h.cli(["start", "--interval", "200ms"], { PATH: dir });
    assertEquals(start.code, 0, start.stderr);
    const beats = async () =>
      Number((await readState(h.town))?.heartbeat_count ?? 0);
    assert(await waitFor(async () => (await beats()) >= 5, 20_000));
    let log = await h.log();
    const errors = lines(log, 'Error: agent command "claude"');
    assertEquals(errors.length, 1, log);
    assertStringIncludes(
      errors[0]!,
      `Error: agent command "claude" not found: searched ${dir}:`,
    );
    assertEquals(lines(log, 'Tool "claude" not found').length, 0, log);
    // The Witness and Refinery are not started, not even tried.
    assertEquals(lines(log, "Not starting gastown/witness").length, 1, log);
    assertEquals(lines(log, "started successfully").length, 0, log);
    assertEquals(lines(log, "Error starting").length, 0, log);
    assertEquals(
      [...(await h.sessions()).keys()].filter((s) => s.startsWith("gt-")),
      [],
    );
    const status = JSON.parse((await h.cli(["status", "--json"])).stdout);
    assert(
      status.warnings.some((w: string) =>
        w.startsWith('Agent command "claude" not found')
      ),
      JSON.stringify(status.warnings),
    );
    assertStringIncludes(
      (await h.cli(["status"])).stdout,
      'Agent command "claude" not found',
    );

    // Installed: the next pass finds it and starts the agents.
    await Deno.symlink(
      new URL("../fixtures/bin/claude", import.meta.url).pathname,
      `${dir}/claude`,
    );
    assert(
      await waitFor(
        async () =>
          (await h.sessions()).get("gt-gastown-witness")?.commands.includes(
            "claude",
          ) ?? false,
        20_000,
      ),
      await h.log(),
    );
    log = await h.log();
    assertEquals(lines(log, 'Agent command "claude" found:').length, 1, log);
    assert(
      await waitFor(async () => {
        const s = JSON.parse((await h.cli(["status", "--json"])).stdout);
        return !s.warnings.some((w: string) => w.includes("claude"));
      }),
    );
    assertEquals((await h.cli(["stop"])).code, 0);
  } finally {
    await h.close();
  }
});
