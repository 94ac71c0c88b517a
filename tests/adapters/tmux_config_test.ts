import { assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  crashHookCommand,
  hasClaudePrompt,
  sessionConfigSteps,
} from "../../src/adapters/tmux_config.ts";
import { assignTheme, MAYOR_THEME } from "../../src/town/theme.ts";

Deno.test("sessionConfigSteps() gives the ten calls of ConfigureGasTownSession in order", () => {
  const steps = sessionConfigSteps("gt-gastown-refinery", {
    theme: assignTheme("gastown"),
    rig: "gastown",
    worker: "refinery",
    role: "refinery",
  });
  const t = "=gt-gastown-refinery:";
  assertEquals(steps.map((s) => [s.prefix, s.calls.length]), [
    ["applying theme", 1],
    ["setting status format", 2],
    ["setting dynamic status", 3],
    ["setting mail click binding", 1],
    ["setting feed binding", 1],
    ["setting cycle bindings", 2],
  ]);
  assertEquals(steps.flatMap((s) => s.calls), [
    ["set-option", "-t", t, "status-style", "bg=#0d5c63,fg=#e0e0e0"],
    ["set-option", "-t", t, "status-left-length", "25"],
    ["set-option", "-t", t, "status-left", "🏭 gastown/refinery "],
    ["set-option", "-t", t, "status-right-length", "80"],
    ["set-option", "-t", t, "status-interval", "5"],
    [
      "set-option",
      "-t",
      t,
      "status-right",
      "#(gt status-line --session=gt-gastown-refinery 2>/dev/null) %H:%M",
    ],
    [
      "bind-key",
      "-T",
      "root",
      "MouseDown1StatusRight",
      "display-popup",
      "-E",
      "-w",
      "60",
      "-h",
      "15",
      "gt mail peek || echo 'No unread mail'",
    ],
    [
      "bind-key",
      "-T",
      "prefix",
      "a",
      "if-shell",
      "-F",
      "#{m:gt-*,#{session_name}}",
      "run-shell 'gt feed --window'",
      "display-message 'C-b a is for Gas Town sessions only'",
    ],
    [
      "bind-key",
      "-T",
      "prefix",
      "n",
      "if-shell",
      "-F",
      "#{m:gt-*,#{session_name}}",
      "run-shell 'gt cycle next --session #{q:session_name}'",
      "next-window",
    ],
    [
      "bind-key",
      "-T",
      "prefix",
      "p",
      "if-shell",
      "-F",
      "#{m:gt-*,#{session_name}}",
      "run-shell 'gt cycle prev --session #{q:session_name}'",
      "previous-window",
    ],
  ]);
  const mayor = sessionConfigSteps("gt-mayor", {
    theme: MAYOR_THEME,
    rig: "",
    worker: "Mayor",
    role: "coordinator",
  });
  assertEquals(mayor[0]?.calls[0]?.[4], "bg=#3d3200,fg=#ffd700");
  assertEquals(mayor[1]?.calls[1]?.[4], "🎩 Mayor ");
});

Deno.test("crashHookCommand() reproduces the reference hook and refuses unsafe values", () => {
  assertEquals(
    crashHookCommand("gastown/Toast", "gt-gastown-Toast"),
    `run-shell "gt log crash --agent 'gastown/Toast' --session 'gt-gastown-Toast' --exit-code #{pane_dead_status}"`,
  );
  for (const bad of ["a'b", 'a"b', "a b", "$(id)", "", "a;b"]) {
    assertThrows(() => crashHookCommand(bad, "gt-x"), Error, "Unsafe value");
    assertThrows(() => crashHookCommand("r/n", bad), Error, "Unsafe value");
  }
});

Deno.test("hasClaudePrompt() finds > lines after trimming", () => {
  assertEquals(hasClaudePrompt("> "), true);
  assertEquals(hasClaudePrompt("header\n   >\n"), true);
  assertEquals(hasClaudePrompt('> Try "fix lint"'), true);
  assertEquals(hasClaudePrompt("bash-5.2$ "), false);
  assertEquals(hasClaudePrompt("│ > boxed"), false);
  assertEquals(hasClaudePrompt(">>"), false);
  assertEquals(hasClaudePrompt(""), false);
});
