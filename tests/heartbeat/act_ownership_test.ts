import { assert, assertEquals } from "../helpers/assert.ts";
import { act } from "../../src/heartbeat/act.ts";
import type { ActPorts } from "../../src/heartbeat/act_ports.ts";
import { BackoffBook } from "../../src/heartbeat/backoff.ts";
import { NoticeBook } from "../../src/heartbeat/notify_slots.ts";
import { deaconSpec } from "../../src/heartbeat/specs.ts";
import { MemoryLog } from "../../src/log.ts";
import { Tmux } from "../../src/adapters/tmux.ts";
import type { Runner } from "../../src/adapters/process.ts";

/**
 * Ports around a real Tmux adapter whose tmux is scripted: every session
 * exists, tagged for another town (owner digit 2), with a live agent.
 */
function ports(): { ports: ActPorts; calls: string[]; log: MemoryLog } {
  const calls: string[] = [];
  const runner: Runner = {
    run(argv) {
      calls.push(argv.slice(1).join(" "));
      const stdout = argv[1] === "list-panes" ? "0:2:claude\n" : "";
      return Promise.resolve({
        code: 0,
        stdout,
        stderr: "",
        ms: 1,
        truncated: false,
      });
    },
  };
  const log = new MemoryLog();
  const p = {
    town: "/t",
    tmux: new Tmux(runner, { town: "/t", sleep: () => Promise.resolve() }),
    log,
    sleep: () => Promise.resolve(),
    now: () => new Date(0),
    backoff: new BackoffBook(),
    notices: new NoticeBook(),
    isAgent: (c: string) => c === "claude",
    eventsDir: "/t/daemon/events",
    agentWaitMs: 10,
    agentArgv: () => ["/bin/claude"],
  } as unknown as ActPorts;
  return { ports: p, calls, log };
}

Deno.test("act() re-checks the session's town before typing into it or replacing it", async () => {
  const nudge = ports();
  await act(nudge.ports, [{
    kind: "nudge",
    session: "gt-deacon",
    text: "HEALTH_CHECK",
  }]);
  assert(
    !nudge.calls.some((c) => c.startsWith("send-keys")),
    nudge.calls.join("\n"),
  );
  assert(
    nudge.log.has("Not nudging gt-deacon: the session is not this town's"),
  );

  const start = ports();
  await act(start.ports, [{
    kind: "startSession",
    spec: deaconSpec({ town: "/t", agentArgv: ["/bin/claude"] }),
    killFirst: false,
    okLog: "started",
    errLog: "Error: {err}",
  }]);
  assertEquals(
    start.calls.filter((c) => /^(kill-session|if-shell|new-session)/.test(c)),
    [],
  );
  assert(start.log.has("Error: session gt-deacon is not this town's"));
});
