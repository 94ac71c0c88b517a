/**
 * Another local user against the daemon lock, simulated with `setpriv
 * --reuid=nobody --regid=nogroup --clear-groups`: the lock and `daemon/`
 * are private, so that user cannot take the lock; a holder that is not
 * this user's daemon (one that got in while the files were loose, or a
 * foreign command) is named by `status`, `start` and `stop`, and never
 * signalled; and no signal goes to a PID whose identity changed.
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { alive, waitFor } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { readIdentity, signalIfSame } from "../../src/adapters/lock_holder.ts";
import { owners } from "./procs.ts";
import { which } from "./support.ts";

function asNobody(): string[] {
  return [
    which("setpriv"),
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
  ];
}

/** Starts `flock <lock> sleep 120` (as `prefix`); the caller ends it by PID. */
function flockHolder(lock: string, prefix: string[] = []) {
  // -F: flock becomes the command, so the holder is one process.
  const argv = [...prefix, which("flock"), "-F", lock, which("sleep"), "120"];
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const done = child.output();
  return {
    pid: child.pid,
    done,
    async close() {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
      await done;
    },
  };
}

/** A town that other users may read, as on a shared host. */
async function sharedTown(): Promise<Harness> {
  const h = await Harness.create();
  await Deno.chmod(h.t.root, 0o755);
  await Deno.chmod(h.town, 0o755);
  return h;
}

Deno.test("another user cannot take the lock: daemon/ is 0700 and the lock 0600", async () => {
  if (Deno.uid() !== 0) {
    console.log("SKIP: simulating another user with setpriv needs root");
    return;
  }
  const h = await sharedTown();
  try {
    assertEquals((await h.cli(["start"])).code, 0);
    assertEquals((await h.cli(["stop"])).code, 0);
    const lock = `${h.town}/daemon/daemon.lock`;
    const other = flockHolder(lock, asNobody());
    try {
      let exited: number | null = null;
      other.done.then((o) => (exited = o.code));
      assert(
        await waitFor(() => exited !== null || owners(lock).length > 0),
        "flock neither failed nor locked",
      );
      assertEquals(owners(lock), [], "the other user locked daemon.lock");
      assert(await waitFor(() => exited !== null));
      assert(exited !== 0);
      const r = await h.cli(["start"]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, "Daemon started");
    } finally {
      await other.close();
      await h.cli(["stop"]);
    }
  } finally {
    await h.close();
  }
});

Deno.test("a lock held by another user is named by status, start and stop, and never signalled", async () => {
  if (Deno.uid() !== 0) {
    console.log("SKIP: simulating another user with setpriv needs root");
    return;
  }
  const h = await sharedTown();
  try {
    // The layout of an older version: a loose directory and lock file.
    const lock = `${h.town}/daemon/daemon.lock`;
    await Deno.mkdir(`${h.town}/daemon`, { mode: 0o755 });
    await Deno.chmod(`${h.town}/daemon`, 0o755);
    await Deno.writeTextFile(lock, "");
    await Deno.chmod(lock, 0o644);
    const other = flockHolder(lock, asNobody());
    try {
      assert(await waitFor(() => owners(lock).length === 1), "no holder");
      const holder = owners(lock)[0]!;
      const st = await h.cli(["status"]);
      assertEquals(st.code, 0, st.stderr);
      assertStringIncludes(st.stdout, "Daemon is not running");
      assertStringIncludes(st.stdout, `held by PID ${holder} (uid 65534`);
      assertStringIncludes(st.stdout, "not this user's daemon");
      const json = JSON.parse((await h.cli(["status", "--json"])).stdout);
      assertEquals(json.running, false);
      assertEquals(json.lock_holder.uid, 65534);
      assertEquals(json.lock_holder.pid, holder);
      const start = await h.cli(["start"]);
      assertEquals(start.code, 1, start.stdout);
      assertStringIncludes(start.stderr, `held by PID ${holder} (uid 65534`);
      assertStringIncludes(start.stderr, "cannot start until it lets go");
      const stop = await h.cli(["stop"]);
      assertEquals(stop.code, 1, stop.stdout);
      assertStringIncludes(stop.stderr, "not signalling it");
      assert(alive(holder), "stop signalled another user's process");
    } finally {
      await other.close();
    }
    // Once it lets go, start works and makes the files private.
    const r = await h.cli(["start"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(Deno.statSync(`${h.town}/daemon`).mode! & 0o777, 0o700);
    assertEquals(Deno.statSync(lock).mode! & 0o777, 0o600);
    assertEquals((await h.cli(["stop"])).code, 0);
  } finally {
    await h.close();
  }
});

Deno.test("a foreign command of this user holding the lock is named, not taken for the daemon", async () => {
  const h = await Harness.create();
  try {
    await Deno.mkdir(`${h.town}/daemon`, { mode: 0o700 });
    const lock = `${h.town}/daemon/daemon.lock`;
    const holder = flockHolder(lock);
    try {
      assert(await waitFor(() => owners(lock).length === 1), "no holder");
      const st = await h.cli(["status"]);
      assertStringIncludes(st.stdout, "its command is not a daemon");
      const stop = await h.cli(["stop"]);
      assertEquals(stop.code, 1, stop.stdout);
      assert(alive(owners(lock)[0]!));
    } finally {
      await holder.close();
    }
  } finally {
    await h.close();
  }
});

Deno.test("signalIfSame() never signals a PID whose start time, uid or command changed", async () => {
  const child = new Deno.Command(which("sleep"), {
    args: ["120"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const id = readIdentity(child.pid);
    assert(id !== null && id.startTime !== null);
    for (
      const other of [
        { ...id, startTime: String(Number(id.startTime) + 1) },
        { ...id, uid: (id.uid ?? 0) + 1 },
        { ...id, argv: ["gt-daemon", "run"] },
      ]
    ) {
      assertEquals(signalIfSame(other, "SIGKILL"), false);
      assert(alive(child.pid));
    }
    assertEquals(signalIfSame(id, "SIGKILL"), true);
    assertEquals((await child.status).signal, "SIGKILL");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await child.status;
  }
});
