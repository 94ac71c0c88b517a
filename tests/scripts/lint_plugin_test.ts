import assert from "node:assert/strict";
import plugin, {
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

  await t.step("ignores allowed members such as Deno.pid and Deno.env", () => {
    assert.deepEqual(
      ids(`${ROOT}/src/daemon/loop.ts`, "Deno.pid; Deno.env.get('X');"),
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
