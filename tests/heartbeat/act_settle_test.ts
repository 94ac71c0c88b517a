import { assert, assertEquals } from "../helpers/assert.ts";
import { settleAgent } from "../../src/heartbeat/act_session.ts";
import type { ActPorts } from "../../src/heartbeat/act_ports.ts";
import { deaconSpec } from "../../src/heartbeat/specs.ts";
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
