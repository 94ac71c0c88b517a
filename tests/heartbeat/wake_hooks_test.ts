/**
 * The tmux hook commands that wake the daemon, and the nudge setting.
 *
 * @module
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  paneDiedHook,
  sessionClosedHook,
} from "../../src/heartbeat/act_session.ts";
import { nudgeInterval } from "../../src/daemon/town_engine.ts";
import { REAP_NUDGE_MS } from "../../src/adapters/tmux_reaper.ts";
import { MemoryLog } from "../../src/log.ts";
import type { SessionSpec } from "../../src/heartbeat/types.ts";

Deno.test("sessionClosedHook() gives each town its own stable index and a sanitized file name", () => {
  const a = sessionClosedHook("/home/u/gt", "/home/u/gt/daemon/events");
  const again = sessionClosedHook("/home/u/gt", "/home/u/gt/daemon/events");
  const b = sessionClosedHook("/home/u/gt2", "/home/u/gt2/daemon/events");
  assert(a && b);
  assertEquals(again, a);
  assert(a.index !== b.index);
  for (const h of [a, b]) assert(h.index >= 1000 && h.index < 901_000);
  assertEquals(
    a.command,
    `run-shell ": > '/home/u/gt/daemon/events/session-closed.#{s/[^A-Za-z0-9_-]//:hook_session_name}'"`,
  );
  // A path the quoting cannot carry gets no hook at all.
  assertEquals(sessionClosedHook("/x", "/tmp/it's/events"), null);
  assertEquals(sessionClosedHook("/x", "/tmp/a b/events"), null);
});

Deno.test("paneDiedHook() writes the wake-up file before the reference's crash log", () => {
  const spec = {
    agent: "gastown/polecats/Toast",
    session: "gt-gastown-Toast",
  } as SessionSpec;
  const hook = paneDiedHook(spec, "/t/daemon/events");
  assertEquals(
    hook,
    `run-shell ": > '/t/daemon/events/pane-died.gt-gastown-Toast'; gt log crash --agent 'gastown/Toast' --session 'gt-gastown-Toast' --exit-code #{pane_dead_status}"`,
  );
  // Without a safe path, exactly the reference's hook.
  assertEquals(
    paneDiedHook(spec, "/t/a b"),
    `run-shell "gt log crash --agent 'gastown/Toast' --session 'gt-gastown-Toast' --exit-code #{pane_dead_status}"`,
  );
});

Deno.test("nudgeInterval() reads GT_DAEMON_TMUX_NUDGE_MS, 0 turns it off, garbage is logged", () => {
  const log = new MemoryLog();
  assertEquals(nudgeInterval(undefined, log), REAP_NUDGE_MS);
  assertEquals(nudgeInterval("", log), REAP_NUDGE_MS);
  assertEquals(nudgeInterval("0", log), 0);
  assertEquals(nudgeInterval("1000", log), 1000);
  assertEquals(log.lines.length, 0);
  assertEquals(nudgeInterval("-5", log), REAP_NUDGE_MS);
  assertEquals(nudgeInterval("1e9", log), REAP_NUDGE_MS);
  assertEquals(log.lines.length, 2);
  assertStringIncludes(log.lines[0] ?? "", 'GT_DAEMON_TMUX_NUDGE_MS="-5"');
});
