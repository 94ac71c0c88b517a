import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AGENT_ENV_VARS,
  isExecutable,
  resolveTools,
  runtimeInfo,
  scrubAgentEnv,
  selfCommand,
  selfCommandFor,
  servicePath,
  toolReport,
  toolSearchDirs,
  V8_FLAGS,
  v8FlagsArg,
} from "../../src/adapters/tools.ts";

function fakeFs(executables: string[]): (path: string) => boolean {
  const set = new Set(executables);
  return (path) => set.has(path);
}

Deno.test("toolSearchDirs() orders PATH, fallbacks, then extra dirs", async (t) => {
  await t.step("expands ~ and drops duplicates and relative entries", () => {
    const dirs = toolSearchDirs(
      { PATH: "/usr/bin:/bin::./rel:/usr/local/bin/", HOME: "/home/u" },
      ["/opt/gt/bin", "~/tools"],
    );
    assert.deepEqual(dirs, [
      "/usr/bin",
      "/bin",
      "/usr/local/bin",
      "/home/u/.local/bin",
      "/home/u/bin",
      "/home/u/go/bin",
      "/opt/homebrew/bin",
      "/opt/gt/bin",
      "/home/u/tools",
    ]);
  });

  await t.step("skips home-relative dirs when HOME is unset", () => {
    const dirs = toolSearchDirs({ PATH: "/bin" });
    assert.deepEqual(dirs, ["/bin", "/usr/local/bin", "/opt/homebrew/bin"]);
  });
});

Deno.test("resolveTools() finds tools in search order", async (t) => {
  const env = { PATH: "/usr/bin:/bin", HOME: "/home/u" };

  await t.step("prefers PATH over the fallback dirs", () => {
    const r = resolveTools({
      names: ["tmux"],
      env,
      isExecutable: fakeFs(["/usr/local/bin/tmux", "/bin/tmux"]),
    });
    assert.deepEqual(r.found, { tmux: "/bin/tmux" });
    assert.deepEqual(r.missing, []);
  });

  await t.step(
    "finds tools in ~/.local/bin and ~/go/bin when PATH is minimal",
    () => {
      const r = resolveTools({
        names: ["gt", "bd", "git"],
        env,
        isExecutable: fakeFs([
          "/home/u/.local/bin/gt",
          "/home/u/go/bin/bd",
          "/usr/bin/git",
        ]),
      });
      assert.deepEqual(r.found, {
        gt: "/home/u/.local/bin/gt",
        bd: "/home/u/go/bin/bd",
        git: "/usr/bin/git",
      });
    },
  );

  await t.step("uses extra dirs from config last", () => {
    const r = resolveTools({
      names: ["claude", "gt"],
      env,
      extraDirs: ["/opt/agents"],
      isExecutable: fakeFs(["/opt/agents/claude", "/opt/agents/gt", "/bin/gt"]),
    });
    assert.deepEqual(r.found, { claude: "/opt/agents/claude", gt: "/bin/gt" });
    assert.equal(r.searched.at(-1), "/opt/agents");
  });

  await t.step("takes a name with a slash as a path", () => {
    const r = resolveTools({
      names: ["/opt/x/claude", "rel/claude"],
      env,
      isExecutable: fakeFs(["/opt/x/claude", "/bin/rel/claude"]),
    });
    assert.deepEqual(r.found, { "/opt/x/claude": "/opt/x/claude" });
    assert.deepEqual(r.missing, ["rel/claude"]);
  });

  await t.step("lists missing tools once, in input order", () => {
    const r = resolveTools({
      names: ["gt", "bd", "gt", ""],
      env,
      isExecutable: () => false,
    });
    assert.deepEqual(r.found, {});
    assert.deepEqual(r.missing, ["gt", "bd"]);
  });
});

Deno.test("resolveTools() checks real files with isExecutable() when not injected", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = join(dir, "bin");
    const other = join(dir, "other");
    await Deno.mkdir(bin);
    await Deno.mkdir(other);
    await Deno.writeTextFile(join(bin, "gt"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(join(bin, "bd"), "data\n", { mode: 0o644 });
    await Deno.writeTextFile(join(other, "bd"), "#!/bin/sh\n", { mode: 0o700 });
    await Deno.mkdir(join(bin, "tmux"));
    await Deno.symlink(join(bin, "gt"), join(other, "git"));

    await t.step(
      "accepts an executable and skips a non-executable file",
      () => {
        const r = resolveTools({
          names: ["gt", "bd", "tmux", "git"],
          env: { PATH: `${bin}:${other}` },
          extraDirs: [],
        });
        assert.equal(r.found["gt"], join(bin, "gt"));
        assert.equal(r.found["bd"], join(other, "bd"));
        assert.equal(r.found["git"], join(other, "git"));
        assert.equal(r.found["tmux"] ?? null, null);
      },
    );

    await t.step(
      "isExecutable() is false for directories and missing files",
      () => {
        assert.equal(isExecutable(join(bin, "tmux")), false);
        assert.equal(isExecutable(join(bin, "nope")), false);
        assert.equal(isExecutable(join(bin, "bd")), false);
        assert.equal(isExecutable(join(bin, "gt")), true);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toolReport() logs one line per tool and per missing tool", () => {
  const lines = toolReport({
    found: { tmux: "/usr/bin/tmux" },
    missing: ["gt"],
    searched: ["/usr/bin", "/bin"],
  });
  assert.deepEqual(lines, [
    'Tool "tmux" found: /usr/bin/tmux',
    'Tool "gt" not found: searched /usr/bin:/bin; steps that need it are skipped',
  ]);
});

Deno.test("servicePath() puts the tool dirs before the system dirs", () => {
  assert.equal(
    servicePath({ gt: "/home/u/.local/bin/gt", tmux: "/usr/bin/tmux" }),
    "/home/u/.local/bin:/usr/bin:/usr/local/bin:/bin",
  );
});

Deno.test("scrubAgentEnv() removes inherited identity variables and sets its own", () => {
  const saved = new Map(AGENT_ENV_VARS.map((k) => [k, Deno.env.get(k)]));
  const savedOwn = Deno.env.get("GT_DAEMON_TEST_OWN");
  try {
    for (const k of AGENT_ENV_VARS) Deno.env.delete(k);
    Deno.env.set("GT_ROLE", "polecat");
    Deno.env.set("BEADS_DIR", "/x/.beads");
    const removed = scrubAgentEnv({ set: { GT_DAEMON_TEST_OWN: "1" } });
    assert.deepEqual(removed, ["GT_ROLE", "BEADS_DIR"]);
    for (const k of AGENT_ENV_VARS) assert.equal(Deno.env.get(k), undefined);
    assert.equal(Deno.env.get("GT_DAEMON_TEST_OWN"), "1");
    assert.deepEqual(scrubAgentEnv(), []);
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    if (savedOwn === undefined) Deno.env.delete("GT_DAEMON_TEST_OWN");
    else Deno.env.set("GT_DAEMON_TEST_OWN", savedOwn);
  }
});

Deno.test("selfCommandFor() re-runs the program in both modes", async (t) => {
  await t.step("is the binary alone when compiled", () => {
    assert.deepEqual(
      selfCommandFor({
        standalone: true,
        execPath: "/opt/gt-daemon",
        mainModule: "file:///tmp/deno-compile-gt-daemon/main.ts",
      }),
      ["/opt/gt-daemon"],
    );
  });

  await t.step("is deno run with the permission flags under deno run", () => {
    assert.deepEqual(
      selfCommandFor({
        standalone: false,
        execPath: "/usr/bin/deno",
        mainModule: "file:///srv/gt%20daemon/main.ts",
        configPath: "/srv/gt daemon/deno.json",
      }),
      [
        "/usr/bin/deno",
        "run",
        "--allow-all",
        "--no-prompt",
        "--v8-flags=--max-semi-space-size=1,--max-opt=2",
        "--config",
        "/srv/gt daemon/deno.json",
        "/srv/gt daemon/main.ts",
      ],
    );
  });

  await t.step("passes --no-config when no deno.json is beside main", () => {
    const argv = selfCommandFor({
      standalone: false,
      execPath: "/usr/bin/deno",
      mainModule: "file:///srv/main.ts",
    });
    assert.deepEqual(argv.slice(-2), ["--no-config", "/srv/main.ts"]);
  });

  await t.step("selfCommand() describes this test process", () => {
    const argv = selfCommand();
    assert.equal(argv[0], Deno.execPath());
    assert.equal(argv[1], "run");
    assert.ok(argv.includes(v8FlagsArg()));
    const info = runtimeInfo();
    assert.equal(info.standalone, false);
    assert.equal(info.deno, Deno.version.deno);
    assert.equal(info.execPath, Deno.execPath());
  });
});

Deno.test("v8FlagsArg() joins the V8 flags the way deno run and the tasks take them", async (t) => {
  await t.step("gives one --v8-flags= argument", () => {
    assert.deepEqual(V8_FLAGS, ["--max-semi-space-size=1", "--max-opt=2"]);
    assert.equal(
      v8FlagsArg(),
      "--v8-flags=--max-semi-space-size=1,--max-opt=2",
    );
    assert.equal(v8FlagsArg(["--a", "--b=2"]), "--v8-flags=--a,--b=2");
  });

  await t.step(
    "is in the deno.json tasks that can host the daemon",
    async () => {
      const config = JSON.parse(
        await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
      );
      for (const task of ["run", "dev"]) {
        const words: string[] = config.tasks[task].split(" ");
        assert.ok(words.includes(v8FlagsArg()), `task ${task}: ${words}`);
        assert.ok(
          words.indexOf(v8FlagsArg()) < words.indexOf("main.ts"),
          `task ${task} passes the flag to deno, not to the program`,
        );
      }
    },
  );

  await t.step("is accepted by this deno and caps V8's new space", async () => {
    // Short-lived garbage widens the new space to V8's maximum unless the
    // semi-space size is capped.
    const code = `import { getHeapSpaceStatistics } from "node:v8";
      let keep = [];
      for (let i = 0; i < 200; i++) {
        const a = [];
        for (let j = 0; j < 20000; j++) a.push({ j, s: "x" + j });
        keep.push(a);
        if (keep.length > 5) keep.shift();
      }
      console.log(getHeapSpaceStatistics()
        .find((s) => s.space_name === "new_space").space_size);`;
    const newSpace = async (flags: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", ...flags, code],
        stdin: "null",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return Number(new TextDecoder().decode(out.stdout));
    };
    const MiB = 1024 * 1024;
    // Two 1 MiB semi-spaces, plus what Maglev-only code keeps in flight.
    const uncapped = await newSpace([]);
    assert.ok(uncapped > 16 * MiB, "uncapped new space grows");
    // V8 may keep a few pages beyond the two semi-spaces (5.25 MiB seen).
    const capped = await newSpace([v8FlagsArg()]);
    assert.ok(
      capped <= 8 * MiB && capped * 2 < uncapped,
      `capped new space: ${capped}, uncapped: ${uncapped}`,
    );
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["eval", v8FlagsArg(["--no-such-v8-flag-here"]), "1"],
      stdin: "null",
      stderr: "null",
    }).output();
    assert.notEqual(bad.code, 0, "a flag V8 does not know is refused");
  });
});
