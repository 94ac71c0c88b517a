/**
 * Permissions and planted symlinks: the lock, PID and state files are never
 * group- or world-writable and the log is 0600, even under `umask 000` or
 * when they already existed with loose modes; a symlink planted at any file
 * the daemon writes (or at its events directory) is replaced, never
 * followed to overwrite or delete another file.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { readState, waitFor } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";
import { count, which } from "./support.ts";
import { spawnDaemon } from "./procs.ts";
import { exists } from "../helpers/files.ts";

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

function octal(n: number): string {
  return `0${n.toString(8)}`;
}

async function runUntilHeartbeats(
  h: Harness,
  n: number,
  env: Record<string, string> = {},
): Promise<void> {
  const d = spawnDaemon(h, { interval: "50ms", env });
  try {
    assert(
      await waitFor(async () =>
        count(await h.log(), "Heartbeat complete") >= n
      ),
      await h.log(),
    );
    d.signal("SIGTERM");
    const out = await d.exited;
    assertEquals(out.code, 0, out.stderr);
  } finally {
    await d.close();
  }
}

Deno.test("under umask 000 the daemon's files are not group- or world-writable and the log is 0600", async () => {
  const h = await Harness.create();
  try {
    const d = spawnDaemon(h, {
      interval: "50ms",
      prefix: [which("bash"), "-c", 'umask 000; exec "$@"', "bash"],
    });
    try {
      assert(
        await waitFor(async () =>
          count(await h.log(), "Heartbeat complete") >= 2
        ),
      );
      const dir = `${h.town}/daemon`;
      const loose: string[] = [];
      for (
        const f of [
          "daemon.lock",
          "daemon.pid",
          "state.json",
          "notifications.json",
          "events",
          ".",
        ]
      ) {
        const m = mode(`${dir}/${f}`);
        if (m & 0o022) loose.push(`${f} ${octal(m)}`);
      }
      for (const f of [".events.jsonl", ".feed.jsonl"]) {
        // The feed file appears with its first curated line.
        if (f === ".feed.jsonl") {
          await Deno.writeTextFile(
            `${h.town}/.events.jsonl`,
            '{"ts":"2026-01-01T00:00:00Z","source":"gt","type":"sling","actor":"a","payload":{},"visibility":"feed"}\n',
            { append: true },
          );
          assert(await waitFor(() => exists(`${h.town}/${f}`)), f);
        }
        const m = mode(`${h.town}/${f}`);
        if (m & 0o022) loose.push(`${f} ${octal(m)}`);
      }
      assertEquals(loose, []);
      assertEquals(octal(mode(`${dir}/daemon.log`)), "0600");
      assertEquals(octal(mode(`${dir}/events`)), "0700");
    } finally {
      await d.stop();
    }
  } finally {
    await h.close();
  }
});

Deno.test("files that already exist with loose modes are tightened: lock, PID and state not writable by others, log 0600", async () => {
  const h = await Harness.create();
  try {
    const dir = `${h.town}/daemon`;
    await Deno.mkdir(dir, { recursive: true });
    for (const f of ["daemon.lock", "daemon.pid", "state.json", "daemon.log"]) {
      await Deno.writeTextFile(`${dir}/${f}`, "");
      await Deno.chmod(`${dir}/${f}`, 0o666);
    }
    await runUntilHeartbeats(h, 1);
    for (const f of ["daemon.lock", "state.json"]) {
      assertEquals(
        mode(`${dir}/${f}`) & 0o022,
        0,
        `${f}: ${octal(mode(`${dir}/${f}`))}`,
      );
    }
    assertEquals(octal(mode(`${dir}/daemon.log`)), "0600");
  } finally {
    await h.close();
  }
});

Deno.test("symlinks planted at every file the daemon writes are replaced, never followed", async () => {
  const h = await Harness.create({ quiet: false });
  try {
    const town = h.town;
    const victims = `${h.t.root}/victims`;
    await Deno.mkdir(victims);
    await Deno.mkdir(`${town}/daemon`, { recursive: true });
    await Deno.mkdir(`${town}/spawn`, { recursive: true });
    const planted = [
      "daemon/daemon.pid",
      "daemon/daemon.pid.tmp",
      "daemon/state.json",
      "daemon/state.json.tmp",
      "daemon/notifications.json",
      "daemon/notifications.json.tmp",
      "daemon/daemon.log",
      "daemon/daemon.lock",
      "deacon/dogs/boot/.boot-status.json",
      "deacon/dogs/boot/.boot-status.json.tmp",
    ];
    for (const [i, p] of planted.entries()) {
      await Deno.writeTextFile(`${victims}/v${i}`, `victim ${i}\n`);
      await Deno.symlink(`${victims}/v${i}`, `${town}/${p}`);
    }
    // The events directory, pointing at a directory of precious files.
    await Deno.mkdir(`${victims}/dir`);
    for (
      const f of ["heartbeat", "lifecycle", "notes.txt", "clear-backoff.all"]
    ) {
      await Deno.writeTextFile(`${victims}/dir/${f}`, "precious\n");
    }
    await Deno.symlink(`${victims}/dir`, `${town}/daemon/events`);
    // Degraded triage writes the Boot status file.
    await runUntilHeartbeats(h, 2, { GT_DEGRADED: "true" });
    for (const [i, p] of planted.entries()) {
      assertEquals(
        await Deno.readTextFile(`${victims}/v${i}`),
        `victim ${i}\n`,
        `${p} was followed`,
      );
    }
    assertEquals(
      [...Deno.readDirSync(`${victims}/dir`)].map((e) => e.name).sort(),
      ["clear-backoff.all", "heartbeat", "lifecycle", "notes.txt"],
    );
    for (
      const p of [
        "daemon/state.json",
        "daemon/daemon.log",
        "daemon/notifications.json",
      ]
    ) {
      const info = Deno.lstatSync(`${town}/${p}`);
      assert(info.isFile && !info.isSymlink, `${p} is not a regular file`);
    }
    assert(!Deno.lstatSync(`${town}/daemon/events`).isSymlink);
    assertEquals((await readState(town))?.running, false);
  } finally {
    await h.close();
  }
});
