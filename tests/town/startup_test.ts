import { assert, assertEquals, assertThrows } from "../helpers/assert.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { AppError } from "../../src/errors.ts";
import {
  agentArgv,
  bootStartup,
  buildStartupCommand,
  crewStartup,
  deaconStartup,
  DEFAULT_AGENT_ARGV,
  parseRuntimeConfig,
  polecatStartup,
  quotePrompt,
  refineryStartup,
  shellQuote,
  witnessStartup,
} from "../../src/town/startup.ts";
import {
  AGENT_PROCESS_NAMES,
  isAgentCommand,
  SUPPORTED_SHELLS,
} from "../../src/town/agent_process.ts";
import { sessionEnv } from "../../src/town/session_env.ts";

Deno.test("recipes reproduce the reference startup strings byte for byte (platform §5.3)", () => {
  assertEquals(
    deaconStartup(),
    "export BD_ACTOR=deacon GIT_AUTHOR_NAME=deacon GT_ROLE=deacon && claude --dangerously-skip-permissions",
  );
  assertEquals(
    witnessStartup("gastown"),
    "export BD_ACTOR=gastown/witness GIT_AUTHOR_NAME=gastown/witness GT_RIG=gastown GT_ROLE=witness && claude --dangerously-skip-permissions",
  );
  assertEquals(
    refineryStartup("gastown"),
    "export BD_ACTOR=gastown/refinery GIT_AUTHOR_NAME=gastown/refinery GT_RIG=gastown GT_ROLE=refinery && claude --dangerously-skip-permissions",
  );
  assertEquals(
    polecatStartup("gastown", "Toast"),
    "export BD_ACTOR=gastown/polecats/Toast GIT_AUTHOR_NAME=Toast GT_POLECAT=Toast GT_RIG=gastown GT_ROLE=polecat && claude --dangerously-skip-permissions",
  );
  assertEquals(
    bootStartup(),
    'export BD_ACTOR=deacon-boot GIT_AUTHOR_NAME=deacon-boot GT_ROLE=boot && claude --dangerously-skip-permissions "gt boot triage"',
  );
  assertEquals(
    buildStartupCommand({ env: {}, command: DEFAULT_AGENT_ARGV, exec: true }),
    "exec claude --dangerously-skip-permissions",
  );
  assertEquals(
    crewStartup("gastown", "max"),
    "export BD_ACTOR=gastown/crew/max GIT_AUTHOR_NAME=max GT_CREW=max GT_RIG=gastown GT_ROLE=crew && claude --dangerously-skip-permissions",
  );
});

Deno.test("buildStartupCommand() sorts whole K=V strings and honours its options", async (t) => {
  await t.step(
    "sorts GT_ROLE2= before GT_ROLE= (byte order of the full string)",
    () => {
      assertEquals(
        buildStartupCommand({
          env: { GT_ROLE: "x", GT_ROLE2: "y", A: "1" },
          command: ["claude"],
        }),
        "export A=1 GT_ROLE2=y GT_ROLE=x && claude",
      );
    },
  );
  await t.step("adds exec, an absolute argv[0] and extra env", () => {
    assertEquals(
      polecatStartup("gastown", "Toast", {
        agentArgv: ["/opt/bin/claude", "--x"],
        exec: true,
        extraEnv: { BEADS_NO_DAEMON: "1" },
      }),
      "export BD_ACTOR=gastown/polecats/Toast BEADS_NO_DAEMON=1 GIT_AUTHOR_NAME=Toast GT_POLECAT=Toast GT_RIG=gastown GT_ROLE=polecat && exec /opt/bin/claude --x",
    );
  });
  await t.step("leaves out the export part without variables", () => {
    assertEquals(
      buildStartupCommand({ env: {}, command: ["claude"], prompt: "hi" }),
      'claude "hi"',
    );
  });
  await t.step("rejects invalid variable names and an empty argv", () => {
    assertThrows(
      () => buildStartupCommand({ env: { "A B": "1" }, command: ["c"] }),
      AppError,
      'invalid variable name "A B"',
    );
    assertThrows(
      () => buildStartupCommand({ env: {}, command: [] }),
      AppError,
      "empty argv",
    );
  });
});

Deno.test("shellQuote() and quotePrompt() quote everything a shell would expand", () => {
  assertEquals(shellQuote("gastown/polecats/Toast"), "gastown/polecats/Toast");
  assertEquals(
    shellQuote("/tmp/t-1/a_b.c:d=e@f%g+h,i"),
    "/tmp/t-1/a_b.c:d=e@f%g+h,i",
  );
  assertEquals(shellQuote(""), "''");
  assertEquals(shellQuote("a b"), "'a b'");
  assertEquals(shellQuote("it's"), "'it'\\''s'");
  assertEquals(shellQuote("$(id)"), "'$(id)'");
  assertEquals(quotePrompt("gt boot triage"), '"gt boot triage"');
  assertEquals(quotePrompt('say "hi"'), `'say "hi"'`);
  assertEquals(quotePrompt("cost $5!"), "'cost $5!'");
  assertEquals(quotePrompt("`id`"), "'`id`'");
});

Deno.test("buildStartupCommand() output runs in bash with hostile values intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gt-startup-" });
  try {
    const hostile = [
      "x; touch pwned",
      "$(touch pwned)",
      "`touch pwned`",
      "a'b\"c\\d",
      "new\nline",
      "* ?",
      "café",
      "",
    ];
    const env: Record<string, string> = {};
    hostile.forEach((v, i) => env[`V${i}`] = v);
    const line = buildStartupCommand({
      env,
      command: ["printf", "%s\\0", ...hostile],
      prompt: 'it\'s $HOME `touch pwned` "q" !x',
    });
    const printEnv = buildStartupCommand({
      env,
      command: [
        "bash",
        "-c",
        'printf "%s\\0" "$V0" "$V1" "$V2" "$V3" "$V4" "$V5" "$V6" "$V7"',
      ],
    });
    const runner = createRunner();
    for (
      const [cmd, expected] of [
        [line, [...hostile, 'it\'s $HOME `touch pwned` "q" !x']],
        [printEnv, hostile],
      ] as const
    ) {
      const r = await runner.run(["bash", "--noprofile", "--norc", "-c", cmd], {
        cwd: dir,
      });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout.split("\0").slice(0, -1), [...expected]);
    }
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
    assertEquals(entries, [], "no command substitution may run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sessionEnv() gives the ordered session variables per role", () => {
  assertEquals(sessionEnv("deacon"), [["GT_ROLE", "deacon"], [
    "BD_ACTOR",
    "deacon",
  ]]);
  assertEquals(sessionEnv("boot"), [["GT_ROLE", "boot"], [
    "BD_ACTOR",
    "deacon-boot",
  ]]);
  assertEquals(sessionEnv("witness", { rig: "alpha" }), [
    ["GT_ROLE", "witness"],
    ["GT_RIG", "alpha"],
    ["BD_ACTOR", "alpha/witness"],
  ]);
  assertEquals(sessionEnv("refinery", { rig: "gastown", town: "/t" }), [
    ["GT_ROLE", "refinery"],
    ["GT_RIG", "gastown"],
    ["BD_ACTOR", "gastown/refinery"],
    ["BEADS_DIR", "/t/gastown/mayor/rig/.beads"],
    ["BEADS_NO_DAEMON", "1"],
    ["BEADS_AGENT_NAME", "gastown/refinery"],
  ]);
  assertEquals(
    sessionEnv("polecat", { rig: "gastown", name: "Toast", town: "/t" }),
    [
      ["GT_ROLE", "polecat"],
      ["GT_RIG", "gastown"],
      ["GT_POLECAT", "Toast"],
      ["BD_ACTOR", "gastown/polecats/Toast"],
      ["BEADS_DIR", "/t/gastown/.beads"],
      ["BEADS_NO_DAEMON", "1"],
      ["BEADS_AGENT_NAME", "gastown/Toast"],
    ],
  );
  assertEquals(sessionEnv("crew", { rig: "gastown", name: "max" }), [
    ["GT_ROLE", "crew"],
    ["GT_RIG", "gastown"],
    ["GT_CREW", "max"],
    ["BD_ACTOR", "gastown/crew/max"],
  ]);
  assertEquals(sessionEnv("mayor"), [["GT_ROLE", "mayor"], [
    "BD_ACTOR",
    "mayor",
  ]]);
});

Deno.test("isAgentCommand() accepts claude, node, the configured name and versions (O1 fix)", () => {
  assertEquals(AGENT_PROCESS_NAMES, ["claude", "node"]);
  assertEquals(SUPPORTED_SHELLS, ["bash", "zsh", "sh", "fish", "tcsh", "ksh"]);
  for (const c of ["claude", "node", "2.0.76", "10.1.0-beta", " claude "]) {
    assert(isAgentCommand(c, "claude"), c);
  }
  assert(isAgentCommand("gemini", "/usr/local/bin/gemini"));
  for (const c of ["bash", "zsh", "", "-bash", "2.0", "claude2", "nodejs"]) {
    assert(!isAgentCommand(c, "/usr/bin/claude"), c);
  }
});

Deno.test("parseRuntimeConfig() reads the runtime or falls back to defaults (platform §5.1–5.2)", async (t) => {
  const defaults = {
    command: "claude",
    args: ["--dangerously-skip-permissions"],
    initialPrompt: "",
  };
  await t.step(
    "gives defaults for a missing, invalid or runtime-less file",
    () => {
      for (
        const text of [
          null,
          "",
          "not json",
          "[]",
          "{}",
          '{"runtime": null}',
          '{"type": "town", "runtime": {"command": "x"}}',
          '{"version": 2, "runtime": {"command": "x"}}',
          '{"version": "1", "runtime": {"command": "x"}}',
          '{"runtime": {"command": 5}}',
          '{"runtime": {"args": "x"}}',
          '{"runtime": {"args": [1]}}',
          '{"runtime": "claude"}',
          '{"merge_queue": {"on_conflict": "merge"}, "runtime": {"command": "x"}}',
          '{"merge_queue": {"poll_interval": "30"}, "runtime": {"command": "x"}}',
          '{"merge_queue": {"retry_flaky_tests": -1}, "runtime": {"command": "x"}}',
          '{"merge_queue": {"max_concurrent": 1.5}, "runtime": {"command": "x"}}',
          '{"merge_queue": [], "runtime": {"command": "x"}}',
        ]
      ) {
        assertEquals(parseRuntimeConfig(text), defaults, String(text));
      }
    },
  );
  await t.step(
    "reads command, args and prompt, keeping an empty args list",
    () => {
      assertEquals(
        parseRuntimeConfig(
          '{"type": "rig-settings", "version": 1, "merge_queue": {"on_conflict": "auto_rebase", "poll_interval": "1m30s", "retry_flaky_tests": 2, "max_concurrent": 0}, "runtime": {"command": "gemini", "args": ["--yolo"], "initial_prompt": "go"}}',
        ),
        { command: "gemini", args: ["--yolo"], initialPrompt: "go" },
      );
      assertEquals(parseRuntimeConfig('{"runtime": {"args": []}}'), {
        ...defaults,
        args: [],
      });
      assertEquals(
        parseRuntimeConfig('{"runtime": {"command": "", "args": null}}'),
        defaults,
      );
      assertEquals(
        parseRuntimeConfig('{"Runtime": {"Command": "aider"}}').command,
        "aider",
      );
    },
  );
  await t.step("agentArgv() puts the command first", () => {
    assertEquals(agentArgv(parseRuntimeConfig(null)), [...DEFAULT_AGENT_ARGV]);
    assertEquals(agentArgv({ command: "c", args: [], initialPrompt: "" }), [
      "c",
    ]);
  });
});
