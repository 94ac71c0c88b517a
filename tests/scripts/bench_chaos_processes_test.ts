import { assert, assertEquals } from "../helpers/assert.ts";
import { describe, ProcessBook } from "../../scripts/bench/chaos_processes.ts";

function spawnSleep(): Deno.ChildProcess {
  return new Deno.Command("sleep", { args: ["30"], stdout: "null" }).spawn();
}

/** Kills each child by its PID (a dead one is fine) and waits for it. */
async function endAll(children: Deno.ChildProcess[]): Promise<void> {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
    await c.status;
  }
}

Deno.test("ProcessBook records two live processes of one actor with their details", async () => {
  const a = spawnSleep();
  const b = spawnSleep();
  const lines: string[] = [];
  try {
    const book = new ProcessBook((l) => lines.push(l));
    const now = Date.now();
    book.noteFault("gt-r01-p01", "sessionKill");
    book.update([{ t: now - 500, pid: a.pid, actor: "r01/polecats/p01" }], [
      { session: "gt-r01-p01", pid: a.pid, dead: false, command: "claude" },
    ]);
    assertEquals(book.incidents, 0);
    book.update([
      { t: now - 500, pid: a.pid, actor: "r01/polecats/p01" },
      { t: now, pid: b.pid, actor: "r01/polecats/p01" },
    ], [{ session: "gt-r01-p01", pid: b.pid, dead: false, command: "claude" }]);
    assertEquals(book.incidents, 1);
    // The same pair seen again is the same incident.
    book.update([], []);
    assertEquals(book.incidents, 1);
    const [i] = book.details;
    assert(i);
    assertEquals(i.actor, "r01/polecats/p01");
    assertEquals(i.processes.map((p) => p.pid), [a.pid, b.pid]);
    const [old, young] = i.processes;
    assertEquals(old!.session, "gt-r01-p01");
    assertEquals(old!.inPane, false);
    assert(old!.goneFromTmuxS !== null && old!.goneFromTmuxS >= 0);
    assertEquals(old!.lastFault?.kind, "sessionKill");
    assertEquals(old!.ppid, Deno.pid);
    assertEquals(young!.inPane, true);
    assertEquals(young!.goneFromTmuxS, null);
    a.kill("SIGKILL");
    await a.status;
    await book.settle();
    assert(old!.exitedAfterS !== null && old!.exitedAfterS >= 0);
    assertEquals(young!.exitedAfterS, null);
    // The older one had lost its pane and went within the bound: the
    // previous agent on its way out.
    assertEquals(i.exitingLeftover, true);
    assertEquals(
      i.leftoverLivedS,
      Math.round((old!.goneFromTmuxS! + old!.exitedAfterS!) * 1000) / 1000,
    );
    assertEquals([book.incidents, book.leftovers], [1, 1]);
    assertEquals(lines, [`chaos: double agent process: ${describe(i)}`]);
    assert(lines[0]!.includes(`pid ${a.pid}`));
  } finally {
    await endAll([a, b]);
  }
});

Deno.test("ProcessBook counts two agents in panes at once as a double, not a leftover", async () => {
  const a = spawnSleep();
  const b = spawnSleep();
  try {
    const book = new ProcessBook();
    const now = Date.now();
    const recs = [
      { t: now - 500, pid: a.pid, actor: "r01/witness" },
      { t: now, pid: b.pid, actor: "r01/witness" },
    ];
    book.update(recs, [
      { session: "gt-r01-witness", pid: a.pid, dead: false, command: "claude" },
      { session: "gt-r01-witness", pid: b.pid, dead: false, command: "claude" },
    ]);
    assertEquals(book.incidents, 1);
    a.kill("SIGKILL");
    await a.status;
    await book.settle();
    const [i] = book.details;
    assertEquals([i!.exitingLeftover, i!.leftoverLivedS], [false, null]);
    assertEquals([book.incidents, book.leftovers], [1, 0]);
    assert(describe(i!).includes("two agents"));
  } finally {
    await endAll([a, b]);
  }
});
