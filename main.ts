/**
 * gt-daemon: the CLI and the daemon in one program. This is the only place
 * that turns errors into exit codes. A command's modules are loaded when it
 * runs, so that `status` or `--version` does not load the engine, by
 * specifiers `deno run` cannot follow ahead of time (see `src/cli/lazy.ts`;
 * `deno compile` embeds them with `--include`).
 *
 * @module
 */

import {
  currentDir,
  envObject,
  exit,
  programMtime,
  stdoutIsTty,
  writeStderr,
  writeStdout,
} from "./src/adapters/os.ts";
import type { CliIo } from "./src/cli/common.ts";
import { AppError, causeChain, UsageError } from "./src/errors.ts";
import { discoverFs, serviceFs } from "./src/adapters/cli_fs.ts";
import { PROGRAM, VERSION } from "./src/version.ts";
import { LAZY_MODULES, type LazyModules } from "./src/cli/lazy.ts";

/** Loads an on-demand module; its specifier is computed, not literal. */
function load<K extends keyof LazyModules>(name: K): Promise<LazyModules[K]> {
  const specifier: string = LAZY_MODULES[name];
  return import(specifier);
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (
    command === undefined || command === "-h" || command === "--help" ||
    command === "help"
  ) {
    const { COMMAND_HELP, MAIN_HELP } = await load("help");
    const topic = rest[0];
    if (
      command === "help" && topic !== undefined &&
      COMMAND_HELP[topic] !== undefined
    ) {
      io.stdout(COMMAND_HELP[topic]);
      return 0;
    }
    io.stdout(MAIN_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "version") {
    io.stdout(`${PROGRAM} ${VERSION} (Deno ${Deno.version.deno})\n`);
    return 0;
  }
  if (rest.includes("-h") || rest.includes("--help")) {
    const help = command === "service"
      ? (await load("service")).SERVICE_HELP
      : (await load("help")).COMMAND_HELP[command];
    if (help === undefined) {
      throw new UsageError(
        `Unknown command: "${command}"; run '${PROGRAM} --help'`,
      );
    }
    io.stdout(help);
    return 0;
  }
  const args = rest.filter((a) => a !== "--verbose");
  switch (command) {
    case "start": {
      const { parseStartArgs, runStart } = await load("start");
      const { selfCommand } = await load("tools");
      return await runStart(io, parseStartArgs(args), selfCommand);
    }
    case "stop": {
      const { parseStopArgs, runStop } = await load("stop");
      return await runStop(io, parseStopArgs(args));
    }
    case "status": {
      const { parseStatusArgs, runStatus } = await load("status");
      return await runStatus(io, parseStatusArgs(args), programMtime());
    }
    case "logs": {
      const { parseLogsArgs, runLogs } = await load("logs");
      const ac = new AbortController();
      Deno.addSignalListener("SIGINT", () => ac.abort());
      Deno.addSignalListener("SIGTERM", () => ac.abort());
      return await runLogs(io, parseLogsArgs(args), ac.signal);
    }
    case "run":
      return await runCommand(io, args);
    case "heartbeat":
      return await heartbeatCommand(io, args);
    case "poke": {
      const { runPoke } = await load("control");
      return await runPoke(io, args);
    }
    case "clear-backoff": {
      const { runClearBackoff } = await load("control");
      return await runClearBackoff(io, args);
    }
    case "service":
      return await serviceCommand(io, args);
    default:
      throw new UsageError(
        `Unknown command: "${command}"; run '${PROGRAM} --help'`,
      );
  }
}

async function runCommand(io: CliIo, args: string[]): Promise<number> {
  const { parseRunArgs, runRun } = await load("run");
  const { runtimeInfo, scrubAgentEnv } = await load("tools");
  const { dropLaunchEnv } = await load("launchEnv");
  const { townEngineFactory } = await load("townEngine");
  // What the launch added for this process is not for its children.
  dropLaunchEnv();
  const scrubbed = scrubAgentEnv();
  const env = envObject();
  const info = runtimeInfo();
  return await runRun(io, parseRunArgs(args), {
    denoVersion: info.deno,
    execPath: info.execPath,
    startupNotes: () =>
      scrubbed.length > 0
        ? [
          `Removed inherited agent identity variables: ${scrubbed.join(", ")}`,
        ]
        : [],
    engine: townEngineFactory(env),
  });
}

async function heartbeatCommand(io: CliIo, args: string[]): Promise<number> {
  const { runHeartbeatCmd } = await load("control");
  const { scrubAgentEnv } = await load("tools");
  const { oneShotHeartbeat } = await load("oneShot");
  return await runHeartbeatCmd(io, args, (town) => {
    scrubAgentEnv();
    return Promise.resolve(
      oneShotHeartbeat(town, { env: envObject(), stderr: writeStderr }),
    );
  });
}

async function serviceCommand(io: CliIo, args: string[]): Promise<number> {
  const { parseServiceArgs, runService, SERVICE_HELP } = await load("service");
  const { resolveTown } = await load("common");
  const { DAEMON_TOOLS, resolveTools, selfCommand, servicePath } = await load(
    "tools",
  );
  const { launchEnv } = await load("launchEnv");
  const opts = parseServiceArgs(args);
  if (opts.help) {
    io.stdout(SERVICE_HELP);
    return 0;
  }
  if (opts.action !== "uninstall" || opts.town !== undefined) {
    opts.town = await resolveTown(io, opts.town);
  }
  const env = envObject();
  const found = resolveTools({
    names: [...DAEMON_TOOLS, "claude"],
    env: { PATH: env.PATH, HOME: env.HOME },
  }).found;
  return await runService({
    ...serviceFs,
    home: env.HOME ?? "/",
    configHome: env.XDG_CONFIG_HOME,
    stdout: io.stdout,
    platform: Deno.build.os,
    self: selfCommand(),
    path: servicePath(found),
    // A service manager starts the daemon from its own environment.
    launchEnv: launchEnv({}),
  }, opts);
}

async function main(): Promise<number> {
  const argv = [...Deno.args];
  const verbose = argv.includes("--verbose");
  const env = envObject();
  // `deno task` runs in the repository; INIT_CWD is where it was invoked.
  const initCwd = env.INIT_CWD;
  const io: CliIo = {
    stdout: writeStdout,
    stderr: writeStderr,
    env,
    cwd: initCwd !== undefined && initCwd.startsWith("/")
      ? initCwd
      : currentDir(),
    tty: stdoutIsTty(),
    discoverFs,
  };
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const chain = causeChain(err);
    writeStderr(`Error: ${chain[0]}\n`);
    if (verbose) {
      for (const c of chain.slice(1)) writeStderr(`  caused by: ${c}\n`);
    }
    if (err instanceof AppError) return err.exitCode;
    return 1;
  }
}

if (import.meta.main) {
  exit(await main());
}
