import { assertEquals } from "../helpers/assert.ts";
import type { Runner, RunResult } from "../../src/adapters/process.ts";
import {
  buildGtFromSource,
  CLAUDE_CODE,
  claudePath,
  failureReason,
  installClaudeCode,
  installTool,
  moduleArg,
  REAL_TOOLS,
  type RealToolSpec,
} from "../../scripts/real_tools.ts";

const GT = REAL_TOOLS.find((t) => t.name === "gt") as RealToolSpec;
const BD = REAL_TOOLS.find((t) => t.name === "bd") as RealToolSpec;

const PROXY_403 = `go: ${moduleArg(GT)}: ${moduleArg(GT)}: invalid version: ` +
  `reading https://proxy.golang.org/github.com/steveyegge/gastown/cmd/gt/@v/${GT.version}.info: 403 Forbidden\n` +
  "\tserver response: This module version is not available.\n";

/** A runner that records argv and env, and plays `go install`. */
function fakeGo(
  behaviour: (gobin: string, name: string) => Promise<RunResult>,
) {
  const calls: { argv: readonly string[]; env: Record<string, string> }[] = [];
  const runner: Runner = {
    async run(argv, options = {}) {
      const env = options.env ?? {};
      calls.push({ argv, env });
      const name = (argv[2] ?? "").split("@")[0]?.split("/").at(-1) ?? "";
      return await behaviour(env.GOBIN ?? "", name);
    },
  };
  return { runner, calls };
}

const ok = (): RunResult => ({
  code: 0,
  stdout: "",
  stderr: "",
  ms: 1,
  truncated: false,
});

Deno.test("failureReason() names the proxy's refusal in one line", () => {
  assertEquals(
    failureReason(GT, PROXY_403),
    `the Go module proxy refused ${
      moduleArg(GT)
    } (403 Forbidden: This module version is not available)`,
  );
  assertEquals(
    failureReason(BD, "go: downloading x\ngo: build failed: no space left\n"),
    `go install ${moduleArg(BD)} failed: go: build failed: no space left`,
  );
});

Deno.test("installTool() installs once, records a refusal, and a second run starts no go", async (t) => {
  const cacheDir = await Deno.makeTempDir({ prefix: "gtd-real-tools-" });
  try {
    const { runner, calls } = fakeGo(async (gobin, name) => {
      if (name === "gt") return { ...ok(), code: 1, stderr: PROXY_403 };
      await Deno.writeTextFile(`${gobin}/${name}`, "#!/bin/sh\n");
      return ok();
    });
    await t.step(
      "first run: bd installed with GOTOOLCHAIN=local, gt refused",
      async () => {
        const bd = await installTool(runner, BD, { cacheDir, retry: false });
        assertEquals(bd, {
          name: "bd",
          path: `${cacheDir}/bin/bd`,
          installed: true,
        });
        const gt = await installTool(runner, GT, { cacheDir, retry: false });
        assertEquals(gt.path, null);
        assertEquals(calls.map((c) => c.argv), [
          ["go", "install", moduleArg(BD)],
          ["go", "install", moduleArg(GT)],
        ]);
        assertEquals(calls[0]?.env, {
          GOTOOLCHAIN: "local",
          GOBIN: `${cacheDir}/bin`,
        });
        const recorded = await Deno.readTextFile(`${cacheDir}/gt.unavailable`);
        assertEquals(recorded.split("\n")[0], failureReason(GT, PROXY_403));
      },
    );
    await t.step("second run: nothing to do", async () => {
      const bd = await installTool(runner, BD, { cacheDir, retry: false });
      const gt = await installTool(runner, GT, { cacheDir, retry: false });
      assertEquals(bd.path, `${cacheDir}/bin/bd`);
      assertEquals(gt, {
        name: "gt",
        path: null,
        reason: failureReason(GT, PROXY_403),
      });
      assertEquals(calls.length, 2);
    });
    await t.step("--retry asks the proxy again", async () => {
      await installTool(runner, GT, { cacheDir, retry: true });
      assertEquals(calls.length, 3);
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("installClaudeCode() runs npm once into the cache, and records a failure", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "gtd-real-tools-" });
  try {
    const calls: (readonly string[])[] = [];
    let fail = true;
    const runner: Runner = {
      async run(argv) {
        calls.push(argv);
        if (fail) {
          return {
            ...ok(),
            code: 1,
            stderr:
              "npm warn x\nnpm error code E404\nnpm error 404 Not Found\n",
          };
        }
        const bin = claudePath(cacheDir);
        await Deno.mkdir(bin.slice(0, bin.lastIndexOf("/")), {
          recursive: true,
        });
        await Deno.writeTextFile(bin, "#!/bin/sh\n");
        return ok();
      },
    };
    const wanted = `${CLAUDE_CODE.pkg}@${CLAUDE_CODE.version}`;
    const failed = await installClaudeCode(runner, { cacheDir, retry: false });
    assertEquals(failed, {
      name: "claude",
      path: null,
      reason: `npm install ${wanted} failed: npm error 404 Not Found`,
    });
    assertEquals(calls, [[
      "npm",
      "install",
      "--no-audit",
      "--no-fund",
      "--no-save",
      "--prefix",
      `${cacheDir}/claude-code`,
      wanted,
    ]]);
    // Recorded: no second npm call without --retry.
    await installClaudeCode(runner, { cacheDir, retry: false });
    assertEquals(calls.length, 1);
    fail = false;
    const got = await installClaudeCode(runner, { cacheDir, retry: true });
    assertEquals(got, {
      name: "claude",
      path: claudePath(cacheDir),
      installed: true,
    });
    const again = await installClaudeCode(runner, { cacheDir, retry: false });
    assertEquals([again.path, calls.length], [claudePath(cacheDir), 2]);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("buildGtFromSource() builds gt at the pinned commit from a gastown repository once, and names a repository without it", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "gtd-real-tools-" });
  try {
    const calls: { argv: readonly string[]; cwd?: string; env: unknown }[] = [];
    let hasCommit = false;
    const runner: Runner = {
      async run(argv, options = {}) {
        calls.push({
          argv,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          env: options.env,
        });
        if (argv[0] === "git") return { ...ok(), code: hasCommit ? 0 : 128 };
        if (argv[0] === "go" && argv[1] === "build") {
          await Deno.writeTextFile(argv[3] as string, "#!/bin/sh\n");
        }
        return ok();
      },
    };
    const opts = { cacheDir, source: "/src/gastown" };
    const missing = await buildGtFromSource(runner, GT, opts);
    assertEquals(missing, {
      name: "gt",
      path: null,
      reason: `/src/gastown holds no commit ${GT.version}`,
    });

    hasCommit = true;
    calls.length = 0;
    const built = await buildGtFromSource(runner, GT, opts);
    const bin = `${cacheDir}/bin/gt`;
    const src = `${cacheDir}/gastown-src`;
    assertEquals(built, { name: "gt", path: bin, installed: true });
    assertEquals(calls.map((c) => [c.argv[0], c.argv[1], c.cwd ?? null]), [
      ["git", "-C", null],
      ["bash", "-c", null],
      ["go", "generate", src],
      ["go", "build", src],
    ]);
    assertEquals(calls[1]?.argv.slice(4), ["/src/gastown", GT.version, src]);
    assertEquals(calls[3]?.env, { GOTOOLCHAIN: "local" });
    assertEquals(
      (await Deno.readTextFile(`${cacheDir}/gt.version`)).trim(),
      moduleArg(GT),
    );

    calls.length = 0;
    const again = await buildGtFromSource(runner, GT, opts);
    assertEquals(again, { name: "gt", path: bin, installed: false });
    assertEquals(calls, []);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
