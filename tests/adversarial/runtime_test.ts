/**
 * The SIGUSR1 inspector of Deno 2.9.2 and later: `run`, `start` and
 * `deno task compile` refuse such a runtime unless overridden; with the
 * override the daemon runs and `status` warns; a started daemon runs on the
 * runtime of the `start` that spawned it. The affected runtime is a real
 * one: `GT_TEST_DENO_AFFECTED`, else a Deno ≥ 2.9.2 in the npx cache
 * (`npx -y deno@2.9.6 --version` puts one there).
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  type CliResult,
  MAIN,
  readPid,
  REPO,
  waitFor,
} from "../helpers/cli.ts";
import { runCommand } from "../helpers/command.ts";
import { Harness } from "../helpers/harness.ts";
import { cmdline } from "./procs.ts";

/** A Deno binary of 2.9.2 or later with its version, or null. */
function affectedDeno(): { path: string; version: string } | null {
  const version = (path: string) => {
    const out = new Deno.Command(path, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return /deno (\d+\.\d+\.\d+)/.exec(new TextDecoder().decode(out.stdout))
      ?.[1] ?? null;
  };
  const newer = (v: string | null) => {
    const [a = 0, b = 0, c = 0] = (v ?? "0.0.0").split(".").map(Number);
    return a * 1e6 + b * 1e3 + c >= 2_009_002;
  };
  const given = Deno.env.get("GT_TEST_DENO_AFFECTED");
  const candidates = given ? [given] : [];
  const npx = `${Deno.env.get("HOME") ?? "/root"}/.npm/_npx`;
  try {
    for (const e of Deno.readDirSync(npx)) {
      candidates.push(`${npx}/${e.name}/node_modules/deno/deno`);
    }
  } catch {
    // no npx cache
  }
  for (const path of candidates) {
    try {
      const v = version(path);
      if (v !== null && newer(v)) return { path, version: v };
    } catch {
      // not a runnable deno
    }
  }
  return null;
}

async function runWith(
  deno: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliResult> {
  return await runCommand([deno, ...args], options);
}

function exe(pid: number): string {
  return Deno.realPathSync(Deno.readLinkSync(`/proc/${pid}/exe`));
}

Deno.test("a started daemon runs on the runtime of the start that spawned it", async () => {
  const h = await Harness.create();
  try {
    const r = await h.cli(["start"]);
    assertEquals(r.code, 0, r.stderr);
    const pid = await readPid(h.town);
    assert(pid !== null);
    assertEquals(exe(pid), Deno.realPathSync(Deno.execPath()));
    assertEquals((await h.cli(["stop"])).code, 0);
  } finally {
    await h.close();
  }
});

Deno.test("run, start and compile refuse a Deno whose SIGUSR1 opens an inspector; the override runs it and status warns", async (t) => {
  const affected = affectedDeno();
  if (affected === null) {
    console.log(
      "SKIP: no Deno >= 2.9.2 found (set GT_TEST_DENO_AFFECTED or run 'npx -y deno@2.9.6 --version' once)",
    );
    return;
  }
  const h = await Harness.create();
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runWith(affected.path, ["run", "--allow-all", "--quiet", MAIN, ...args], {
      cwd: h.town,
      env: { ...h.env, ...env },
    });
  const refused = (r: CliResult) => {
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(
      r.stderr,
      `Error: Refusing to run on an unsupported Deno: Deno ${affected.version} opens a V8 inspector on 127.0.0.1:9229`,
    );
    assertStringIncludes(r.stderr, "--allow-unsupported-deno");
  };
  try {
    await t.step("run refuses", async () => {
      refused(await cli(["run", "--interval", "1s"]));
      assertEquals(await readPid(h.town), null);
    });
    await t.step("start refuses and starts nothing", async () => {
      refused(await cli(["start"]));
      assertEquals(await readPid(h.town), null);
      const st = await h.cli(["status", "--json"]);
      assertEquals(JSON.parse(st.stdout).running, false);
    });
    await t.step("deno task compile refuses", async () => {
      const r = await runWith(
        affected.path,
        [
          "run",
          "--allow-all",
          "--quiet",
          `${REPO}/scripts/compile.ts`,
          "--output",
          `${h.t.root}/gtd`,
        ],
        { cwd: REPO, env: h.env },
      );
      assertEquals(r.code, 1, r.stdout + r.stderr);
      assertStringIncludes(
        r.stderr,
        "Refusing to build on an unsupported Deno",
      );
      assert(
        !(await Deno.stat(`${h.t.root}/gtd`).then(() => true, () => false)),
      );
    });
    for (
      const [how, args, env] of [
        ["flag", ["--allow-unsupported-deno"], {}],
        ["environment", [], { GT_DAEMON_ALLOW_UNSUPPORTED_DENO: "1" }],
      ] as const
    ) {
      await t.step(
        `start with the override (${how}) runs it on that Deno, and status warns`,
        async () => {
          const r = await cli(["start", ...args], env);
          assertEquals(r.code, 0, r.stderr);
          const pid = await readPid(h.town);
          assert(pid !== null);
          assertEquals(exe(pid), Deno.realPathSync(affected.path));
          assertStringIncludes(cmdline(pid), "--allow-unsupported-deno");
          assert(
            await waitFor(async () =>
              JSON.parse((await h.cli(["status", "--json"])).stdout).pid === pid
            ),
          );
          const st = JSON.parse((await h.cli(["status", "--json"])).stdout);
          assert(
            st.warnings.some((w: string) =>
              w.includes("--allow-unsupported-deno in use") &&
              w.includes("127.0.0.1:9229")
            ),
            JSON.stringify(st.warnings),
          );
          const text = (await h.cli(["status"])).stdout;
          assertStringIncludes(text, "--allow-unsupported-deno in use");
          assertEquals((await h.cli(["stop"])).code, 0);
        },
      );
    }
  } finally {
    await h.close();
  }
});
