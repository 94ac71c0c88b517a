import { assertEquals } from "../helpers/assert.ts";
import {
  emptyAgentFields,
  expandRolePattern,
  formatDeadDescription,
  formatRoleConfig,
  parseAgentFields,
  parseRoleConfig,
  type RoleConfig,
} from "../../src/town/bead_text.ts";
import { rfc3339 } from "../../src/gotime.ts";

Deno.test("parseAgentFields() reads the description lines (BID-18)", async (t) => {
  await t.step("parses the gt format with a title and null values", () => {
    const desc =
      "gt-gastown-polecat-ace\n\nrole_type: polecat\nrig: gastown\nagent_state: working\nhook_bead: gt-kwnj1\nrole_bead: gt-polecat-role\ncleanup_status: null\nactive_mr: null\nnotification_level: null";
    assertEquals(parseAgentFields(desc), {
      roleType: "polecat",
      rig: "gastown",
      agentState: "working",
      hookBead: "gt-kwnj1",
      roleBead: "gt-polecat-role",
      cleanupStatus: "",
      activeMr: "",
      notificationLevel: "",
    });
  });

  await t.step("matches keys case-insensitively and trims", () => {
    const f = parseAgentFields("  AGENT_State :  running  \nRig:x");
    assertEquals([f.agentState, f.rig], ["running", "x"]);
  });

  await t.step("splits at the first colon only", () => {
    assertEquals(parseAgentFields("hook_bead: a:b").hookBead, "a:b");
  });

  await t.step("lets later lines override earlier ones, even with null", () => {
    const f = parseAgentFields(
      "agent_state: running\nagent_state: dead\nrig: a\nrig: null",
    );
    assertEquals([f.agentState, f.rig], ["dead", ""]);
  });

  await t.step(
    "ignores unknown keys, lines without colon and prototype names",
    () => {
      const f = parseAgentFields(
        "just prose\nfoo: bar\nconstructor: x\n__proto__: y",
      );
      assertEquals(f, emptyAgentFields());
    },
  );

  await t.step("returns empty fields for an empty description", () => {
    assertEquals(parseAgentFields(""), emptyAgentFields());
  });
});

Deno.test("formatDeadDescription() writes the markAgentDead text (STALE-05)", async (t) => {
  const now = new Date(2026, 0, 4, 15, 6, 23, 456);
  await t.step("writes the five lines, a blank line and the note", () => {
    const fields = parseAgentFields(
      "role_type: mayor\nrig: null\nagent_state: running\nhook_bead: null\nrole_bead: hq-mayor-role",
    );
    assertEquals(
      formatDeadDescription(fields, "", now, "running"),
      "role_type: mayor\nrig: \nagent_state: dead\nhook_bead: \nrole_bead: hq-mayor-role\n\n" +
        `Marked dead by daemon at ${
          rfc3339(now, { seconds: true })
        } (was running, last update too old)`,
    );
  });

  await t.step("takes hook_bead from the column, not the description", () => {
    const fields = parseAgentFields("hook_bead: from-desc");
    const text = formatDeadDescription(fields, "gt-col", now, "working");
    assertEquals(text.split("\n")[3], "hook_bead: gt-col");
  });

  await t.step("keeps a line break in a value from adding a line", () => {
    const text = formatDeadDescription(
      emptyAgentFields(),
      "x\nagent_state: running",
      now,
      "working",
    );
    assertEquals(parseAgentFields(text).agentState, "dead");
    assertEquals(text.split("\n").length, 7);
  });
});

const FULL =
  "session_pattern: gt-{rig}-{name}\nwork_dir_pattern: {town}/{rig}/polecats/{name}\nneeds_pre_sync: true\nstart_command: exec claude --dangerously-skip-permissions\nenv_var: GT_ROLE=polecat\nenv_var: GT_RIG={rig}";

Deno.test("parseRoleConfig() reads role bead config lines", async (t) => {
  await t.step("returns null without fields (ROLECFG-01, 02)", () => {
    assertEquals(parseRoleConfig(""), null);
    assertEquals(
      parseRoleConfig("This is just plain text\nwith no role config fields"),
      null,
    );
  });

  await t.step("reads every field, unexpanded (ROLECFG-03)", () => {
    assertEquals(parseRoleConfig(FULL), {
      sessionPattern: "gt-{rig}-{name}",
      workDirPattern: "{town}/{rig}/polecats/{name}",
      needsPreSync: true,
      startCommand: "exec claude --dangerously-skip-permissions",
      envVars: { GT_ROLE: "polecat", GT_RIG: "{rig}" },
    });
  });

  await t.step("defaults the rest (ROLECFG-04)", () => {
    assertEquals(
      parseRoleConfig("session_pattern: gt-mayor\nwork_dir_pattern: {town}"),
      {
        sessionPattern: "gt-mayor",
        workDirPattern: "{town}",
        needsPreSync: false,
        startCommand: "",
        envVars: {},
      },
    );
  });

  await t.step("finds fields inside prose (ROLECFG-05)", () => {
    const cfg = parseRoleConfig(
      "You are the witness.\n\nsession_pattern: gt-{rig}-witness\nwork_dir_pattern: {town}/{rig}\nneeds_pre_sync: false\n\nMore prose.",
    );
    assertEquals(
      [cfg?.sessionPattern, cfg?.workDirPattern, cfg?.needsPreSync],
      ["gt-{rig}-witness", "{town}/{rig}", false],
    );
  });

  await t.step("accepts hyphenated keys (ROLECFG-06)", () => {
    const cfg = parseRoleConfig(
      "session-pattern: a\nwork-dir-pattern: b\nneeds-pre-sync: TRUE\nstart-command: c\nenv-var: K=V",
    );
    assertEquals(cfg, {
      sessionPattern: "a",
      workDirPattern: "b",
      needsPreSync: true,
      startCommand: "c",
      envVars: { K: "V" },
    });
  });

  await t.step("matches keys case-insensitively (ROLECFG-07)", () => {
    const cfg = parseRoleConfig(
      "SESSION_PATTERN: gt-mayor\nWork_Dir_Pattern: {town}",
    );
    assertEquals([cfg?.sessionPattern, cfg?.workDirPattern], [
      "gt-mayor",
      "{town}",
    ]);
  });

  await t.step("skips null and empty values (ROLECFG-08)", () => {
    const cfg = parseRoleConfig(
      "session_pattern: x\nwork_dir_pattern: null\nstart_command:",
    );
    assertEquals([cfg?.workDirPattern, cfg?.startCommand], ["", ""]);
    assertEquals(parseRoleConfig("session_pattern: null"), null);
  });

  await t.step("ignores env_var without '=' and trims both sides", () => {
    assertEquals(parseRoleConfig("env_var: NOEQUALS"), null);
    assertEquals(parseRoleConfig("env_var:  A = b=c ")?.envVars, { A: "b=c" });
  });

  await t.step("counts needs_pre_sync with another value as a field", () => {
    assertEquals(parseRoleConfig("needs_pre_sync: yes")?.needsPreSync, false);
  });

  await t.step("keeps an env key named __proto__ as data", () => {
    const env = parseRoleConfig("env_var: __proto__=x")?.envVars ?? {};
    assertEquals(Object.keys(env), ["__proto__"]);
    assertEquals(Object.getPrototypeOf(env), Object.prototype);
  });
});

Deno.test("expandRolePattern() substitutes placeholders in one pass", async (t) => {
  const v = {
    town: "/Users/stevey/gt",
    rig: "gastown",
    name: "toast",
    role: "polecat",
  };
  await t.step("expands the reference cases (ROLECFG-09..14)", () => {
    const cases: [string, string][] = [
      ["gt-mayor", "gt-mayor"],
      ["gt-{rig}-{role}", "gt-gastown-polecat"],
      ["gt-{rig}-{name}", "gt-gastown-toast"],
      [
        "{town}/{rig}/polecats/{name}",
        "/Users/stevey/gt/gastown/polecats/toast",
      ],
      ["{town}/{rig}/refinery/rig", "/Users/stevey/gt/gastown/refinery/rig"],
      [
        "export GT_ROLE={role} GT_RIG={rig} BD_ACTOR={rig}/polecats/{name}",
        "export GT_ROLE=polecat GT_RIG=gastown BD_ACTOR=gastown/polecats/toast",
      ],
    ];
    for (const [p, want] of cases) assertEquals(expandRolePattern(p, v), want);
  });

  await t.step("does not expand placeholders inside substituted values", () => {
    const got = expandRolePattern("{town}/{rig}", {
      ...v,
      town: "/t/{rig}",
      rig: "{name}",
    });
    assertEquals(got, "/t/{rig}/{name}");
  });

  await t.step("leaves unknown placeholders alone", () => {
    assertEquals(expandRolePattern("{prefix}-{rig}", v), "{prefix}-gastown");
  });
});

Deno.test("formatRoleConfig() writes the set fields in order", async (t) => {
  const base: RoleConfig = {
    sessionPattern: "",
    workDirPattern: "",
    needsPreSync: false,
    startCommand: "",
    envVars: {},
  };
  await t.step("writes nothing for null or empty (ROLECFG-15, 16)", () => {
    assertEquals(formatRoleConfig(null), "");
    assertEquals(formatRoleConfig(base), "");
  });

  await t.step("writes the four scalar fields (ROLECFG-17)", () => {
    const cfg = {
      ...base,
      sessionPattern: "gt-{rig}-{name}",
      workDirPattern: "{town}/{rig}/polecats/{name}",
      needsPreSync: true,
      startCommand: "exec claude",
    };
    assertEquals(
      formatRoleConfig(cfg),
      "session_pattern: gt-{rig}-{name}\nwork_dir_pattern: {town}/{rig}/polecats/{name}\nneeds_pre_sync: true\nstart_command: exec claude",
    );
  });

  await t.step("writes only the session pattern (ROLECFG-18)", () => {
    assertEquals(
      formatRoleConfig({ ...base, sessionPattern: "gt-mayor" }),
      "session_pattern: gt-mayor",
    );
  });

  await t.step("round-trips through parseRoleConfig (ROLECFG-19)", () => {
    const cfg = parseRoleConfig(FULL) as RoleConfig;
    const noEnv = { ...cfg, envVars: {} };
    assertEquals(parseRoleConfig(formatRoleConfig(noEnv)), noEnv);
    assertEquals(parseRoleConfig(formatRoleConfig(cfg)), cfg);
  });
});
