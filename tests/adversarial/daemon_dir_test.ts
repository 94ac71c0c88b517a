/**
 * The daemon directory and restored state: `daemon/` is created 0700 and the
 * lock 0600 whatever the umask; a loose one of ours is tightened; one owned
 * by another user is refused; a backoff planted in `state.json` is bounded
 * to the policy's maximum; a deleted `daemon/` is re-created by the next
 * state save, with the lock taken again.
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { MAIN, readPid, waitFor } from "../helpers/cli.ts";
import { type CommandOutput, runCommand } from "../helpers/command.ts";
import { Harness } from "../helpers/harness.ts";
import { owners, spawnDaemon } from "./procs.ts";
import { alphaTown, count, which } from "./support.ts";

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

async function cliUnder(
  h: Harness,
  prefix: string[],
  args: string[],
): Promise<CommandOutput> {
  const argv = [
    ...prefix,
    Deno.execPath(),
    "run",
    "--allow-all",
    "--quiet",
    MAIN,
    ...args,
  ];
  return await runCommand(argv, { cwd: h.town, env: h.env });
}

const UMASK_000 = [which("bash"), "-c", 'umask 000; exec "$@"', "bash"];

Deno.test("heartbeat --once under umask 000 creates daemon/ 0700 and the lock 0600", async () => {
  const h = await Harness.create();
  try {
    const r = await cliUnder(h, UMASK_000, ["heartbeat", "--once"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(mode(`${h.town}/daemon`).toString(8), "700");
    assertEquals(mode(`${h.town}/daemon/daemon.lock`).toString(8), "600");
  } finally {
    await h.close();
  }
});

Deno.test("a daemon/ of ours open to others is made 0700, with a warning", async () => {
  const h = await Harness.create();
  try {
    await Deno.mkdir(`${h.town}/daemon`);
    await Deno.chmod(`${h.town}/daemon`, 0o777);
    await Deno.writeTextFile(`${h.town}/daemon/daemon.lock`, "");
    await Deno.chmod(`${h.town}/daemon/daemon.lock`, 0o644);
    const d = spawnDaemon(h, { interval: "100ms" });
    try {
      assert(
        await waitFor(async () =>
          count(await h.log(), "Heartbeat complete") >= 1
        ),
      );
      assertEquals(mode(`${h.town}/daemon`).toString(8), "700");
      assertEquals(mode(`${h.town}/daemon/daemon.lock`).toString(8), "600");
      assertStringIncludes(
        await h.log(),
        "was 0777; removed the group and other permissions",
      );
    } finally {
      await d.stop();
    }
  } finally {
    await h.close();
  }
});

Deno.test("a daemon/ owned by another user is refused by run, start and heartbeat --once", async () => {
  if (Deno.uid() !== 0) {
    console.log("SKIP: giving daemon/ to another user needs root (chown)");
    return;
  }
  const h = await Harness.create();
  try {
    await Deno.mkdir(`${h.town}/daemon`, { mode: 0o755 });
    await Deno.chown(`${h.town}/daemon`, 65534, 65534);
    for (
      const args of [
        ["run", "--interval", "1s"],
        ["start"],
        ["heartbeat", "--once"],
      ]
    ) {
      const r = await h.cli(args);
      assertEquals(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
      assertStringIncludes(r.stderr, "is owned by uid 65534, not by this user");
      assertEquals([...Deno.readDirSync(`${h.town}/daemon`)], [], args[0]);
    }
  } finally {
    await h.close();
  }
});

Deno.test("a restart backoff planted in state.json is bounded to the policy maximum", async () => {
  const h = await alphaTown();
  try {
    await Deno.mkdir(`${h.town}/daemon`, { mode: 0o700 });
    const now = Date.now();
    await Deno.writeTextFile(
      `${h.town}/daemon/state.json`,
      JSON.stringify({
        running: false,
        pid: 0,
        backoff: {
          "alpha/witness": {
            restarts: 1,
            nextAllowedMs: 9e15,
            crashLoop: true,
            lastRestartMs: 9e15,
          },
        },
      }),
    );
    const r = await h.cli(["heartbeat", "--once"]);
    assertEquals(r.code, 0, r.stderr);
    const state = JSON.parse(
      await Deno.readTextFile(`${h.town}/daemon/state.json`),
    );
    const e = state.backoff?.["alpha/witness"];
    assert(e !== undefined, JSON.stringify(state.backoff));
    assert(e.nextAllowedMs <= Date.now() + 300_000, JSON.stringify(e));
    assert(e.lastRestartMs <= Date.now(), JSON.stringify(e));
    assert(e.nextAllowedMs >= now, JSON.stringify(e));
  } finally {
    await h.close();
  }
});

Deno.test("a deleted daemon/ is re-created by the next state save, and the lock is held again", async () => {
  const h = await Harness.create();
  const d = spawnDaemon(h, { interval: "100ms" });
  try {
    assert(await waitFor(async () => (await readPid(h.town)) === d.pid));
    // Moved away in one step, then removed: a recursive remove races the
    // daemon writing into the folder it is emptying.
    await Deno.rename(`${h.town}/daemon`, `${h.t.root}/daemon.removed`);
    await Deno.remove(`${h.t.root}/daemon.removed`, { recursive: true });
    assert(
      await waitFor(() => {
        try {
          return Deno.statSync(`${h.town}/daemon/state.json`).isFile;
        } catch {
          return false;
        }
      }),
      "state.json was not written again",
    );
    assertEquals(mode(`${h.town}/daemon`).toString(8), "700");
    assert(await waitFor(async () => (await readPid(h.town)) === d.pid));
    assertEquals(owners(`${h.town}/daemon/daemon.lock`), [d.pid]);
    const again = await h.cli(["start"]);
    assertEquals(again.code, 0, again.stderr);
    assertStringIncludes(again.stdout, `already running (PID ${d.pid})`);
    // The events directory may bring daemon/ back first; either way the
    // lock is taken again.
    assertMatch(
      await h.log(),
      /was removed; re-created it|was removed or replaced; locking it again/,
    );
  } finally {
    await d.stop();
    await h.close();
  }
});
