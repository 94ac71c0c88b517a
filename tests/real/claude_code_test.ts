/**
 * gt-daemon starts the real Claude Code (npm `@anthropic-ai/claude-code`,
 * installed by `deno task real-tools`) in a town built by the real tools (or,
 * where `gt` is missing, laid out by hand for the stand-ins), and recognises
 * it as a live agent. Offline it stays up only with a
 * prepared HOME (`.claude.json` with onboarding done and the working
 * directory trusted), `IS_SANDBOX=1` (as root it refuses
 * `--dangerously-skip-permissions` otherwise) and `ANTHROPIC_API_KEY` set;
 * it then waits at the dialog asking whether to use that key.
 *
 * @module
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { FIXTURE_BIN, readState, runCli, waitFor } from "../helpers/cli.ts";
import { claudePath } from "../../scripts/real_tools.ts";
import { findRealTool, REAL_TOOLS_DIR } from "./find_tools.ts";
import { RealTown } from "./real_town.ts";

/** The real Claude Code, or null after printing why it is missing. */
function findClaude(): string | null {
  const fromEnv = Deno.env.get("GT_DAEMON_REAL_CLAUDE");
  const path = fromEnv || claudePath(REAL_TOOLS_DIR);
  try {
    if (Deno.statSync(path).isFile) return path;
  } catch {
    // missing
  }
  let why = `not installed; run "deno task real-tools"`;
  try {
    why = Deno.readTextFileSync(`${REAL_TOOLS_DIR}/claude.unavailable`)
      .split("\n")[0]!;
  } catch {
    // never tried
  }
  console.error(
    `real claude skipped: ${
      fromEnv ? `GT_DAEMON_REAL_CLAUDE="${fromEnv}" is not a file` : why
    }`,
  );
  return null;
}

// The town is built by the real gt and bd where they are installed, else
// laid out by hand for the stand-ins: Claude Code is what this test is about.
const gt = findRealTool("gt").path;
const bd = findRealTool("bd").path;
const real = gt !== null && bd !== null;
const tools = real
  ? { gt, bd }
  : { gt: `${FIXTURE_BIN}/gt`, bd: `${FIXTURE_BIN}/bd` };
const claude = findClaude();

Deno.test({
  name:
    "gt-daemon starts the real Claude Code as the Deacon and keeps it as a live agent",
  ignore: !claude,
  fn: async () => {
    const t = await RealTown.create(tools, {
      standIns: !real,
      rig: false,
      agent: { command: claude! },
      env: { IS_SANDBOX: "1", ANTHROPIC_API_KEY: "sk-ant-offline-test-key" },
    });
    try {
      const trusted = { hasTrustDialogAccepted: true };
      await Deno.writeTextFile(
        `${t.root}/home/.claude.json`,
        JSON.stringify({
          hasCompletedOnboarding: true,
          projects: {
            [`${t.town}/deacon`]: trusted,
            [`${t.town}/deacon/dogs/boot`]: trusted,
          },
        }),
      );
      const start = await runCli(["start", "--interval", "1s"], {
        cwd: t.town,
        env: t.env,
      });
      assertEquals(start.code, 0, start.stderr);
      const id = await t.agentIn("gt-deacon", 60_000);
      assert(id, `no Claude Code in gt-deacon:\n${await t.log()}`);
      // It is the real one, waiting at its dialog.
      assert(
        await waitFor(
          async () =>
            (await t.tmux(["capture-pane", "-p", "-t", "=gt-deacon:"]))
              .includes("Do you want to use this API key?"),
          30_000,
        ),
        await t.tmux(["capture-pane", "-p", "-t", "=gt-deacon:"]),
      );
      // Three more heartbeats: the Deacon counts as alive and is left alone.
      const from = Number((await readState(t.town))?.heartbeat_count ?? 0);
      assert(
        await waitFor(
          async () =>
            Number((await readState(t.town))?.heartbeat_count ?? 0) >= from + 3,
          30_000,
        ),
      );
      assertEquals((await t.sessions()).get("gt-deacon")?.id, id);
      assertMatch(await t.log(), /Deacon session started successfully/);
      assert(
        !/zombie|Killed session gt-deacon/i.test(await t.log()),
        await t.log(),
      );
    } finally {
      await t.close();
    }
  },
});
