import assert from "node:assert/strict";
import { join } from "node:path";
import { PERMISSION_FLAGS, v8FlagsArg } from "../../src/adapters/tools.ts";
import { UsageError } from "../../src/errors.ts";
import { VERSION } from "../../src/version.ts";
import {
  COMPILE_TARGETS,
  compileArgv,
  compileRefusal,
  defaultOutput,
  denortCachePath,
  denortEnvName,
  isBaseRuntimeFailure,
  lastCause,
  lazyIncludes,
  parseCompileArgs,
  reportedDeno,
  SKIP_EXIT_CODE,
} from "../../scripts/compile.ts";
import {
  alive,
  baseEnv,
  FIXTURE_BIN,
  makeTown,
  readPid,
  REPO,
  waitFor,
} from "../helpers/cli.ts";
import { startPrivateTmux } from "../helpers/tmux_server.ts";
import { type CommandOutput, runCommand } from "../helpers/command.ts";
import { exists } from "../helpers/files.ts";

const SCRIPT = join(REPO, "scripts/compile.ts");
const HOST = Deno.build.target;

const DOWNLOAD_ERROR = `Compile m.ts to ./m
Download https://dl.deno.land/release/v2.9.1/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file './m.tmp-1'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.1/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
   1: <unknown>
`;

type Out = CommandOutput;

async function exec(
  argv: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Out> {
  return await runCommand(argv, { env, timeoutMs });
}

function envWithout(names: (k: string) => boolean): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !names(k)),
  );
}

/** A loopback port with nothing listening on it. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("parseCompileArgs() picks targets, output and entry", async (t) => {
  await t.step("builds the host target into dist/gt-daemon by default", () => {
    const o = parseCompileArgs([], HOST);
    assert.deepEqual(o.targets, [HOST]);
    assert.equal(o.entry, join(REPO, "main.ts"));
    assert.equal(o.allowSkip, false);
    assert.equal(defaultOutput(HOST, false), join(REPO, "dist/gt-daemon"));
  });

  await t.step("builds every POSIX target with --all-targets", () => {
    const o = parseCompileArgs(["--all-targets", "--allow-skip"], HOST);
    assert.deepEqual(o.targets, COMPILE_TARGETS);
    assert.equal(o.allowSkip, true);
    assert.equal(
      defaultOutput("aarch64-apple-darwin", true),
      join(REPO, "dist/gt-daemon-aarch64-apple-darwin"),
    );
  });

  await t.step("throws UsageError on bad combinations", () => {
    for (
      const args of [
        ["--target", "x86_64-pc-windows-msvc"],
        ["--target", HOST, "--all-targets"],
        ["--all-targets", "--output", "x"],
        ["--bogus"],
      ]
    ) {
      assert.throws(() => parseCompileArgs(args, HOST), UsageError);
    }
  });
});

Deno.test("compileArgv() embeds every module main.ts loads on demand", () => {
  const includes = lazyIncludes("/src");
  assert.ok(includes.includes("/src/src/cli/status.ts"), String(includes));
  assert.ok(includes.includes("/src/src/daemon/town_engine.ts"));
  const argv = compileArgv("/d/deno", HOST, "/o/bin", "/src/main.ts", includes);
  assert.deepEqual(argv.slice(-1 - 2 * includes.length), [
    ...includes.flatMap((p) => ["--include", p]),
    "/src/main.ts",
  ]);
});

Deno.test("compileArgv() bakes the permissions and the V8 flags in", () => {
  assert.deepEqual(compileArgv("/d/deno", HOST, "/o/bin", "/src/main.ts"), [
    "/d/deno",
    "compile",
    ...PERMISSION_FLAGS,
    "--v8-flags=--max-semi-space-size=1,--max-opt=2",
    "--target",
    HOST,
    "--output",
    "/o/bin",
    "/src/main.ts",
  ]);
  assert.equal(v8FlagsArg(), "--v8-flags=--max-semi-space-size=1,--max-opt=2");
});

Deno.test("compileRefusal() refuses a Deno whose SIGUSR1 opens an inspector unless allowed; reportedDeno() reads --version", () => {
  assert.equal(compileRefusal("2.9.1", false), null);
  for (const v of ["2.9.2", "2.9.6", "3.0.0", "unknown (garbage)"]) {
    const r = compileRefusal(v, false);
    assert.ok(r?.startsWith("Refusing to build on an unsupported Deno"), v);
    assert.ok(r?.includes("--allow-unsupported-deno"), v);
    assert.equal(compileRefusal(v, true), null, v);
  }
  assert.ok(compileRefusal("2.9.6", false)?.includes("127.0.0.1:9229"));
  assert.equal(reportedDeno(`gt-daemon ${VERSION} (Deno 2.9.6)\n`), "2.9.6");
  assert.equal(reportedDeno("something else"), null);
});

Deno.test("compile helpers name the base runtime and read deno's error", () => {
  assert.equal(denortEnvName(HOST, HOST), "DENORT_BIN");
  assert.equal(
    denortEnvName(
      "aarch64-apple-darwin",
      HOST === "aarch64-apple-darwin" ? "x" : HOST,
    ),
    "DENORT_BIN_AARCH64_APPLE_DARWIN",
  );
  assert.equal(
    denortCachePath("/c/deno", "2.9.1", "x86_64-unknown-linux-gnu"),
    "/c/deno/dl/release/v2.9.1/denort-x86_64-unknown-linux-gnu.zip",
  );
  assert.equal(isBaseRuntimeFailure(DOWNLOAD_ERROR), true);
  assert.equal(
    isBaseRuntimeFailure('error: Module not found "file:///x/main.ts".'),
    false,
  );
  assert.equal(
    lastCause(DOWNLOAD_ERROR),
    "failed to lookup address information: Name or service not known",
  );
});

Deno.test("compile.ts prints one skip line when no base runtime can be had", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gtd-compile-" });
  try {
    const entry = join(dir, "entry.ts");
    await Deno.writeTextFile(entry, 'console.log("entry");\n');
    await Deno.mkdir(join(dir, "deno-dir"));
    await Deno.mkdir(join(dir, "out"));
    const proxy = `http://127.0.0.1:${closedPort()}`;
    // No DENORT_BIN, an empty deno cache, and a proxy that refuses: the
    // download of the base runtime fails here as it does offline.
    const env = {
      ...envWithout((k) => k.startsWith("DENORT_BIN") || /^no_proxy$/i.test(k)),
      DENO_DIR: join(dir, "deno-dir"),
      HTTPS_PROXY: proxy,
      https_proxy: proxy,
    };
    const argv = [
      Deno.execPath(),
      "run",
      "-A",
      SCRIPT,
      "--entry",
      entry,
      "--output",
      join(dir, "out", "bin"),
    ];

    await t.step(
      `exits ${SKIP_EXIT_CODE} with a single 'compile skipped' line`,
      async () => {
        const r = await exec(argv, env);
        assert.equal(r.code, SKIP_EXIT_CODE, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 1, r.stdout);
        assert.match(
          lines[0]!,
          new RegExp(
            `^compile skipped: no Deno \\S+ base runtime for ${HOST}: DENORT_BIN is not set`,
          ),
        );
        assert.equal(r.stderr, "");
        assert.deepEqual([...Deno.readDirSync(join(dir, "out"))], []);
      },
    );

    await t.step("exits 0 with --allow-skip", async () => {
      const r = await exec([...argv, "--allow-skip"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^compile skipped: .*\n$/);
    });

    await t.step("fails when DENORT_BIN names a missing file", async () => {
      const r = await exec(argv, { ...env, DENORT_BIN: join(dir, "nope") });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `DENORT_BIN points to a missing file: "${join(dir, "nope")}"`,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "compile.ts builds a binary that starts, reports and stops a daemon",
  // The daemon is a detached grandchild; it is stopped and then checked (and
  // killed if needed) by its PID.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    if (!exists(join(REPO, "main.ts"))) {
      console.log("skipped compile end-to-end: main.ts does not exist");
      return;
    }
    const dir = await Deno.makeTempDir({ prefix: "gtd-compile-e2e-" });
    const bin = join(dir, "gt-daemon");
    try {
      const build = await exec(
        [Deno.execPath(), "run", "-A", SCRIPT, "--output", bin],
        Deno.env.toObject(),
        600_000,
      );
      if (build.code === SKIP_EXIT_CODE) {
        console.log(`skipped compile end-to-end: ${build.stdout.trim()}`);
        return;
      }
      assert.equal(build.code, 0, build.stderr);
      await endToEnd(bin);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function endToEnd(bin: string): Promise<void> {
  const version = await exec([bin, "--version"], { PATH: "/usr/bin:/bin" });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(
    version.stdout,
    `gt-daemon ${VERSION} (Deno ${Deno.version.deno})\n`,
  );
  const town = await makeTown();
  const tmux = await startPrivateTmux();
  let pid: number | null = null;
  try {
    const env = baseEnv(town.root, {
      ...tmux.env,
      PATH: `${FIXTURE_BIN}:/usr/bin:/bin`,
    });
    const start = await exec([bin, "start", "--town", town.town], env, 60_000);
    assert.equal(start.code, 0, start.stderr);
    pid = await readPid(town.town);
    assert.ok(
      pid !== null && alive(pid),
      "daemon PID file names a live process",
    );
    // The V8 flags are inside the binary; the launch variables are not.
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    assert.equal(argv[1], "run");
    assert.equal(argv.some((a) => a.startsWith("--v8-flags")), false);
    assert.ok(
      Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0")
        .includes("MALLOC_ARENA_MAX=2"),
    );
    const status = await exec([bin, "status", "--town", town.town], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /running/);
    assert.ok(status.stdout.includes(bin), status.stdout);
    const stop = await exec([bin, "stop", "--town", town.town], env, 60_000);
    assert.equal(stop.code, 0, stop.stderr);
    const gone = pid;
    assert.ok(await waitFor(() => !alive(gone), 10_000), "daemon exited");
  } finally {
    if (pid !== null && alive(pid)) Deno.kill(pid, "SIGKILL");
    await tmux.close();
    await town.close();
  }
}
