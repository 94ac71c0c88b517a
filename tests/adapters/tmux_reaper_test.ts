/**
 * The SIGCHLD nudge: signals only a process that still is the one it was
 * pointed at, and only a tmux server unless told otherwise.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { procIdentity, TmuxReaper } from "../../src/adapters/tmux_reaper.ts";
import { FakeClock } from "../fakes/clock.ts";

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
  const clock = new FakeClock();
  const reaper = new TmuxReaper({
    intervalMs: 20,
    isServer: (comm) => comm === "perl",
    note: (l) => notes.push(l),
    clock,
  });
  try {
    assert(await waitFor(async () => (await lines(file)).length > 0, 5_000));
    reaper.target(child.pid);
    assertEquals(reaper.pid, child.pid);
    await clock.advance(19);
    assertEquals(reaper.sent, 0);
    for (let i = 1; i <= 3; i++) {
      await clock.advance(i === 1 ? 1 : 20);
      assertEquals(reaper.sent, i);
      // One at a time: signals sent together may arrive as one.
      assert(
        await waitFor(async () => (await lines(file)).length >= 1 + i, 5_000),
        `SIGCHLD ${i} did not arrive`,
      );
    }
    child.kill("SIGKILL");
    await child.status;
    // The PID no longer names that process: at its next period the reaper
    // lets go of it and arms no further timer.
    await clock.advance(20);
    assertEquals(reaper.pid, null);
    assertEquals(reaper.sent, 3);
    assertEquals(clock.pending, []);
    await clock.advance(20 * 10);
    assertEquals(reaper.sent, 3);
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
  const clock = new FakeClock();
  const strict = new TmuxReaper({ intervalMs: 10, clock });
  const off = new TmuxReaper({ intervalMs: 0, isServer: () => true, clock });
  try {
    assert(await waitFor(async () => (await lines(file)).length > 0, 5_000));
    strict.target(child.pid);
    off.target(child.pid);
    assertEquals(strict.pid, null);
    assertEquals(off.pid, null);
    // Neither armed a timer: however much time passes, nothing is sent.
    assertEquals(clock.pending, []);
    await clock.advance(10 * 10);
    assertEquals([strict.sent, off.sent], [0, 0]);
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
