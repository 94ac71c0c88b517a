import { assert, assertEquals } from "../helpers/assert.ts";
import { settleAgent, startSession } from "../../src/heartbeat/act_session.ts";
import type { ActPorts } from "../../src/heartbeat/act_ports.ts";
import { deaconSpec, polecatSpec } from "../../src/heartbeat/specs.ts";
import { BackoffBook } from "../../src/heartbeat/backoff.ts";
import { FakeTmux } from "../fakes/tmux.ts";
import { MemoryLog } from "../../src/log.ts";
import { CommandAbortedError } from "../../src/errors.ts";

/** Ports whose dialog check ends only when the test says so. */
function held(background?: (task: Promise<void>) => void) {
  let release: (err?: Error) => void = () => {};
  const dialog = new Promise<boolean>((resolve, reject) => {
    release = (err) => (err ? reject(err) : resolve(false));
  });
  const log = new MemoryLog();
  const ports = {
    tmux: {
      waitForAgent: () => Promise.resolve(),
      acceptBypassPermissions: () => dialog,
    },
    log,
    isAgent: () => true,
    agentWaitMs: 10,
    ...(background ? { background } : {}),
  } as unknown as ActPorts;
  return { ports, log, release: (err?: Error) => release(err) };
}

const spec = deaconSpec({ town: "/t", agentArgv: ["/bin/claude"] });

/** Lets every queued promise callback run. */
const flush = () => new Promise<void>((r) => queueMicrotask(r));

Deno.test("settleAgent() hands the dialog to the background port, so the pass does not wait for it", async () => {
  const tasks: Promise<void>[] = [];
  const h = held((t) => tasks.push(t));
  await settleAgent(h.ports, spec);
  assertEquals(tasks.length, 1);
  let done = false;
  tasks[0]!.then(() => (done = true));
  await flush();
  assert(!done, "the dialog task ended before the dialog check did");
  h.release(new Error("capture failed"));
  await tasks[0];
  assert(h.log.has("Warning: gt-deacon did not settle: capture failed"));
});

Deno.test("settleAgent() waits for the dialog without a background port, and a shutdown is not a warning", async () => {
  const h = held();
  let settled = false;
  const p = settleAgent(h.ports, spec).then(() => (settled = true));
  for (let i = 0; i < 5; i++) await flush();
  assert(!settled, "settleAgent() resolved before the dialog check ended");
  h.release(new CommandAbortedError("tmux capture-pane aborted"));
  await p;
  assert(settled);
  assertEquals(h.log.lines.filter((l) => l.includes("did not settle")), []);
});

Deno.test("startSession() replaces a dead session in one call, and without the polecat's worktree kills it alone and fails", async () => {
  const root = await Deno.makeTempDir({ prefix: "gtd-start-" });
  try {
    const spec = polecatSpec(
      { town: root, agentArgv: ["/bin/claude"] },
      "gastown",
      "toast",
      // As a crash restart asks for it.
      { preSync: false },
    );
    const ports = (tmux: FakeTmux) =>
      ({
        town: root,
        tmux,
        log: new MemoryLog(),
        fs: {
          stat: async (p: string) => {
            const i = await Deno.stat(p);
            return { isDirectory: i.isDirectory };
          },
        },
        backoff: new BackoffBook(),
        now: () => new Date(0),
        eventsDir: `${root}/events`,
        isAgent: (c: string) => c === "claude",
      }) as unknown as ActPorts;

    const missing = new FakeTmux();
    missing.add(spec.session, { dead: true, owner: "town" });
    const err = await startSession(ports(missing), spec, { killFirst: true })
      .then(() => null, (e) => e);
    assert(String(err).includes("polecat worktree does not exist"));
    assertEquals(missing.callsOf("killSession"), [spec.session]);
    assertEquals(missing.callsOf("newSession"), []);

    await Deno.mkdir(spec.workDir, { recursive: true });
    const dead = new FakeTmux();
    dead.add(spec.session, { dead: true, owner: "town" });
    const calls: string[] = [];
    const replace = dead.replaceOwnSession.bind(dead);
    dead.replaceOwnSession = (s, o) => {
      calls.push(`replace ${s}`);
      return replace(s, o);
    };
    await startSession(ports(dead), spec, { killFirst: true });
    assertEquals(calls, [`replace ${spec.session}`]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
