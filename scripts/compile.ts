/**
 * `deno task compile [--target <t> | --all-targets] [--output <path>]
 * [--entry <file>] [--allow-skip]`: builds `dist/gt-daemon` with
 * `deno compile`, exactly {@link PERMISSION_FLAGS} and the {@link V8_FLAGS}
 * baked in, and the modules `main.ts` loads by computed specifiers embedded
 * with `--include` (see {@link compileArgv}).
 *
 * `deno compile` needs a base runtime (denort) of the same Deno version. It
 * takes it from `DENORT_BIN` (an unzipped denort binary, host target only;
 * `DENORT_BIN_<TARGET>` for another target, e.g.
 * `DENORT_BIN_AARCH64_APPLE_DARWIN`), else from its cache
 * `<DENO_DIR>/dl/release/v<version>/denort-<target>.zip`, else it downloads
 * it. When none of that works the script prints one line
 * `compile skipped: <reason>` and exits {@link SKIP_EXIT_CODE}, or 0 with
 * `--allow-skip`. Other failures pass deno's output and exit code through.
 *
 * The binary embeds its base runtime, and from Deno 2.9.2 on SIGUSR1 opens
 * a V8 inspector: the script refuses to build with an unsupported Deno, and
 * checks what a host build reports with `--version` (a `DENORT_BIN` of
 * another release is caught there), unless `--allow-unsupported-deno`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { createRunner, type Runner } from "../src/adapters/process.ts";
import {
  PERMISSION_FLAGS,
  V8_FLAGS,
  v8FlagsArg,
} from "../src/adapters/tools.ts";
import { errorMessage, UsageError } from "../src/errors.ts";
import { denoProblem, PINNED_DENO } from "../src/version.ts";
import { LAZY_MODULES } from "../src/cli/lazy.ts";

/** Exit code when no base runtime could be had and `--allow-skip` is absent. */
export const SKIP_EXIT_CODE = 3;

/** The targets the daemon supports (POSIX only: tmux and flock). */
export const COMPILE_TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Parsed arguments of the compile script. */
export interface CompileOptions {
  /** Targets to build, in order. */
  targets: string[];
  /** Output path (single target only). */
  output?: string;
  /** Entry module; `main.ts` of the project by default. */
  entry: string;
  /** Exit 0 instead of {@link SKIP_EXIT_CODE} when skipped. */
  allowSkip: boolean;
  /** Build even with (or on top of) an unsupported Deno. */
  allowUnsupportedDeno: boolean;
}

/** Parses the script's arguments; `host` is `Deno.build.target`. */
export function parseCompileArgs(args: string[], host: string): CompileOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        target: { type: "string" },
        "all-targets": { type: "boolean" },
        output: { type: "string" },
        entry: { type: "string" },
        "allow-skip": { type: "boolean" },
        "allow-unsupported-deno": { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new UsageError(`Invalid compile arguments: ${errorMessage(err)}`);
  }
  if (values.target !== undefined && values["all-targets"]) {
    throw new UsageError("Use either --target or --all-targets");
  }
  if (values.target !== undefined && !COMPILE_TARGETS.includes(values.target)) {
    throw new UsageError(
      `Unknown target: "${values.target}": expected one of ${
        COMPILE_TARGETS.join(", ")
      }`,
    );
  }
  const targets = values["all-targets"]
    ? [...COMPILE_TARGETS]
    : [values.target ?? host];
  if (values.output !== undefined && targets.length > 1) {
    throw new UsageError("--output needs a single target");
  }
  const opts: CompileOptions = {
    targets,
    entry: values.entry ?? join(ROOT, "main.ts"),
    allowSkip: values["allow-skip"] === true,
    allowUnsupportedDeno: values["allow-unsupported-deno"] === true,
  };
  if (values.output !== undefined) opts.output = values.output;
  return opts;
}

/** The default output: `dist/gt-daemon`, or `dist/gt-daemon-<t>` for an explicit or cross target. */
export function defaultOutput(target: string, explicit: boolean): string {
  return join(ROOT, "dist", explicit ? `gt-daemon-${target}` : "gt-daemon");
}

/** The env var that names the denort binary for `target`. */
export function denortEnvName(target: string, host: string): string {
  return target === host
    ? "DENORT_BIN"
    : `DENORT_BIN_${target.toUpperCase().replaceAll("-", "_")}`;
}

/** Where `deno compile` caches the denort zip for a version and target. */
export function denortCachePath(
  denoDir: string,
  version: string,
  target: string,
): string {
  return join(denoDir, "dl", "release", `v${version}`, `denort-${target}.zip`);
}

/** True when deno's error output says the base runtime could not be had. */
export function isBaseRuntimeFailure(stderr: string): boolean {
  return stderr.includes("Setting up base binary") ||
    /denort-[^\s]*\.zip/.test(stderr) && /error/i.test(stderr);
}

/** The innermost cause line of a deno error, for the skip message. */
export function lastCause(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim());
  const from = lines.indexOf("Caused by:");
  const to = lines.indexOf("Stack backtrace:");
  const causes = lines.slice(from + 1, to === -1 ? undefined : to)
    .filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/^\d+: /, ""));
  return causes.at(-1) ?? lines.find((l) => l !== "") ?? "unknown error";
}

/** The Deno version a built binary reports in its `--version` line, or null. */
export function reportedDeno(versionLine: string): string | null {
  return /\(Deno ([^)\s]+)\)/.exec(versionLine)?.[1] ?? null;
}

/** Why building with Deno `version` is refused, or null when it is not. */
export function compileRefusal(version: string, allow: boolean): string | null {
  const problem = denoProblem(version);
  if (problem === null || allow) return null;
  return `Refusing to build on an unsupported Deno: ${problem}; build with Deno ${PINNED_DENO} (npx -y deno@${PINNED_DENO} task compile) and its base runtime, or pass --allow-unsupported-deno`;
}

/**
 * The `deno compile` argv for one target (`deno` is `Deno.execPath()`);
 * `includes` are modules the entry imports by computed specifiers.
 */
export function compileArgv(
  deno: string,
  target: string,
  output: string,
  entry: string,
  includes: readonly string[] = [],
): string[] {
  return [
    deno,
    "compile",
    ...PERMISSION_FLAGS,
    v8FlagsArg(V8_FLAGS),
    "--target",
    target,
    "--output",
    output,
    ...includes.flatMap((path) => ["--include", path]),
    entry,
  ];
}

/**
 * The modules `main.ts` loads on demand (`src/cli/lazy.ts`), as absolute
 * paths under `root`; `deno compile` cannot find them by itself.
 */
export function lazyIncludes(root: string = ROOT): string[] {
  return Object.values(LAZY_MODULES).map((path) => join(root, path));
}

/** Where a base runtime for `target` can be found without a download. */
export type BaseRuntime =
  | { source: "env"; name: string; path: string }
  | { source: "cache"; path: string };

/** Looks for a local base runtime: the env var, then deno's cache. */
export function findBaseRuntime(
  target: string,
  env: { get(name: string): string | undefined },
  facts: { host: string; denoDir: string; version: string },
): BaseRuntime | undefined {
  const name = denortEnvName(target, facts.host);
  const path = env.get(name);
  if (path) return { source: "env", name, path };
  const cached = denortCachePath(facts.denoDir, facts.version, target);
  return fileExists(cached) ? { source: "cache", path: cached } : undefined;
}

interface TargetResult {
  status: "built" | "skipped" | "failed";
  code: number;
}

async function compileTarget(
  runner: Runner,
  opts: CompileOptions,
  target: string,
  facts: { host: string; denoDir: string; version: string },
): Promise<TargetResult> {
  const env: Record<string, string> = {};
  const base = findBaseRuntime(target, Deno.env, facts);
  const hostBin = Deno.env.get("DENORT_BIN");
  if (base?.source === "env") {
    if (!fileExists(base.path)) {
      console.error(`${base.name} points to a missing file: "${base.path}"`);
      return { status: "failed", code: 1 };
    }
    env["DENORT_BIN"] = base.path;
  } else if (target !== facts.host && hostBin) {
    // deno would use DENORT_BIN for any target and build a wrong binary.
    return skip(
      `DENORT_BIN is the base runtime for ${facts.host} only; set ${
        denortEnvName(target, facts.host)
      } to build ${target}`,
    );
  }
  const output = resolve(
    opts.output ??
      defaultOutput(target, opts.targets.length > 1 || target !== facts.host),
  );
  await Deno.mkdir(dirname(output), { recursive: true });
  const entry = isAbsolute(opts.entry) ? opts.entry : resolve(opts.entry);
  const argv = compileArgv(
    Deno.execPath(),
    target,
    output,
    entry,
    entry === join(ROOT, "main.ts") ? lazyIncludes() : [],
  );
  const result = await runner.run(argv, {
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    timeoutMs: 10 * 60_000,
  });
  if (result.code === 0) {
    if (target === facts.host) {
      // The base runtime decides the binary's Deno; ask the binary.
      const v = await runner.run([output, "--version"], { timeoutMs: 30_000 });
      const reported = reportedDeno(v.stdout) ?? `unknown (${v.stdout.trim()})`;
      const refusal = compileRefusal(reported, opts.allowUnsupportedDeno);
      if (refusal !== null) {
        await Deno.remove(output).catch(() => {});
        console.error(`${refusal} (the base runtime was Deno ${reported})`);
        return { status: "failed", code: 1 };
      }
    } else if (base?.source === "env") {
      console.log(
        `Note: the base runtime in ${base.name} cannot be run on this host; it must be Deno ${PINNED_DENO}`,
      );
    }
    console.log(`Compiled ${output} (${target}, deno ${facts.version})`);
    return { status: "built", code: 0 };
  }
  if (base === undefined && isBaseRuntimeFailure(result.stderr)) {
    return skip(
      `no Deno ${facts.version} base runtime for ${target}: ${
        denortEnvName(target, facts.host)
      } is not set, none is cached at ${
        denortCachePath(facts.denoDir, facts.version, target)
      }, and the download failed: ${lastCause(result.stderr)}`,
    );
  }
  console.error(result.stderr.trimEnd());
  return { status: "failed", code: result.code || 1 };
}

function skip(reason: string): TargetResult {
  console.log(`compile skipped: ${reason}`);
  return { status: "skipped", code: SKIP_EXIT_CODE };
}

/** Runs the script; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  let opts: CompileOptions;
  try {
    opts = parseCompileArgs(args, Deno.build.target);
  } catch (err) {
    console.error(errorMessage(err));
    return err instanceof UsageError ? err.exitCode : 1;
  }
  if (!fileExists(opts.entry)) {
    console.error(`Entry module not found: "${opts.entry}"`);
    return 1;
  }
  const refusal = compileRefusal(Deno.version.deno, opts.allowUnsupportedDeno);
  if (refusal !== null) {
    console.error(refusal);
    return 1;
  }
  const runner = createRunner();
  const facts = {
    host: Deno.build.target,
    version: Deno.version.deno,
    denoDir: await denoDir(runner),
  };
  let code = 0;
  for (const target of opts.targets) {
    const r = await compileTarget(runner, opts, target, facts);
    if (r.status === "failed") return r.code;
    if (r.status === "skipped" && !opts.allowSkip) code = SKIP_EXIT_CODE;
  }
  return code;
}

async function denoDir(runner: Runner): Promise<string> {
  const r = await runner.run([Deno.execPath(), "info", "--json"], {
    env: { NO_COLOR: "1" },
  });
  try {
    const dir = JSON.parse(r.stdout).denoDir;
    if (typeof dir === "string") return dir;
  } catch {
    // fall through to the documented default
  }
  return Deno.env.get("DENO_DIR") ??
    join(Deno.env.get("HOME") ?? "/", ".cache", "deno");
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (err) {
    console.error(`Compile failed: ${errorMessage(err)}`);
    code = 1;
  }
  Deno.exit(code);
}
