/**
 * `deno task real-tools [--retry]`: installs the real `bd` and `gt` that
 * `tests/real/` runs against, with `go install` (`GOTOOLCHAIN=local`,
 * `GOBIN=<repo>/.cache/real-tools/bin`), and prints their paths.
 *
 * A tool already installed at the pinned version is left alone, so a second
 * run starts no `go` at all. When `go install` fails (for example the Go
 * module proxy refuses the module) the script prints one line saying why,
 * records that line in `.cache/real-tools/<name>.unavailable` (which the
 * tests print when they skip) and does not try again until `--retry`. The
 * exit status is 0 when `bd` is available, 1 otherwise; a missing `gt` only
 * makes the tests that need it skip.
 *
 * The module proxy refuses `gt` at the pinned commit, and that commit does
 * not build with `go install` anyway (it embeds files that `go generate`
 * copies first). With `--gt-source DIR` (or `GT_DAEMON_GT_SOURCE`), a git
 * repository of gastown that holds the pinned commit, the task builds `gt`
 * from it instead: that commit's files (`git archive`) into
 * `.cache/real-tools/gastown-src`, `go generate ./internal/formula/...`,
 * then `go build ./cmd/gt`, all with `GOTOOLCHAIN=local`.
 *
 * It also installs Claude Code (npm `@anthropic-ai/claude-code`, pinned; a
 * native binary of about 400 MB) with `npm install --prefix
 * .cache/real-tools/claude-code`, the same way: once, its failure recorded
 * in `claude.unavailable` and reported by the test that needs it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRunner, type Runner } from "../src/adapters/process.ts";
import { errorMessage } from "../src/errors.ts";

/** One tool this script installs. */
export interface RealToolSpec {
  /** Executable name. */
  name: "bd" | "gt";
  /** Package path for `go install`. */
  pkg: string;
  /** Version or commit. */
  version: string;
}

/** The pinned tools: beads v0.44.0 and gastown at the reference commit. */
export const REAL_TOOLS: readonly RealToolSpec[] = [
  {
    name: "bd",
    pkg: "github.com/steveyegge/beads/cmd/bd",
    version: "v0.44.0",
  },
  {
    name: "gt",
    pkg: "github.com/steveyegge/gastown/cmd/gt",
    version: "c25ff34b5bb6c8ccba522d418355e2d4fdbcc38b",
  },
];

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** The cache folder (ignored by git). */
export const CACHE_DIR = `${ROOT}/.cache/real-tools`;

const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** What one tool's installation came to. */
export type InstallOutcome =
  | { name: string; path: string; installed: boolean }
  | { name: string; path: null; reason: string };

/** The `pkg@version` argument of `go install`. */
export function moduleArg(spec: RealToolSpec): string {
  return `${spec.pkg}@${spec.version}`;
}

/**
 * One line saying why `go install` failed, from its stderr: the HTTP status
 * and the proxy's message when there is one, else the last line.
 */
export function failureReason(spec: RealToolSpec, stderr: string): string {
  const status = stderr.match(/\b(\d{3} [A-Z][A-Za-z ]+?)\s*$/m)?.[1];
  const server = stderr.match(/server response:\s*(.+)$/m)?.[1]?.trim();
  const target = moduleArg(spec);
  if (status !== undefined) {
    const detail = server === undefined ? "" : `: ${server.replace(/\.$/, "")}`;
    return `the Go module proxy refused ${target} (${status}${detail})`;
  }
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l);
  const last = lines.at(-1) ?? "no output";
  return `go install ${target} failed: ${last}`;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Where a tool lives in the cache, its version stamp, the stamp it should
 * carry, and whether the cache already holds it at that version.
 */
async function cacheState(spec: RealToolSpec, options: { cacheDir: string }) {
  const bin = `${options.cacheDir}/bin/${spec.name}`;
  const stamp = `${options.cacheDir}/${spec.name}.version`;
  const wanted = moduleArg(spec);
  const cached = await isFile(bin) &&
    (await readText(stamp))?.trim() === wanted;
  return { bin, stamp, wanted, cached };
}

/**
 * Installs one tool unless the cache already holds it (or already records
 * that it is unavailable and `retry` is false).
 */
export async function installTool(
  runner: Runner,
  spec: RealToolSpec,
  options: { cacheDir: string; retry: boolean },
): Promise<InstallOutcome> {
  const { bin, stamp, wanted, cached } = await cacheState(spec, options);
  if (cached) return { name: spec.name, path: bin, installed: false };
  const unavailable = `${options.cacheDir}/${spec.name}.unavailable`;
  const recorded = await readText(unavailable);
  if (!options.retry && recorded !== null) {
    const [line = "", forModule = ""] = recorded.split("\n");
    if (forModule.trim() === wanted) {
      return { name: spec.name, path: null, reason: line.trim() };
    }
  }
  await Deno.mkdir(`${options.cacheDir}/bin`, { recursive: true });
  const result = await runner.run(["go", "install", wanted], {
    env: { GOTOOLCHAIN: "local", GOBIN: `${options.cacheDir}/bin` },
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  if (result.code === 0 && await isFile(bin)) {
    await Deno.writeTextFile(stamp, `${wanted}\n`);
    await Deno.remove(unavailable).catch(() => {});
    return { name: spec.name, path: bin, installed: true };
  }
  const reason = failureReason(spec, result.stderr);
  await Deno.writeTextFile(unavailable, `${reason}\n${wanted}\n`);
  return { name: spec.name, path: null, reason };
}

/**
 * Builds `gt` at the pinned commit from `source`, a git repository of
 * gastown (a clone or a bare mirror), unless the cache already holds it.
 */
export async function buildGtFromSource(
  runner: Runner,
  spec: RealToolSpec,
  options: { cacheDir: string; source: string },
): Promise<InstallOutcome> {
  const { bin, stamp, wanted, cached } = await cacheState(spec, options);
  if (cached) return { name: spec.name, path: bin, installed: false };
  const src = `${options.cacheDir}/gastown-src`;
  const env = { GOTOOLCHAIN: "local" };
  const step = async (what: string, argv: string[], cwd?: string) => {
    const r = await runner.run(argv, {
      env,
      timeoutMs: INSTALL_TIMEOUT_MS,
      ...(cwd ? { cwd } : {}),
    });
    if (r.code === 0) return null;
    const last = (r.stderr.trim() || r.stdout.trim()).split("\n").at(-1);
    return `${what} failed: ${last || `exit status ${r.code}`}`;
  };
  const hasCommit = await runner.run(
    ["git", "-C", options.source, "cat-file", "-e", `${spec.version}^{commit}`],
    { timeoutMs: 60_000 },
  );
  if (hasCommit.code !== 0) {
    return {
      name: spec.name,
      path: null,
      reason: `${options.source} holds no commit ${spec.version}`,
    };
  }
  await Deno.remove(src, { recursive: true }).catch(() => {});
  await Deno.mkdir(src, { recursive: true });
  await Deno.mkdir(`${options.cacheDir}/bin`, { recursive: true });
  let problem = await step("git archive", [
    "bash",
    "-c",
    'set -o pipefail; git -C "$1" archive --format=tar "$2" | tar -x -C "$3"',
    "bash",
    options.source,
    spec.version,
    src,
  ]);
  problem ??= await step(
    "go generate",
    ["go", "generate", "./internal/formula/..."],
    src,
  );
  problem ??= await step(
    "go build",
    ["go", "build", "-o", bin, "./cmd/gt"],
    src,
  );
  if (problem !== null) {
    return { name: spec.name, path: null, reason: problem };
  }
  await Deno.writeTextFile(stamp, `${wanted}\n`);
  await Deno.remove(`${options.cacheDir}/${spec.name}.unavailable`).catch(
    () => {},
  );
  return { name: spec.name, path: bin, installed: true };
}

/** The pinned Claude Code package. */
export const CLAUDE_CODE = {
  pkg: "@anthropic-ai/claude-code",
  version: "2.1.332",
} as const;

/** Where Claude Code's `claude` lands under the cache folder. */
export function claudePath(cacheDir: string): string {
  return `${cacheDir}/claude-code/node_modules/.bin/claude`;
}

/**
 * Installs Claude Code into `<cacheDir>/claude-code` with npm unless it is
 * there at the pinned version (or its failure is recorded and `retry` is
 * false).
 */
export async function installClaudeCode(
  runner: Runner,
  options: { cacheDir: string; retry: boolean },
): Promise<InstallOutcome> {
  const bin = claudePath(options.cacheDir);
  const stamp = `${options.cacheDir}/claude.version`;
  const unavailable = `${options.cacheDir}/claude.unavailable`;
  const wanted = `${CLAUDE_CODE.pkg}@${CLAUDE_CODE.version}`;
  if (await isFile(bin) && (await readText(stamp))?.trim() === wanted) {
    return { name: "claude", path: bin, installed: false };
  }
  const recorded = await readText(unavailable);
  if (!options.retry && recorded !== null) {
    const [line = "", forPackage = ""] = recorded.split("\n");
    if (forPackage.trim() === wanted) {
      return { name: "claude", path: null, reason: line.trim() };
    }
  }
  const prefix = `${options.cacheDir}/claude-code`;
  await Deno.mkdir(prefix, { recursive: true });
  const result = await runner.run([
    "npm",
    "install",
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--prefix",
    prefix,
    wanted,
  ], { timeoutMs: INSTALL_TIMEOUT_MS });
  if (result.code === 0 && await isFile(bin)) {
    await Deno.writeTextFile(stamp, `${wanted}\n`);
    await Deno.remove(unavailable).catch(() => {});
    return { name: "claude", path: bin, installed: true };
  }
  const lines = result.stderr.split("\n").map((l) => l.trim()).filter((l) =>
    l && !l.startsWith("npm warn")
  );
  const reason = `npm install ${wanted} failed: ${
    lines.at(-1) ?? (result.code === 0 ? "no claude executable" : "no output")
  }`;
  await Deno.writeTextFile(unavailable, `${reason}\n${wanted}\n`);
  return { name: "claude", path: null, reason };
}

/** Runs the task; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      retry: { type: "boolean", default: false },
      "gt-source": { type: "string" },
    },
  });
  const gtSource = values["gt-source"] ?? Deno.env.get("GT_DAEMON_GT_SOURCE");
  const runner = createRunner();
  let bdFound = false;
  for (const spec of REAL_TOOLS) {
    let outcome: InstallOutcome;
    try {
      outcome = await installTool(runner, spec, {
        cacheDir: CACHE_DIR,
        retry: values.retry === true,
      });
    } catch (error) {
      outcome = { name: spec.name, path: null, reason: errorMessage(error) };
    }
    if (outcome.path === null && spec.name === "gt" && gtSource) {
      console.log(`gt: ${outcome.reason}; building it from ${gtSource}`);
      try {
        outcome = await buildGtFromSource(runner, spec, {
          cacheDir: CACHE_DIR,
          source: gtSource,
        });
      } catch (error) {
        outcome = { name: spec.name, path: null, reason: errorMessage(error) };
      }
    }
    if (outcome.path !== null) {
      if (spec.name === "bd") bdFound = true;
      console.log(`${spec.name}: ${outcome.path}`);
    } else {
      console.log(`${spec.name} unavailable: ${outcome.reason}`);
    }
  }
  let claude: InstallOutcome;
  try {
    claude = await installClaudeCode(runner, {
      cacheDir: CACHE_DIR,
      retry: values.retry === true,
    });
  } catch (error) {
    claude = { name: "claude", path: null, reason: errorMessage(error) };
  }
  console.log(
    claude.path !== null
      ? `claude: ${claude.path}`
      : `claude unavailable: ${claude.reason}`,
  );
  return bdFound ? 0 : 1;
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
