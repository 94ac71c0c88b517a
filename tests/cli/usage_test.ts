import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { baseEnv, makeTown, runCli } from "../helpers/cli.ts";

Deno.test("--help, --version and every command's --help print to stdout and exit 0", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const main = await runCli(["--help"], { cwd: t.root, env });
    assertEquals(main.code, 0);
    for (const c of ["start", "stop", "status", "logs", "run"]) {
      assertStringIncludes(main.stdout, `  ${c} `);
    }
    const v = await runCli(["--version"], { cwd: t.root, env });
    assertEquals(v.code, 0);
    assert(
      /^gt-daemon \d+\.\d+\.\d+ \(Deno 2\.\d+\.\d+\)\n$/.test(v.stdout),
      v.stdout,
    );
    for (
      const c of [
        "start",
        "stop",
        "status",
        "logs",
        "run",
        "heartbeat",
        "poke",
        "clear-backoff",
      ]
    ) {
      const r = await runCli([c, "--help"], { cwd: t.root, env });
      assertEquals(r.code, 0, c);
      assertStringIncludes(r.stdout, `Usage: gt-daemon ${c}`);
    }
  } finally {
    await t.close();
  }
});

Deno.test("outside a town every command exits 2 with a one-line error naming what it looked for", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    for (const c of ["status", "start", "stop", "logs", "run"]) {
      const r = await runCli([c], { cwd: t.root, env });
      assertEquals(r.code, 2, `${c}: ${r.stderr}`);
      assertStringIncludes(r.stderr, "Not in a Gas Town workspace");
      assertStringIncludes(r.stderr, "mayor/town.json");
      assertStringIncludes(r.stderr, "--town");
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    await t.close();
  }
});

Deno.test("--town, GT_TOWN_ROOT and ~/gt select the town; a bad --town is a usage error", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    const a = await runCli(["status", "--town", t.town], { cwd: "/", env });
    assertEquals(a.code, 0);
    const b = await runCli(["status"], {
      cwd: "/",
      env: { ...env, GT_TOWN_ROOT: t.town },
    });
    assertEquals(b.code, 0);
    await Deno.mkdir(`${t.root}/home/gt/mayor`, { recursive: true });
    const c = await runCli(["status", "--json"], { cwd: "/", env });
    assertEquals(JSON.parse(c.stdout).town, `${t.root}/home/gt`);
    const d = await runCli(["status", "--town", `${t.root}/nowhere`], {
      cwd: "/",
      env,
    });
    assertEquals(d.code, 2);
    assertStringIncludes(d.stderr, "Not a Gas Town workspace");
  } finally {
    await t.close();
  }
});

Deno.test("bad flags and unknown commands are usage errors (exit 2)", async () => {
  const t = await makeTown();
  try {
    const env = baseEnv(t.root);
    for (
      const args of [["bogus"], ["start", "--interval", "soon"], [
        "logs",
        "-n",
        "x",
      ], ["status", "--nope"]]
    ) {
      const r = await runCli(args, { cwd: t.town, env });
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert(r.stderr.startsWith("Error: "), r.stderr);
    }
    const none = await runCli([], { cwd: t.town, env });
    assertEquals(none.code, 2);
    assertStringIncludes(none.stdout, "Usage: gt-daemon <command>");
  } finally {
    await t.close();
  }
});

Deno.test("logs fails clearly when there is no log yet", async () => {
  const t = await makeTown();
  try {
    const r = await runCli(["logs"], { cwd: t.town, env: baseEnv(t.root) });
    assertEquals(r.code, 1);
    assertStringIncludes(
      r.stderr,
      `No log file found at "${t.town}/daemon/daemon.log"`,
    );
  } finally {
    await t.close();
  }
});

Deno.test("under deno task, the town is found from INIT_CWD, where the task was invoked", async () => {
  const t = await makeTown();
  try {
    const r = await runCli(["status", "--json"], {
      cwd: "/",
      env: baseEnv(t.root, { INIT_CWD: `${t.town}/deacon` }),
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(JSON.parse(r.stdout).town, t.town);
  } finally {
    await t.close();
  }
});
