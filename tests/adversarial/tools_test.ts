/**
 * Broken tools during observation: `bd`, `gt`, `git` or `tmux` missing, and
 * `bd list`, `gt mail inbox` and `tmux list-panes -a` failing, printing
 * garbage, nothing, an object instead of an array or 50 MB, or dying of
 * SIGPIPE. The heartbeat logs one clear line per fault, finishes, keeps what
 * it could not read, and never touches a healthy session.
 */

import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { type Harness, message, rigBeads } from "../helpers/harness.ts";
import {
  alphaTown,
  clearModes,
  count,
  linesWith,
  logSince,
  noStackTrace,
  setMode,
  tmuxWrapper,
  toolDir,
} from "./support.ts";

async function killSession(h: Harness, name: string): Promise<void> {
  await h.tmux(["kill-session", "-t", `=${name}`]).catch(() => {});
}

const BD_LIST = /^(Error: bd: |Warning: bd list: )/;
const GT_INBOX = /^(Error: gt mail: |Warning: gt mail inbox: )/;

Deno.test("heartbeat --once logs one clear line per broken bd and gt, and still keeps the rig's agents running", async (t) => {
  const h = await alphaTown();
  try {
    // A lifecycle request that must survive every fault and run afterwards.
    await h.setInbox([message({ id: "hq-keep1", from: "alpha/refinery" })]);
    const cases: [string, RegExp | null, RegExp | null][] = [
      [
        "fail",
        /^Error: bd: \S+\/\.beads: Command failed with exit code 1: bd list --type=agent --json --limit=0: Error: bd stand-in: injected failure$/,
        /^Error: gt mail: Command failed with exit code 1: gt mail inbox --identity deacon\/ --json: Error: gt stand-in: injected failure$/,
      ],
      [
        "garbage",
        /^Error: bd: \S+\/\.beads: Cannot parse "bd list" output: .+/,
        /^Error: gt mail: Cannot parse "gt mail inbox" output: .+/,
      ],
      ["empty", null, null],
      [
        "object",
        /^Error: bd: \S+\/\.beads: Cannot parse "bd list" output: expected a JSON array, got an object$/,
        /^Error: gt mail: Cannot parse "gt mail inbox" output: expected a JSON array, got an object$/,
      ],
      [
        "huge",
        // 50 MB of small entries is read as a stream: the first 10,000 are
        // kept and the rest counted. Writing 50 MB takes the stand-in a
        // while: on a loaded machine the call may reach its timeout first,
        // which is as clear.
        /^(Warning: bd list: read the first 10000 entries; \d+ more were not read in \S+\/\.beads|Error: bd: \S+\/\.beads: Command timed out after 10000 ms: bd list --type=agent --json --limit=0)$/,
        /^(Warning: gt mail inbox: read the first 10000 entries; \d+ more were not read|Error: gt mail: Command timed out after 10000 ms: gt mail inbox --identity deacon\/ --json)$/,
      ],
      [
        "sigpipe",
        /^Error: bd: \S+\/\.beads: Command failed with exit code 141: bd list --type=agent --json --limit=0: \[\{"id":$/,
        /^Error: gt mail: Command failed with exit code 141: gt mail inbox --identity deacon\/ --json: \[\{"id":$/,
      ],
    ];
    let sessions = await h.sessions();
    for (const [mode, bdLine, gtLine] of cases) {
      await t.step(`bd list and gt mail inbox in mode ${mode}`, async () => {
        await setMode(h, "bd.list", mode);
        await setMode(h, "gt.mail-inbox", mode);
        const skip = (await h.log()).length;
        const r = await h.heartbeat();
        noStackTrace(r.stderr);
        const log = await logSince(h, skip);
        const bd = linesWith(log, "").filter((l) => BD_LIST.test(l));
        const gt = linesWith(log, "").filter((l) => GT_INBOX.test(l));
        if (bdLine === null) assertEquals(bd, []);
        else {
          assertEquals(bd.length, 1, log);
          assertMatch(bd[0]!, bdLine);
        }
        if (gtLine === null) assertEquals(gt, []);
        else {
          assertEquals(gt.length, 1, log);
          assertMatch(gt[0]!, gtLine);
        }
        assertStringIncludes(log, "Heartbeat complete (one-off)");
        const now = await h.sessions();
        if (mode === "fail") {
          // Work that needs neither bd nor gt still happens: the rig's
          // missing Witness and Refinery are started.
          for (const s of ["gt-alpha-witness", "gt-alpha-refinery"]) {
            assert(now.get(s)?.commands.includes("claude"), `${s}:\n${log}`);
          }
        } else {
          // What was healthy stays untouched.
          for (const [name, v] of sessions) {
            assertEquals(now.get(name)?.id, v.id, `${name}:\n${log}`);
          }
        }
        sessions = now;
        // Nothing was claimed from the inbox while it could not be read.
        const inbox = JSON.parse(
          await Deno.readTextFile(`${h.fake}/inbox.json`),
        );
        assertEquals(inbox.map((m: { id: string }) => m.id), ["hq-keep1"]);
      });
    }
    await t.step(
      "once the tools work again the waiting request runs",
      async () => {
        await clearModes(h);
        const refinery = (await h.sessions()).get("gt-alpha-refinery");
        assert(refinery, "refinery session missing");
        await h.heartbeat();
        assertEquals(
          JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`)),
          [],
        );
        const after = (await h.sessions()).get("gt-alpha-refinery");
        assert(after && after.id !== refinery.id, "refinery was not cycled");
        assertStringIncludes(
          await h.log(),
          "Processing lifecycle request from alpha/refinery: cycle",
        );
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("a missing bd, gt, git or tmux is named once and the rest of the heartbeat runs", async (t) => {
  const h = await alphaTown();
  try {
    const all = ["tmux", "gt", "bd", "git", "claude"];
    for (const missing of ["bd", "gt", "git", "tmux"]) {
      await t.step(`without ${missing}`, async () => {
        const dir = await toolDir(
          h.t.root,
          `no-${missing}`,
          all.filter((x) => x !== missing),
        );
        await killSession(h, "gt-alpha-witness");
        // Each step restarts the Witness: start without restart backoff.
        await Deno.remove(`${h.town}/daemon/state.json`).catch(() => {});
        if (missing === "tmux") {
          // Without tmux the heartbeat falls back to Boot's mechanical triage.
          await Deno.remove(`${h.town}/deacon/dogs/boot/.boot-running`);
        }
        if (missing === "git") {
          await h.setInbox([
            message({ id: `hq-git${Date.now()}`, from: "alpha/refinery" }),
          ]);
        }
        const before = await h.sessions();
        const skip = (await h.log()).length;
        const r = await h.cli(["heartbeat", "--once"], { PATH: dir });
        assertEquals(r.code, 0, r.stderr);
        noStackTrace(r.stderr);
        const log = await logSince(h, skip);
        const named = linesWith(log, `Tool "${missing}" not found`);
        assertEquals(named.length, 1, log);
        assertStringIncludes(named[0]!, `searched ${dir}:`);
        assertStringIncludes(log, "Heartbeat complete (one-off)");
        const s = await h.sessions();
        if (missing === "tmux") {
          // Nothing is known about sessions: nothing is started or killed.
          assertEquals(
            [...s.keys()].sort(),
            [...before.keys()].sort(),
          );
          assertEquals(count(log, "Error"), 0, log);
          assertStringIncludes(
            log,
            "Degraded mode: running mechanical Boot triage",
          );
          const status = JSON.parse(
            await Deno.readTextFile(
              `${h.town}/deacon/dogs/boot/.boot-status.json`,
            ),
          );
          // Nothing could be started: the status says so.
          assertEquals([status.last_action, status.target], [
            "error",
            undefined,
          ]);
          assert(!log.includes("Deacon not running, starting..."), log);
          return;
        }
        assert(
          s.get("gt-alpha-witness")?.commands.includes("claude"),
          `witness not restarted:\n${log}`,
        );
        // A missing tool is named once, not again as an error per call.
        assertEquals(count(log, `Error: ${missing}`), 0, log);
        assertEquals(count(log, `Error: gt mail`), 0, log);
        if (missing === "git") {
          assert(
            s.get("gt-alpha-refinery")?.id !==
              before.get("gt-alpha-refinery")?.id,
            "refinery was not restarted without git",
          );
          assertStringIncludes(log, "Restarted session gt-alpha-refinery");
        }
      });
    }
  } finally {
    await h.close();
  }
});

Deno.test("tmux list-panes that fails, prints garbage, nothing or 50 MB, or dies of SIGPIPE never costs a healthy session", async (t) => {
  const h = await alphaTown();
  try {
    const wrap = await tmuxWrapper(h.t.root);
    const path = `${wrap}:${h.env.PATH}`;
    const witness = await h.healthySession(
      "gt-alpha-witness",
      `${h.town}/alpha/witness`,
    );
    const refinery = await h.healthySession(
      "gt-alpha-refinery",
      `${h.town}/alpha/refinery/rig`,
    );
    await h.setBeads([
      ...rigBeads("alpha"),
    ]);
    const cases: [string, RegExp | null][] = [
      [
        "fail",
        /^Error: tmux: tmux list-panes: tmux stand-in: injected failure$/,
      ],
      ["garbage", /^Error: tmux: tmux list-panes: .+/],
      ["empty", null],
      ["huge", /^Error: tmux: tmux list-panes: .*size limit/],
      ["sigpipe", /^Error: tmux: tmux list-panes: .*(exit status 141|141)/],
    ];
    for (const [mode, line] of cases) {
      await t.step(`list-panes -a in mode ${mode}`, async () => {
        await setMode(h, "tmux.list-panes-a", mode);
        const skip = (await h.log()).length;
        const r = await h.cli(["heartbeat", "--once"], { PATH: path });
        assertEquals(r.code, 0, r.stderr);
        noStackTrace(r.stderr);
        const log = await logSince(h, skip);
        const errors = linesWith(log, "Error: tmux");
        if (line === null) assertEquals(errors, [], log);
        else {
          assertEquals(errors.length, 1, log);
          assertMatch(errors[0]!, line);
        }
        const s = await h.sessions();
        assertEquals(s.get("gt-alpha-witness")?.id, witness.id, log);
        assertEquals(s.get("gt-alpha-refinery")?.id, refinery.id, log);
      });
    }
  } finally {
    await h.close();
  }
});
