/**
 * The SIGCHLD nudge: signals only a process that still is the one it was
 * pointed at, and only a tmux server unless told otherwise.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { procIdentity, TmuxReaper } from "../../src/adapters/tmux_reaper.ts";

/** A process that appends a line to `file` on every SIGCHLD it receives. */
function signalCounter(file: string): Deno.ChildProcess {
  return new Deno.Command("perl", {
    args: [
      "-e",
      'open(F, ">>", $ARGV[0]) or die; select(F); $| = 1; ' +
      '$SIG{CHLD} = sub { print "c\\n" }; print "up\\n"; sleep 1 while 1',
      file,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function lines(file: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(file)).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

Deno.test("procIdentity() reads the name and start time of a live process, null for none", () => {
  const self = procIdentity(Deno.pid);
  assert(self !== null);
  assert(/^\d+$/.test(self.startTime), self.startTime);
  assertEquals(self.comm, Deno.readTextFileSync("/proc/self/comm").trim());
  assertEquals(procIdentity(2 ** 22 + 12345), null);
});

Deno.test("TmuxReaper sends SIGCHLD on its period and stops when the process is gone", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/got`;
  const child = signalCounter(file);
  const notes: string[] = [];
  const reaper = new TmuxReaper({
    intervalMs: 20,
    isServer: (comm) => comm === "perl",
    note: (l) => notes.push(l),
  });
  try {
    assert(await waitFor(async () => (await lines(file)).length > 0, 5_000));
    reaper.target(child.pid);
    assertEquals(reaper.pid, child.pid);
    assert(
      await waitFor(async () => (await lines(file)).length >= 4, 5_000),
      "no SIGCHLD arrived",
    );
    assert(reaper.sent >= 3, String(reaper.sent));
    child.kill("SIGKILL");
    await child.status;
    // The PID no longer names that process: the reaper lets go of it.
    assert(await waitFor(() => Promise.resolve(reaper.pid === null), 2_000));
    const sent = reaper.sent;
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(reaper.sent, sent);
    assertEquals(notes, []);
  } finally {
    reaper.stop();
    try {
      child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TmuxReaper refuses a process that is not a tmux server, and does nothing when turned off", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/got`;
  const child = signalCounter(file);
  const strict = new TmuxReaper({ intervalMs: 10 });
  const off = new TmuxReaper({ intervalMs: 0, isServer: () => true });
  try {
    assert(await waitFor(async () => (await lines(file)).length > 0, 5_000));
    strict.target(child.pid);
    off.target(child.pid);
    assertEquals(strict.pid, null);
    assertEquals(off.pid, null);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(await lines(file), ["up"]);
    strict.target(null);
    assertEquals(strict.sent, 0);
  } finally {
    strict.stop();
    off.stop();
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "TmuxReaper says once why it cannot nudge when /proc is not readable (read permission alone is not enough)",
  permissions: { read: true },
  fn() {
    const notes: string[] = [];
    const reaper = new TmuxReaper({
      intervalMs: 10,
      isServer: () => true,
      note: (l) => notes.push(l),
    });
    try {
      reaper.target(Deno.pid);
      reaper.target(Deno.pid);
      assertEquals(reaper.pid, null);
      assertEquals(notes.length, 1);
      assert(notes[0]?.startsWith(`Cannot read /proc/${Deno.pid}/stat: `));
    } finally {
      reaper.stop();
    }
  },
});
