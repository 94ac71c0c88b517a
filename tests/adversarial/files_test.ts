/**
 * Damaged town files: `state.json`, `rigs.json`, `pending.json`, the
 * Deacon's `heartbeat.json` and Boot's status file missing, empty,
 * truncated, not JSON, of the wrong types or huge; and a damaged
 * `daemon.pid` next to a running daemon.
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { alive, readPid, waitFor } from "../helpers/cli.ts";
import { bead, Harness, rigBeads } from "../helpers/harness.ts";
import { linesWith, logSince } from "./support.ts";
import { owners } from "./procs.ts";

/** `n` bytes of valid JSON: an array of padding strings. */
function hugeJson(n: number): string {
  const item = `"${"x".repeat(1000)}"`;
  return `[${Array.from({ length: Math.ceil(n / 1001) }, () => item).join()}]`;
}

type Kind =
  | "missing"
  | "empty"
  | "truncated"
  | "not JSON"
  | "wrong types"
  | "huge";

/** What each town file holds for each kind of damage (null: removed). */
const DAMAGE: Record<Kind, Record<string, string | null>> = {
  missing: { state: null, rigs: null, pending: null, hb: null, boot: null },
  empty: { state: "", rigs: "", pending: "", hb: "", boot: "" },
  truncated: {
    state: '{"running": true, "pid": 12',
    rigs: '{"version": 1, "rigs": {"al',
    pending: '[{"rig": "alpha", "polecat": "To',
    hb: '{"timestamp": "2026-',
    boot: '{"running": fal',
  },
  "not JSON": {
    state: "\u0000\u0001 garbage",
    rigs: "rigs: [alpha]",
    pending: "pending: none",
    hb: "alive",
    boot: "garbage",
  },
  "wrong types": {
    state: '{"running": "yes", "pid": "12"}',
    rigs: '{"rigs": ["alpha"]}',
    pending:
      '[{"rig": 5}, {"rig": "alpha", "polecat": "a/../b", "session": "gt-x"}]',
    hb: '{"timestamp": 12345}',
    boot: '{"running": "no"}',
  },
  huge: {
    state: hugeJson(2 << 20),
    rigs: hugeJson(5 << 20),
    pending: hugeJson(5 << 20),
    hb: hugeJson(5 << 20),
    boot: hugeJson(5 << 20),
  },
};

/** The lines a file that does not parse as JSON must produce. */
const UNPARSEABLE: Record<string, RegExp | null> = {
  state:
    /^Warning: replacing unreadable state file: State file is not valid JSON: /,
  rigs: /^Warning: Cannot parse rigs\.json: /,
  pending:
    /^Error checking pending spawns: loading pending: Cannot parse "pending\.json": /,
  hb: /^Warning: Ignoring Deacon heartbeat ".*": /,
};

/** The one line each damaged file must produce (null: none). */
const EXPECTED: Record<Kind, Record<string, RegExp | null>> = {
  missing: { state: null, rigs: null, pending: null, hb: null },
  empty: { ...UNPARSEABLE, pending: null },
  truncated: UNPARSEABLE,
  "not JSON": UNPARSEABLE,
  "wrong types": {
    state:
      /^Warning: replacing unreadable state file: State field "running" is not a boolean$/,
    rigs: /^Warning: Cannot use rigs\.json: "rigs" is not an object$/,
    pending: /^Warning: Skipped 2 malformed pending spawn entries$/,
    hb: /^Warning: Ignoring Deacon heartbeat ".*": /,
  },
  huge: {
    state: /^Warning: replacing unreadable state file: File too large: /,
    rigs: /^Warning: Cannot read rigs file ".*": File too large: /,
    pending:
      /^Error checking pending spawns: loading pending: File too large: /,
    hb: /^Warning: Cannot read Deacon heartbeat ".*": File too large: /,
  },
};

/** Marks that pick each file's line out of the log. */
const MARKS: Record<string, string[]> = {
  state: ["state file"],
  rigs: ["rigs"],
  pending: ["pending spawn"],
  hb: ["Deacon heartbeat"],
};

Deno.test("every town file missing, empty, truncated, not JSON, of the wrong types or huge costs one clear line and nothing else", async (t) => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    const town = h.town;
    const paths: Record<string, string> = {
      state: `${town}/daemon/state.json`,
      rigs: `${town}/mayor/rigs.json`,
      pending: `${town}/spawn/pending.json`,
      hb: `${town}/deacon/heartbeat.json`,
      boot: `${town}/deacon/dogs/boot/.boot-status.json`,
    };
    await Deno.mkdir(`${town}/daemon`, { recursive: true });
    await Deno.mkdir(`${town}/spawn`, { recursive: true });
    await Deno.mkdir(`${town}/alpha/witness`, { recursive: true });
    await Deno.mkdir(`${town}/alpha/refinery/rig`, { recursive: true });
    // Degraded Boot triage writes the Boot status file on every heartbeat.
    await Deno.remove(`${town}/deacon/dogs/boot/.boot-running`);
    const env = { GT_DEGRADED: "true" };
    const healthy = new Map([
      ["gt-deacon", await h.healthySession("gt-deacon", `${town}/deacon`)],
      [
        "gt-alpha-witness",
        await h.healthySession("gt-alpha-witness", `${town}/alpha/witness`),
      ],
      [
        "gt-alpha-refinery",
        await h.healthySession(
          "gt-alpha-refinery",
          `${town}/alpha/refinery/rig`,
        ),
      ],
    ]);
    await h.setBeads([
      bead({ id: "hq-deacon", role: "deacon", state: "running" }),
      ...rigBeads("alpha"),
    ]);
    for (const kind of Object.keys(DAMAGE) as Kind[]) {
      await t.step(kind, async () => {
        for (const [file, text] of Object.entries(DAMAGE[kind])) {
          if (text === null) await Deno.remove(paths[file]!).catch(() => {});
          else await Deno.writeTextFile(paths[file]!, text);
        }
        if (kind !== "missing") {
          // status reads state.json too: it reports, it does not fail.
          const st = await h.cli(["status", "--json"]);
          assertEquals(st.code, 0, st.stderr);
          const warnings: string[] = JSON.parse(st.stdout).warnings;
          assert(
            warnings.some((w) => w.startsWith("State file unreadable: ")),
            st.stdout,
          );
        }
        const skip = (await h.log()).length;
        const r = await h.cli(["heartbeat", "--once"], env);
        assertEquals(r.code, 0, r.stderr);
        const log = await logSince(h, skip);
        for (const [file, want] of Object.entries(EXPECTED[kind])) {
          const lines = MARKS[file]!.flatMap((m) => linesWith(log, m));
          if (want === null) {
            assertEquals(lines, [], `${file}:\n${log}`);
            continue;
          }
          assertEquals(lines.length, 1, `${file}:\n${log}`);
          assertMatch(lines[0]!, want, `${file}:\n${log}`);
        }
        // Unreadable files are never rewritten with less than they held;
        // state.json and the Boot status are replaced with valid ones.
        if (EXPECTED[kind].pending !== null && kind !== "wrong types") {
          assertEquals(
            await Deno.readTextFile(paths.pending!),
            DAMAGE[kind].pending,
          );
        }
        const state = JSON.parse(await Deno.readTextFile(paths.state!));
        assertEquals(typeof state.running, "boolean");
        const boot = JSON.parse(await Deno.readTextFile(paths.boot!));
        assertEquals(boot.last_action, "nothing");
        // No healthy agent was touched, and the Deacon was not nudged.
        const now = await h.sessions();
        for (const [name, v] of healthy) {
          assertEquals(now.get(name)?.id, v.id, `${name}:\n${log}`);
        }
        assertEquals(
          (await h.jsonl("stdin.jsonl")).filter((l) =>
            String(l.line).startsWith("HEALTH_CHECK")
          ),
          [],
        );
      });
    }
  } finally {
    await h.close();
  }
});

Deno.test("a damaged daemon.pid never hides the running daemon from status or stop", async (t) => {
  const h = await Harness.create();
  try {
    const pidPath = `${h.town}/daemon/daemon.pid`;
    const start = await h.cli(["start", "--interval", "1s"]);
    assertEquals(start.code, 0, start.stderr);
    const pid = (await readPid(h.town))!;
    const damage: [string, string, RegExp][] = [
      ["empty", "", /does not hold a PID/],
      ["truncated", `${pid}`.slice(0, 1) + "\u0000", /does not hold a PID/],
      ["not a PID", "pid: 42", /does not hold a PID/],
      ["negative", "-1", /does not hold a PID/],
      ["zero", "0", /does not hold a PID/],
      ["huge", "9".repeat(5 << 20), /Cannot read PID file .*File too large/],
    ];
    for (const [name, text, warning] of damage) {
      await t.step(name, async () => {
        await Deno.writeTextFile(pidPath, text);
        const st = await h.cli(["status", "--json"]);
        assertEquals(st.code, 0, st.stderr);
        const s = JSON.parse(st.stdout);
        assertEquals([s.running, s.pid], [true, pid]);
        assert(
          (s.warnings as string[]).some((w) => warning.test(w)),
          st.stdout,
        );
      });
    }
    await t.step(
      "stop with a huge PID file stops the lock holder",
      async () => {
        const stop = await h.cli(["stop"]);
        assertEquals([stop.code, stop.stdout], [
          0,
          `✓ Daemon stopped (was PID ${pid})\n`,
        ]);
        assert(await waitFor(() => !alive(pid), 2_000));
        const st = await h.cli(["status"]);
        assertStringIncludes(st.stdout, "○ Daemon is not running");
      },
    );
    await t.step(
      "a directory at daemon.pid: start fails with the reason and leaves nothing running",
      async () => {
        await Deno.remove(pidPath);
        await Deno.mkdir(`${pidPath}/inside`, { recursive: true });
        const r = await h.cli(["start", "--wait", "10"]);
        assertEquals(r.code, 1, r.stdout);
        assertMatch(
          r.stderr,
          /^Error: Daemon failed to start \(PID \d+, exit 1\): writing PID file: .+\n$/,
        );
        assertEquals(owners(`${h.town}/daemon/daemon.lock`), []);
        await Deno.remove(pidPath, { recursive: true });
      },
    );
  } finally {
    await h.close();
  }
});
