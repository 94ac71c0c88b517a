import { assert, assertEquals } from "../helpers/assert.ts";
import {
  fdinfoHoldsLock,
  parseProcLocks,
  probeLock,
  tryLockFile,
} from "../../src/adapters/lock.ts";
import { waitFor } from "../helpers/cli.ts";

function flockRun(path: string, seconds: number) {
  const child = new Deno.Command("flock", {
    args: ["-n", "-o", path, "sleep", String(seconds)],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return child;
}

Deno.test("tryLockFile() is refused while flock(1) holds the file, and granted after", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/daemon.lock`;
  await Deno.writeTextFile(path, "");
  const holder = flockRun(path, 30);
  try {
    assert(await waitFor(async () => (await probeLock(path)).held, 5_000));
    assertEquals((await probeLock(path)).holderPid, holder.pid);
    assertEquals(await tryLockFile(path), null);
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
  }
  const lock = await tryLockFile(path);
  assert(lock !== null);
  lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("flock -n fails while tryLockFile() holds the file, and the file survives release", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/daemon.lock`;
  const lock = await tryLockFile(path);
  assert(lock !== null);
  try {
    const probe = await new Deno.Command("flock", {
      args: ["-n", path, "true"],
      stdin: "null",
    }).output();
    assertEquals(probe.code, 1);
    const me = await probeLock(path);
    assertEquals(me, { held: true, holderPid: Deno.pid });
  } finally {
    lock.release();
  }
  const after = await new Deno.Command("flock", {
    args: ["-n", path, "true"],
    stdin: "null",
  }).output();
  assertEquals(after.code, 0);
  await Deno.stat(path);
  assertEquals(await probeLock(path), { held: false, holderPid: null });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("probeLock() reports a missing lock file as not held", async () => {
  assertEquals(await probeLock("/nonexistent/gtd/daemon.lock"), {
    held: false,
    holderPid: null,
  });
});

Deno.test("parseProcLocks() matches device and inode and ignores blocked waiters and POSIX locks", () => {
  const dev = 0xfe00; // major 0xfe, minor 0
  const text = [
    "1: POSIX  ADVISORY  WRITE 111 fe:00:42 0 EOF",
    "2: FLOCK  ADVISORY  WRITE 222 fe:01:42 0 EOF",
    "3: FLOCK  ADVISORY  WRITE 333 fe:00:42 0 EOF",
    "3: -> FLOCK  ADVISORY  WRITE 444 fe:00:42 0 EOF",
  ].join("\n");
  assertEquals(parseProcLocks(text, dev, 42), { held: true, holderPid: 333 });
  assertEquals(parseProcLocks(text, dev, 43), { held: false, holderPid: null });
});

Deno.test("tryLockFile() replaces a symlink planted at the lock path instead of locking its target", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(`${dir}/elsewhere`, `${dir}/daemon.lock`);
    const lock = await tryLockFile(`${dir}/daemon.lock`);
    assert(lock !== null);
    lock.release();
    assert(!(await Deno.lstat(`${dir}/daemon.lock`)).isSymlink);
    await Deno.stat(`${dir}/elsewhere`).then(
      () => assert(false, "target created"),
      () => {},
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fdinfoHoldsLock() finds the lock in the holder's own fd table, and only there", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/daemon.lock`;
  const other = `${dir}/other.lock`;
  await Deno.writeTextFile(path, "");
  await Deno.writeTextFile(other, "");
  const holder = flockRun(path, 30);
  try {
    const info = await Deno.stat(path);
    assert(
      await waitFor(() => fdinfoHoldsLock(holder.pid, info), 5_000),
      "the holder's fdinfo shows no lock",
    );
    // Another process, another file, a PID that does not exist: no.
    assertEquals(fdinfoHoldsLock(Deno.pid, info), false);
    assertEquals(
      fdinfoHoldsLock(holder.pid, await Deno.stat(other)),
      false,
    );
    assertEquals(fdinfoHoldsLock(2 ** 22 + 777, info), false);
    // With or without a right hint, the holder is found.
    assertEquals(await probeLock(path, holder.pid), {
      held: true,
      holderPid: holder.pid,
    });
    // A wrong hint does not hide it.
    assertEquals((await probeLock(path, Deno.pid)).holderPid, holder.pid);
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
  }
  assertEquals(await probeLock(path, holder.pid), {
    held: false,
    holderPid: null,
  });
  await Deno.remove(dir, { recursive: true });
});
