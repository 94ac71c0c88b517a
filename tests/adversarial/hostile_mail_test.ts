/**
 * Hostile mail: lifecycle requests whose sender or message id carries shell
 * syntax, path tricks, tmux target syntax, control characters, non-ASCII or
 * 100 KB of text, and `POLECAT_STARTED` notices with unsafe names or
 * sessions. Only requests from real agent identities run, each on its own
 * session: decoys whose names are prefixes or suffixes of the targets keep
 * their session ids, and the canary file never appears.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { Harness, message, rigBeads } from "../helpers/harness.ts";
import { linesWith } from "./support.ts";
import {
  canaryGone,
  INJECTIONS,
  logIsClean,
  sameIds,
  TOUCH,
} from "./hostile_payloads.ts";

Deno.test("hostile lifecycle senders, message ids and spawn notices kill nothing but the named agent's own session", async () => {
  const h = await Harness.create({ rigs: ["alpha"] });
  try {
    const town = h.town;
    await Deno.mkdir(`${town}/alpha/witness`, { recursive: true });
    await Deno.mkdir(`${town}/alpha/refinery/rig`, { recursive: true });
    const decoys = [
      "gt-alpha-Toast2",
      "gt-deacon-boot",
      "gt-alpha-witness2",
      "gt-alpha-refinery",
    ];
    for (const d of decoys) await h.healthySession(d);
    await h.healthySession("gt-alpha-witness", `${town}/alpha/witness`);
    await h.setBeads([
      ...rigBeads("alpha"),
    ]);
    const senders = [
      ...INJECTIONS,
      "alpha/Toast; tmux kill-server",
      "alpha/../deacon",
      "../../etc/passwd",
      "alpha/Toast\ngt-deacon",
      "alpha/Toast\r2026/01/01 00:00:00 Daemon stopped",
      "alpha/Toast:0",
      "alpha/Toast.1",
      "=gt-deacon",
      "alpha/To ast",
      "alpha/Tōast",
      "alpha/crew/../witness",
      "alpha/polecats/Toast/x",
      "mayor/../deacon",
      "-t",
      "gt-alpha-Toast2",
      "alpha/witness'",
      "alpha\twitness",
      `alpha/#(${TOUCH})`,
      "x".repeat(100_000),
    ];
    const badIds = [
      "--all",
      "-rf",
      `$(${TOUCH})`,
      "../x",
      "hq 1",
      "hq-1\n--all",
      "",
    ];
    const inbox = [
      ...senders.map((from, i) =>
        message({ id: `hq-evil${i}`, from, body: "shutdown" })
      ),
      ...badIds.map((id) =>
        message({ id, from: "alpha/refinery", body: "shutdown" })
      ),
      // Legitimate requests whose exact targets do not exist: tmux prefix
      // matching would hit the decoys.
      message({ id: "hq-ok1", from: "alpha/Toast", body: "shutdown" }),
      message({ id: "hq-ok2", from: "deacon", body: "shutdown" }),
      // And one that does exist, to show the pass ran.
      message({ id: "hq-ok3", from: "alpha/witness", body: "cycle" }),
      // Spawn notices with unsafe names or sessions.
      ...([
        ["../../x/y", "Session: gt-x"],
        ["alpha/To ast", "Session: gt-alpha-To"],
        ["alpha/Toast", `Session: gt-alpha-Toast; ${TOUCH}`],
        ["alpha/Toast", "Session: =gt-deacon-boot"],
        ["alpha/Toast", "Session: gt-alpha-Toast2:0"],
      ] as const).map(([what, body], i) =>
        message({
          id: `hq-spawn${i}`,
          from: "alpha/witness",
          subject: `POLECAT_STARTED ${what}`,
          body,
        })
      ),
    ];
    await h.setInbox(inbox);
    const before = await h.sessions();
    await h.heartbeat();
    canaryGone(h);
    const after = await h.sessions();
    sameIds(before, after, [...decoys, "keepalive"]);
    assert(
      after.get("gt-alpha-witness")?.id !== before.get("gt-alpha-witness")?.id,
      "the legitimate cycle did not run",
    );
    const log = await h.log();
    logIsClean(log);
    const executed = linesWith(log, "Executing ").map((l) =>
      l.replace(/^Executing \w+ for session /, "")
    ).sort();
    assertEquals(executed, ["gt-alpha-Toast", "gt-alpha-witness", "gt-deacon"]);
    assertEquals(linesWith(log, "Ignoring POLECAT_STARTED message").length, 5);
    const calls = await h.calls();
    const deleted = calls.filter((c) =>
      c.prog === "gt" && (c.argv as string[])[1] === "delete"
    ).map((c) => (c.argv as string[])[2]);
    for (const id of deleted) {
      assert(/^hq-(evil\d+|ok\d)$/.test(String(id)), `deleted ${id}`);
    }
    for (const m of await h.sent()) {
      const to = String(m.to);
      assert(
        /^[A-Za-z0-9][A-Za-z0-9_/-]*$/.test(to) && !to.includes(".."),
        `replied to ${JSON.stringify(to)}`,
      );
    }
    // Nothing was recorded as a pending spawn.
    const pending = await Deno.readTextFile(`${town}/spawn/pending.json`)
      .catch(() => "[]");
    assertEquals(JSON.parse(pending), []);
  } finally {
    await h.close();
  }
});
