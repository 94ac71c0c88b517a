/**
 * Unit tests of the tmux adapter with a scripted runner and a fake clock:
 * error classification, exact argv, and the order of calls and sleeps.
 */

import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import type { Runner, RunResult } from "../../src/adapters/process.ts";
import {
  CommandAbortedError,
  CommandNotFoundError,
  CommandTimeoutError,
} from "../../src/errors.ts";
import {
  classifyTmuxError,
  Tmux,
  TmuxError,
  TmuxNoServerError,
  TmuxSessionExistsError,
  TmuxSessionNotFoundError,
  TmuxWaitTimeoutError,
} from "../../src/adapters/tmux.ts";

type Reply = Partial<RunResult> | Error;

/** Records tmux calls and sleeps in one event list; replies by script. */
function scripted(reply: (args: string[]) => Reply = () => ({})) {
  const events: string[] = [];
  const options: unknown[] = [];
  let clock = 0;
  const runner: Runner = {
    run(argv, opts) {
      events.push(argv.join(" "));
      options.push(opts);
      const r = reply(argv.slice(1));
      if (r instanceof Error) return Promise.reject(r);
      return Promise.resolve({
        code: 0,
        stdout: "",
        stderr: "",
        ms: 1,
        truncated: false,
        ...r,
      });
    },
  };
  const tmux = new Tmux(runner, {
    env: { TMUX_TMPDIR: "/x" },
    timeoutMs: 1234,
    sleep: (ms) => {
      events.push(`sleep ${ms}`);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
  });
  return { tmux, events, options };
}

const fail = (stderr: string): Reply => ({ code: 1, stderr });

Deno.test("classifyTmuxError() maps stderr to the reference's kinds (TMUX-07..11, TMUX-16)", () => {
  const cases: [string, new (...a: never[]) => Error, string][] = [
    [
      "no server running on /tmp/tmux-0/default",
      TmuxNoServerError,
      "no tmux server running",
    ],
    [
      "error connecting to /tmp/tmux-0/default (No such file or directory)",
      TmuxNoServerError,
      "no tmux server running",
    ],
    [
      "duplicate session: test",
      TmuxSessionExistsError,
      "session already exists",
    ],
    ["session not found: test", TmuxSessionNotFoundError, "session not found"],
    ["can't find session: test", TmuxSessionNotFoundError, "session not found"],
    [
      "can't find pane: gt-x",
      TmuxError,
      "tmux send-keys: can't find pane: gt-x",
    ],
    [
      "  no such session: =gt-x:\n",
      TmuxError,
      "tmux send-keys: no such session: =gt-x:",
    ],
  ];
  for (const [stderr, cls, message] of cases) {
    const err = classifyTmuxError("send-keys", stderr);
    assert(err instanceof cls, `${stderr} -> ${err.constructor.name}`);
    assertEquals(err.message, message);
    assertEquals(err.subcommand, "send-keys");
  }
  assert(
    !(classifyTmuxError("x", "can't find pane: a") instanceof
      TmuxSessionNotFoundError),
  );
  assertEquals(
    classifyTmuxError("has-session", "", { detail: "exit status 1" }).message,
    "tmux has-session: exit status 1",
  );
});

Deno.test("Tmux.run() passes env and timeout, trims stdout and wraps runner errors", async () => {
  const { tmux, options } = scripted((a) =>
    a[0] === "-V"
      ? { stdout: "  tmux 3.3a\n" }
      : a[0] === "missing"
      ? new CommandNotFoundError('Command not found: "tmux"')
      : a[0] === "slow"
      ? new CommandTimeoutError('Command timed out after 1234 ms: "tmux"')
      : a[0] === "abort"
      ? new CommandAbortedError('Command aborted: "tmux"')
      : { code: 2, stderr: "" }
  );
  assertEquals(await tmux.run(["-V"]), "tmux 3.3a");
  assertEquals(options[0], { timeoutMs: 1234, env: { TMUX_TMPDIR: "/x" } });
  assertEquals(await tmux.version(), "3.3a");
  const notFound = await assertRejects(() => tmux.run(["missing"]), TmuxError);
  assertEquals(notFound.message, 'tmux missing: Command not found: "tmux"');
  assert(notFound.cause instanceof CommandNotFoundError);
  await assertRejects(
    () => tmux.run(["slow"]),
    TmuxError,
    "tmux slow: Command timed out",
  );
  await assertRejects(() => tmux.run(["abort"]), CommandAbortedError);
  await assertRejects(
    () => tmux.run(["other"]),
    TmuxError,
    "tmux other: exit status 2",
  );
});

Deno.test("isAvailable() is false when tmux cannot run (TMUX-26)", async () => {
  assertEquals(
    await scripted(() => new CommandNotFoundError("x")).tmux.isAvailable(),
    false,
  );
  assertEquals(await scripted(() => fail("")).tmux.isAvailable(), false);
  assertEquals(await scripted().tmux.isAvailable(), true);
});

Deno.test("hasSession() treats no server and not found as false, other errors as errors", async () => {
  const { tmux, events } = scripted((a) =>
    a[2] === "=a"
      ? {}
      : a[2] === "=b"
      ? fail("can't find session: b")
      : a[2] === "=c"
      ? fail("no server running on /x")
      : fail("some other failure")
  );
  assertEquals(await tmux.hasSession("a"), true);
  assertEquals(await tmux.hasSession("b"), false);
  assertEquals(await tmux.hasSession("c"), false);
  await assertRejects(
    () => tmux.hasSession("d"),
    TmuxError,
    "tmux has-session: some other failure",
  );
  assertEquals(events[0], "tmux has-session -t =a");
});

Deno.test("newSession() builds one invocation with dir, env, command and remain-on-exit", async () => {
  const { tmux, events } = scripted();
  await tmux.newSession("gt-x");
  await tmux.newSession("gt-y", {
    dir: "/t/d",
    env: [["GT_ROLE", "polecat"], ["BD_ACTOR", "r/polecats/y"]],
    command: "exec claude",
    remainOnExit: true,
    paneDiedHook: "run-shell true",
  });
  assertEquals(events, [
    "tmux new-session -d -s gt-x",
    "tmux new-session -d -s gt-y -c /t/d -e GT_ROLE=polecat -e BD_ACTOR=r/polecats/y exec claude ; set-option -t =gt-y: remain-on-exit on ; set-hook -t =gt-y: pane-died run-shell true",
  ]);
});

Deno.test("newSession() sets the global session-closed hook in the same invocation", async () => {
  const { tmux, events } = scripted();
  await tmux.newSession("gt-z", {
    command: "exec claude",
    sessionClosedHook: { index: 1234, command: "run-shell true" },
  });
  assertEquals(events, [
    "tmux new-session -d -s gt-z exec claude ; set-hook -g session-closed[1234] run-shell true",
  ]);
});

Deno.test("sendKeys() types literally, waits the debounce, then presses Enter (TMUX-19)", async () => {
  const { tmux, events } = scripted();
  await tmux.sendKeys("gt-x", "echo hi");
  await tmux.sendKeys("gt-x", "-x", 0);
  await tmux.sendKeysRaw("gt-x", "C-c");
  assertEquals(events, [
    "tmux send-keys -t =gt-x: -l -- echo hi",
    "sleep 100",
    "tmux send-keys -t =gt-x: Enter",
    "tmux send-keys -t =gt-x: -l -- -x",
    "tmux send-keys -t =gt-x: Enter",
    "tmux send-keys -t =gt-x: C-c",
  ]);
});

Deno.test("nudge() waits 500 ms and retries Enter up to 3 times 200 ms apart (TMUX-19)", async (t) => {
  await t.step("succeeds on the third Enter", async () => {
    let enters = 0;
    const { tmux, events } = scripted((a) =>
      a.at(-1) === "Enter" && ++enters < 3 ? fail("busy") : {}
    );
    await tmux.nudge("gt-deacon", "Begin.");
    assertEquals(events, [
      "tmux send-keys -t =gt-deacon: -l -- Begin.",
      "sleep 500",
      "tmux send-keys -t =gt-deacon: Enter",
      "sleep 200",
      "tmux send-keys -t =gt-deacon: Enter",
      "sleep 200",
      "tmux send-keys -t =gt-deacon: Enter",
    ]);
  });
  await t.step("reports the last error after 3 failures", async () => {
    const { tmux } = scripted((a) => a.at(-1) === "Enter" ? fail("stuck") : {});
    await assertRejects(
      () => tmux.nudge("gt-deacon", "x"),
      TmuxError,
      "failed to send Enter after 3 attempts: tmux send-keys: stuck",
    );
  });
  await t.step("sends no Enter when the text fails", async () => {
    const { tmux, events } = scripted(() =>
      fail("can't find session: gt-deacon")
    );
    await assertRejects(
      () => tmux.nudge("gt-deacon", "x"),
      TmuxSessionNotFoundError,
    );
    assertEquals(events.length, 1);
  });
});

Deno.test("waitForAgent() accepts a live agent pane and stops on a dead one", async () => {
  const live = scripted(() => ({ stdout: "0:-:bash\n0:-:claude\n" }));
  await live.tmux.waitForAgent("s", (c) => c === "claude", 1000);
  const dead = scripted(() => ({ stdout: "1:-:claude\n" }));
  await assertRejects(
    () => dead.tmux.waitForAgent("s", (c) => c === "claude", 1000),
    TmuxError,
    'Agent exited in session "s"',
  );
  assertEquals(dead.events.length, 1);
  const shell = scripted(() => ({ stdout: "0:-:bash\n" }));
  await assertRejects(
    () => shell.tmux.waitForAgent("s", (c) => c === "claude", 300),
    TmuxWaitTimeoutError,
  );
});

Deno.test("acceptBypassPermissions() sends Down, 200 ms, Enter when the dialog shows (TMUX-22)", async (t) => {
  await t.step("dialog on the second capture", async () => {
    let n = 0;
    const { tmux, events } = scripted((a) =>
      a[0] === "capture-pane"
        ? {
          stdout: ++n < 2
            ? ""
            : "WARNING\nBypass Permissions mode\n1. No\n2. Yes",
        }
        : {}
    );
    assertEquals(await tmux.acceptBypassPermissions("s"), true);
    assertEquals(events, [
      "sleep 250",
      "tmux capture-pane -p -t =s: -S -30",
      "sleep 250",
      "tmux capture-pane -p -t =s: -S -30",
      "tmux send-keys -t =s: Down",
      "sleep 200",
      "tmux send-keys -t =s: Enter",
    ]);
  });
  await t.step(
    "a prompt without the dialog ends the wait with no keys",
    async () => {
      const { tmux, events } = scripted(() => ({ stdout: "> " }));
      assertEquals(await tmux.acceptBypassPermissions("s"), false);
      assertEquals(events, ["sleep 250", "tmux capture-pane -p -t =s: -S -30"]);
    },
  );
  await t.step(
    "gives up at the deadline and fails when the session is gone",
    async () => {
      const blank = scripted(() => ({ stdout: "" }));
      assertEquals(
        await blank.tmux.acceptBypassPermissions("s", { timeoutMs: 1000 }),
        false,
      );
      assert(!blank.events.some((e) => e.includes("send-keys")));
      const gone = scripted(() => fail("can't find session: s"));
      await assertRejects(
        () => gone.tmux.acceptBypassPermissions("s"),
        TmuxSessionNotFoundError,
      );
    },
  );
});

Deno.test("listPanes() parses the colon-separated listing (command last) and skips odd lines", async () => {
  const { tmux, events } = scripted(() => ({
    stdout: [
      "gt-a:%1:100:0:1700000000:4321:-:claude",
      "gt-a:%2:101:1:1700000000:4321:-:odd:name",
      "broken line",
      "keep:%0:99:0:x:garbage:-:bash",
      "",
    ].join("\n"),
  }));
  const panes = await tmux.listPanes();
  assertEquals(events, [
    "tmux list-panes -a -F #{session_name}:#{pane_id}:#{pane_pid}:#{pane_dead}:#{session_created}:#{pid}:-:#{pane_current_command}",
  ]);
  assertEquals([...panes.keys()], ["gt-a", "keep"]);
  const base = { session: "gt-a", created: 1700000000, serverPid: 4321 };
  assertEquals(panes.get("gt-a"), [
    { ...base, paneId: "%1", pid: 100, command: "claude", dead: false },
    { ...base, paneId: "%2", pid: 101, command: "odd:name", dead: true },
  ]);
  assertEquals(panes.get("keep")?.[0]?.created, 0);
  assertEquals(panes.get("keep")?.[0]?.serverPid, undefined);
  const other = scripted(() => fail("lost"));
  await assertRejects(
    () => other.tmux.listPanes(),
    TmuxError,
    "tmux list-panes: lost",
  );
});
