/**
 * gt-daemon: the CLI and the daemon in one program. This is the only place
 * that turns errors into exit codes.
 *
 * @module
 */

import {
  currentDir,
  envObject,
  exit,
  stdoutIsTty,
  writeStderr,
  writeStdout,
} from "./src/adapters/os.ts";
import type { CliIo } from "./src/cli/common.ts";
import { COMMAND_HELP, MAIN_HELP } from "./src/cli/help.ts";
import { parseLogsArgs, runLogs } from "./src/cli/logs.ts";
import { parseRunArgs, runRun } from "./src/cli/run.ts";
import { parseStartArgs, runStart } from "./src/cli/start.ts";
import { parseStatusArgs, runStatus } from "./src/cli/status.ts";
import { parseStopArgs, runStop } from "./src/cli/stop.ts";
import { AppError, causeChain, UsageError } from "./src/errors.ts";
import { PROGRAM, VERSION } from "./src/version.ts";

const discoverFs = {
  async exists(path: string) {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      return false;
    }
  },
  async isDir(path: string) {
    try {
      return (await Deno.stat(path)).isDirectory;
    } catch {
      return false;
    }
  },
};

function selfCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    new URL(import.meta.url).pathname,
  ];
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (
    command === undefined || command === "-h" || command === "--help" ||
    command === "help"
  ) {
    if (command === "help" && rest[0] && COMMAND_HELP[rest[0]]) {
      io.stdout(COMMAND_HELP[rest[0]]!);
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
    const help = COMMAND_HELP[command];
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
    case "start":
      return await runStart(io, parseStartArgs(args), selfCommand);
    case "stop":
      return await runStop(io, parseStopArgs(args));
    case "status":
      return await runStatus(io, parseStatusArgs(args));
    case "logs": {
      const ac = new AbortController();
      Deno.addSignalListener("SIGINT", () => ac.abort());
      Deno.addSignalListener("SIGTERM", () => ac.abort());
      return await runLogs(io, parseLogsArgs(args), ac.signal);
    }
    case "run":
      return await runRun(io, parseRunArgs(args), {
        denoVersion: Deno.version.deno,
        execPath: Deno.execPath(),
        engine: () => ({
          start: () => Promise.resolve(),
          heartbeat: () => Promise.resolve(),
          lifecycle: () => Promise.resolve(),
          events: () => Promise.resolve(),
          stop: () => Promise.resolve(),
        }),
      });
    default:
      throw new UsageError(
        `Unknown command: "${command}"; run '${PROGRAM} --help'`,
      );
  }
}

async function main(): Promise<number> {
  const argv = [...Deno.args];
  const verbose = argv.includes("--verbose");
  const io: CliIo = {
    stdout: writeStdout,
    stderr: writeStderr,
    env: envObject(),
    cwd: currentDir(),
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
    if (!verbose && err instanceof Error && err.stack) {
      writeStderr(`(run with --verbose for details)\n`);
    }
    return 1;
  }
}

if (import.meta.main) {
  exit(await main());
}
