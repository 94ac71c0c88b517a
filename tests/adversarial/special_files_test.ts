/**
 * Special files planted in the town: a FIFO or a symlink to a device where
 * the daemon expects a regular file. The daemon reads town files only when
 * they are regular files, with a byte cap, so a heartbeat still finishes,
 * a killed Witness is restarted, SIGTERM still stops the daemon and the
 * process does not grow.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import { alphaTown, count, linesWith, mkfifo } from "./support.ts";
import { spawnDaemon } from "./procs.ts";

/** Resident set size of `pid` in bytes (0 when gone). */
function rss(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** `p`, or null when it takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<null>((r) => (timer = setTimeout(() => r(null), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a FIFO at deacon/heartbeat.json: heartbeats finish, a killed Witness comes back, SIGTERM stops the daemon", async () => {
  const h = await alphaTown();
  try {
    await Deno.mkdir(`${h.town}/deacon`, { recursive: true });
    await mkfifo(`${h.town}/deacon/heartbeat.json`);
    const d = spawnDaemon(h, { interval: "200ms" });
    try {
      assert(
        await waitFor(
          async () =>
            count(await h.log(), "Heartbeat complete") >= 2 &&
            (await h.sessions()).get("gt-alpha-witness")?.commands.includes(
                "claude",
              ) === true,
          20_000,
        ),
        `no heartbeat finished with a FIFO in the town:\n${await h.log()}`,
      );
      const log = await h.log();
      assert(
        linesWith(log, "deacon/heartbeat.json").some((l) =>
          l.includes("Not a regular file")
        ),
        log,
      );
      const before = (await h.sessions()).get("gt-alpha-witness")!;
      await h.tmux(["kill-session", "-t", "=gt-alpha-witness"]);
      assert(
        await waitFor(async () => {
          const v = (await h.sessions()).get("gt-alpha-witness");
          return v !== undefined && v.id !== before.id &&
            v.commands.includes("claude");
        }, 20_000),
        `the killed Witness was not restarted:\n${await h.log()}`,
      );
      d.signal("SIGTERM");
      const stopped = await within(d.exited, 10_000);
      assert(stopped !== null, "SIGTERM did not stop the daemon within 10 s");
      assertEquals(stopped.code, 0, stopped.stderr);
      const st = await h.cli(["status", "--json"]);
      assertEquals(JSON.parse(st.stdout).running, false, st.stdout);
    } finally {
      await d.close();
    }
  } finally {
    await h.close();
  }
});

Deno.test("symlinks to /dev/zero at town files are refused without reading them: the daemon stays small", async () => {
  const h = await alphaTown();
  try {
    await Deno.mkdir(`${h.town}/deacon`, { recursive: true });
    await Deno.mkdir(`${h.town}/settings`, { recursive: true });
    for (
      const f of ["deacon/heartbeat.json", "settings/config.json"]
    ) {
      await Deno.symlink("/dev/zero", `${h.town}/${f}`);
    }
    const d = spawnDaemon(h, { interval: "200ms" });
    let peak = 0;
    try {
      const ok = await waitFor(async () => {
        peak = Math.max(peak, rss(d.pid));
        // Growing without bound is the failure: stop at 400 MiB.
        if (peak > 400 * 1024 * 1024) return true;
        return count(await h.log(), "Heartbeat complete") >= 3;
      }, 20_000);
      assert(ok, `no heartbeat finished:\n${await h.log()}`);
      assert(
        peak < 400 * 1024 * 1024,
        `the daemon grew to ${Math.round(peak / 1024 / 1024)} MiB`,
      );
      const log = await h.log();
      for (const f of ["deacon/heartbeat.json", "settings/config.json"]) {
        assert(
          linesWith(log, f).some((l) => l.includes("Not a regular file")),
          `${f}:\n${log}`,
        );
      }
    } finally {
      d.signal("SIGTERM");
      await within(d.exited, 5_000);
      await d.close();
    }
  } finally {
    await h.close();
  }
});
