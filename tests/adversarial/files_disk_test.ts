/**
 * The daemon's own directory under attack while it runs, or before it
 * starts: `daemon/` read-only, a full disk (every write that grows a file
 * fails), and the log deleted or replaced by a file, a symlink or a
 * directory.
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { alive, readState, waitFor } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { asPlainUser, count, linesWith, logSince, which } from "./support.ts";
import { childPids, cmdline, spawnDaemon } from "./procs.ts";

Deno.test("a daemon/ directory made read-only under the running daemon costs warnings, not the daemon", async () => {
  const h = await Harness.create();
  const dir = `${h.town}/daemon`;
  const d = spawnDaemon(h, { interval: "100ms", prefix: asPlainUser() });
  try {
    assert(
      await waitFor(async () =>
        ((await readState(h.town))?.heartbeat_count as number) >= 1
      ),
      await h.log(),
    );
    const before = await Deno.readTextFile(`${dir}/state.json`);
    await Deno.chmod(dir, 0o555);
    const skip = (await h.log()).length;
    assert(
      await waitFor(async () =>
        count(await logSince(h, skip), "Heartbeat complete") >= 2
      ),
      await h.log(),
    );
    const log = await logSince(h, skip);
    const ticks = log.split("Heartbeat complete").slice(0, -1);
    for (const tick of ticks.slice(1)) {
      assertEquals(count(tick, "Warning: failed to save state: "), 1, tick);
    }
    assertMatch(
      linesWith(log, "Warning: failed to save state: ")[0]!,
      /Permission denied/,
    );
    // The old state is intact, and nothing half-written was left behind.
    assertEquals(await Deno.readTextFile(`${dir}/state.json`), before);
    assert(alive(d.pid));
    await Deno.chmod(dir, 0o755);
    const n = (await readState(h.town))?.heartbeat_count as number;
    assert(
      await waitFor(async () =>
        ((await readState(h.town))?.heartbeat_count as number) > n + 1
      ),
    );
    d.signal("SIGTERM");
    const out = await d.exited;
    assertEquals(out.code, 0, out.stderr);
    assertEquals((await readState(h.town))?.running, false);
  } finally {
    await Deno.chmod(dir, 0o755).catch(() => {});
    await d.close();
    await h.close();
  }
});

Deno.test("run on a read-only daemon/ directory says why it cannot start, on stderr and in the exit status", async () => {
  const h = await Harness.create();
  const dir = `${h.town}/daemon`;
  try {
    await Deno.mkdir(dir);
    await Deno.chmod(dir, 0o555);
    const d = spawnDaemon(h, { prefix: asPlainUser() });
    const out = await d.exited;
    assertEquals(out.code, 1, out.stderr);
    assertMatch(
      out.stderr,
      /^Error: opening lock file: Permission denied.*daemon\.lock/m,
    );
    // The log could not be written either: said once, not per line.
    assertEquals(count(out.stderr, "cannot write log"), 1, out.stderr);
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.chmod(dir, 0o755).catch(() => {});
    await h.close();
  }
});

Deno.test("a full disk (every write that grows a file fails) never half-writes state.json, and the daemon recovers", async () => {
  const h = await Harness.create();
  const prlimit = which("prlimit");
  // SIGXFSZ ignored: a write past the file size limit fails with EFBIG,
  // as a write to a full disk fails with ENOSPC.
  const d = spawnDaemon(h, {
    interval: "100ms",
    prefix: [which("bash"), "-c", 'trap "" XFSZ; exec "$@"', "bash"],
  });
  const limit = async (value: string) => {
    const p = await new Deno.Command(prlimit, {
      args: ["--pid", String(d.pid), `--fsize=${value}`],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(p.code, 0, new TextDecoder().decode(p.stderr));
  };
  try {
    assert(
      await waitFor(async () =>
        count(await h.log(), "Heartbeat complete (#2)") === 1
      ),
      await h.log(),
    );
    await limit("1:unlimited");
    const full = await Deno.readTextFile(`${h.town}/daemon/state.json`);
    const counted = JSON.parse(full).heartbeat_count as number;
    // Heartbeats run while nothing can be written: each starts one
    // `bd list`, seen here as a child of the daemon.
    const seen = new Set<number>();
    assert(
      await waitFor(() => {
        for (const c of childPids(d.pid)) {
          if (cmdline(c).includes("bin/bd list")) seen.add(c);
        }
        return seen.size >= 2;
      }, 20_000),
      `bd children seen: ${seen.size}`,
    );
    assertEquals(await Deno.readTextFile(`${h.town}/daemon/state.json`), full);
    assert(alive(d.pid));
    await limit("unlimited:unlimited");
    // The daemon carries on: its count moved on while nothing was written,
    // and the line of the first heartbeat run on a full disk was lost.
    assert(
      await waitFor(async () =>
        count(await h.log(), `Heartbeat complete (#${counted + 3})`) === 1
      ),
      await h.log(),
    );
    assertEquals(
      count(await h.log(), `Heartbeat complete (#${counted + 1})`),
      0,
      "a log line was written while the disk was full",
    );
    assert(
      ((await readState(h.town))?.heartbeat_count as number) >= counted + 3,
    );
    d.signal("SIGTERM");
    const out = await d.exited;
    assertEquals(out.code, 0, out.stderr);
    assertEquals(count(out.stderr, "cannot write log"), 1, out.stderr);
    assertStringIncludes(out.stderr, "File too large");
  } finally {
    await d.close();
    await h.close();
  }
});

Deno.test("the log deleted, replaced by a file, a symlink or a directory under the running daemon", async (t) => {
  const h = await Harness.create();
  const log = `${h.town}/daemon/daemon.log`;
  const d = spawnDaemon(h, { interval: "50ms" });
  const completes = async () => count(await h.log(), "Heartbeat complete");
  const grows = async () => {
    const n = await completes();
    return await waitFor(async () => (await completes()) >= n + 2, 10_000);
  };
  try {
    assert(await waitFor(async () => (await completes()) >= 1));
    await t.step("deleted: recreated with mode 0600", async () => {
      await Deno.remove(log);
      assert(await waitFor(async () => (await completes()) >= 1));
      assertEquals((await Deno.stat(log)).mode! & 0o777, 0o600);
    });
    await t.step("replaced by another file: appended to", async () => {
      await Deno.writeTextFile(`${log}.new`, "2000/01/01 00:00:00 replaced\n");
      await Deno.rename(`${log}.new`, log);
      assert(await grows());
      assert((await h.log()).startsWith("2000/01/01 00:00:00 replaced\n"));
    });
    await t.step(
      "replaced by a symlink: the target is never written",
      async () => {
        const victim = `${h.t.root}/victim.txt`;
        await Deno.writeTextFile(victim, "precious\n");
        await Deno.remove(log);
        await Deno.symlink(victim, log);
        assert(await waitFor(() => !Deno.lstatSync(log).isSymlink));
        assert(await grows());
        assertEquals(await Deno.readTextFile(victim), "precious\n");
      },
    );
    await t.step(
      "replaced by a directory: one line on stderr, then back",
      async () => {
        await Deno.remove(log);
        await Deno.mkdir(`${log}/blocker`, { recursive: true });
        assert(await waitFor(() => d.stderr().includes("cannot write log")));
        assert(alive(d.pid));
        await Deno.remove(log, { recursive: true });
        assert(await waitFor(async () => (await completes()) >= 2));
        assertEquals(count(d.stderr(), "cannot write log"), 1, d.stderr());
      },
    );
    d.signal("SIGTERM");
    assertEquals((await d.exited).code, 0);
  } finally {
    await d.close();
    await h.close();
  }
});
