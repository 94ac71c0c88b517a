import assert from "node:assert/strict";
import plugin, {
  isClockFile,
  isExemptFile,
  projectRelative,
} from "../../scripts/lint_plugin.ts";

const ROOT = decodeURIComponent(new URL("../..", import.meta.url).pathname)
  .replace(/\/$/, "");

const SAMPLE = `
const child = new Deno.Command("tmux", { args: ["ls"] });
const f = await Deno.open("x");
Deno.openSync("y");
Deno.exit(1);
Deno.kill(1, "SIGTERM");
Deno.addSignalListener("SIGTERM", () => {});
Deno.removeSignalListener("SIGTERM", () => {});
Deno["exit"](2);
const { kill, pid } = Deno;
Deno.readTextFile("z");
const n = Deno.pid;
console.log(child, f, kill, pid, n);
`;

function ids(file: string, source = SAMPLE): string[] {
  return Deno.lint.runPlugin(plugin, file, source).map((d) => d.message);
}

Deno.test("no-deno-outside-adapters reports restricted Deno members in domain code", async (t) => {
  await t.step("reports each restricted member once", () => {
    const messages = ids(`${ROOT}/src/town/layout.ts`);
    assert.deepEqual(messages, [
      '"Deno.Command" is only allowed in src/adapters/ and main.ts',
      '"Deno.open" is only allowed in src/adapters/ and main.ts',
      '"Deno.openSync" is only allowed in src/adapters/ and main.ts',
      '"Deno.exit" is only allowed in src/adapters/ and main.ts',
      '"Deno.kill" is only allowed in src/adapters/ and main.ts',
      '"Deno.addSignalListener" is only allowed in src/adapters/ and main.ts',
      '"Deno.removeSignalListener" is only allowed in src/adapters/ and main.ts',
      '"Deno.exit" is only allowed in src/adapters/ and main.ts',
      '"Deno.kill" is only allowed in src/adapters/ and main.ts',
      '"Deno.pid" is only allowed in src/adapters/ and main.ts',
      '"Deno.readTextFile" is only allowed in src/adapters/ and main.ts',
      '"Deno.pid" is only allowed in src/adapters/ and main.ts',
    ]);
  });

  await t.step("uses the plugin-qualified rule id", () => {
    const diags = Deno.lint.runPlugin(
      plugin,
      `${ROOT}/src/cli/start.ts`,
      "Deno.exit(0);",
    );
    assert.equal(diags.length, 1);
    assert.equal(diags[0]?.id, "gt-daemon-house/no-deno-outside-adapters");
  });

  await t.step("reports a relative domain path too", () => {
    assert.equal(ids("src/heartbeat/act.ts", "Deno.kill(1);").length, 1);
  });

  await t.step("reports every member, Deno.env and Deno.pid too", () => {
    assert.deepEqual(
      ids(`${ROOT}/src/daemon/loop.ts`, "Deno.pid; Deno.env.get('X');"),
      [
        '"Deno.pid" is only allowed in src/adapters/ and main.ts',
        '"Deno.env" is only allowed in src/adapters/ and main.ts',
      ],
    );
  });

  await t.step("lets type names such as Deno.Signal pass", () => {
    assert.deepEqual(
      ids(`${ROOT}/src/town/x.ts`, "let s: Deno.Signal | null = null; s;"),
      [],
    );
  });
});

Deno.test("no-deno-outside-adapters accepts adapters, main.ts, tests and scripts", async (t) => {
  for (
    const file of [
      `${ROOT}/src/adapters/process.ts`,
      `${ROOT}/main.ts`,
      `${ROOT}/tests/adapters/process_test.ts`,
      `${ROOT}/scripts/compile.ts`,
      "src/adapters/signals.ts",
    ]
  ) {
    await t.step(file, () => {
      assert.deepEqual(ids(file), []);
    });
  }
});

const CLOCK_SAMPLE = `
const a = setTimeout(() => {}, 1);
const b = setInterval(() => {}, 1);
const c = Date.now();
globalThis.setTimeout(() => {}, 1);
const d = { setTimeout: 1, setInterval() {} };
let e: ReturnType<typeof setTimeout> | undefined;
console.log(a, b, c, d.setTimeout, d.setInterval, e, new Date(0));
`;

Deno.test("no-clock-outside-edge reports clock reads and timers outside the clock adapter and the daemon loop", async (t) => {
  await t.step("reports each use, not keys, member names or types", () => {
    assert.deepEqual(ids(`${ROOT}/src/heartbeat/tick.ts`, CLOCK_SAMPLE), [
      '"setTimeout" is only allowed in the clock adapter and the daemon loop',
      '"setInterval" is only allowed in the clock adapter and the daemon loop',
      '"Date.now" is only allowed in the clock adapter and the daemon loop',
      '"setTimeout" is only allowed in the clock adapter and the daemon loop',
    ]);
  });
  await t.step("applies to other adapters and main.ts too", () => {
    assert.equal(
      ids(`${ROOT}/src/adapters/process.ts`, "setTimeout(() => {}, 1);")
        .length,
      1,
    );
    assert.equal(ids(`${ROOT}/main.ts`, "Date.now();").length, 1);
  });
  for (
    const file of [
      "src/adapters/clock.ts",
      "src/daemon/loop.ts",
      "src/daemon/signal_queue.ts",
      "tests/heartbeat/tick_test.ts",
      "scripts/bench.ts",
    ]
  ) {
    await t.step(`accepts ${file}`, () => {
      assert.deepEqual(ids(`${ROOT}/${file}`, CLOCK_SAMPLE), []);
      assert.equal(isClockFile(`${ROOT}/${file}`), true);
    });
  }
});

Deno.test("isExemptFile() rejects look-alike paths", () => {
  assert.equal(isExemptFile(`${ROOT}/src/town/main.ts`), false);
  assert.equal(isExemptFile(`${ROOT}/src/adaptersx/a.ts`), false);
  assert.equal(isExemptFile("/elsewhere/src/adapters/a.ts"), false);
  assert.equal(isExemptFile("/r/src/adapters/a.ts", "/r"), true);
});

Deno.test("projectRelative() strips the root and file URLs", () => {
  assert.equal(projectRelative("/r/src/a.ts", "/r"), "src/a.ts");
  assert.equal(projectRelative("file:///r%20s/main.ts", "/r s"), "main.ts");
  assert.equal(projectRelative("./tests/x.ts", "/r"), "tests/x.ts");
});
