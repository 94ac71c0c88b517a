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
import { tryLockFile } from "./src/adapters/lock.ts";
import {
  DAEMON_TOOLS,
  resolveTools,
  runtimeInfo,
  scrubAgentEnv,
  selfCommand,
  servicePath,
} from "./src/adapters/tools.ts";
import type { CliIo } from "./src/cli/common.ts";
import { resolveTown } from "./src/cli/common.ts";
import {
  runClearBackoff,
  runHeartbeatCmd,
  runPoke,
} from "./src/cli/control.ts";
import { COMMAND_HELP, MAIN_HELP } from "./src/cli/help.ts";
import { parseLogsArgs, runLogs } from "./src/cli/logs.ts";
import { parseRunArgs, runRun } from "./src/cli/run.ts";
import {
  parseServiceArgs,
  runService,
  SERVICE_HELP,
} from "./src/cli/service.ts";
import { parseStartArgs, runStart } from "./src/cli/start.ts";
import { parseStatusArgs, runStatus } from "./src/cli/status.ts";
import { parseStopArgs, runStop } from "./src/cli/stop.ts";
import { SignalQueue } from "./src/daemon/signal_queue.ts";
import { createTownEngine } from "./src/daemon/town_engine.ts";
import { AppError, causeChain, UsageError } from "./src/errors.ts";
import { townPaths } from "./src/town/paths.ts";
import { formatLogLine, type Log } from "./src/log.ts";
import { FileLog } from "./src/adapters/log_file.ts";
import { realFs } from "./src/adapters/fs.ts";
import { decodeState, emptyState, encodeState } from "./src/daemon/state.ts";
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

const serviceFs = {
  async writeFile(path: string, text: string) {
    await Deno.mkdir(path.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(path, text);
  },
  async removeFile(path: string) {
    try {
      await Deno.remove(path);
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  },
  async ensureDir(path: string) {
    await Deno.mkdir(path, { recursive: true });
  },
};

function stderrLog() {
  return { log: (m: string) => writeStderr(formatLogLine(new Date(), m)) };
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (
    command === undefined || command === "-h" || command === "--help" ||
    command === "help"
  ) {
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
    const help = command === "service" ? SERVICE_HELP : COMMAND_HELP[command];
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
      return await runStatus(
        io,
        parseStatusArgs(args),
        runtimeInfo().programMtime,
      );
    case "logs": {
      const ac = new AbortController();
      Deno.addSignalListener("SIGINT", () => ac.abort());
      Deno.addSignalListener("SIGTERM", () => ac.abort());
      return await runLogs(io, parseLogsArgs(args), ac.signal);
    }
    case "run": {
      const scrubbed = scrubAgentEnv();
      const env = envObject();
      const info = runtimeInfo();
      return await runRun(io, parseRunArgs(args), {
        denoVersion: info.deno,
        execPath: info.execPath,
        startupNotes: () =>
          scrubbed.length > 0
            ? [
              `Removed inherited agent identity variables: ${
                scrubbed.join(", ")
              }`,
            ]
            : [],
        engine: ({ town, log, queue, signal, previous }) =>
          createTownEngine({
            town,
            log,
            queue,
            env,
            signal,
            backoff: previous?.backoff,
          }),
      });
    }
    case "heartbeat":
      return await runHeartbeatCmd(io, args, (town) => {
        scrubAgentEnv();
        const ac = new AbortController();
        const paths = townPaths(town);
        const make = (log: Log, backoff?: unknown) =>
          createTownEngine({
            town,
            log,
            queue: new SignalQueue(),
            env: envObject(),
            signal: ac.signal,
            backoff,
          });
        return Promise.resolve({
          plan: () => make(stderrLog()).plan(),
          async runOnce() {
            await Deno.mkdir(paths.daemonDir, { recursive: true });
            const lock = await tryLockFile(paths.lock);
            if (!lock) {
              throw new AppError(
                "A daemon holds the town lock; it runs the heartbeats",
              );
            }
            const log = new FileLog(paths.log, {
              mirror: (line) => writeStderr(line),
            });
            try {
              // The restart backoff lives in state.json, as for the daemon.
              let state = emptyState();
              try {
                state = decodeState(
                  await realFs.readText(paths.state, 1024 * 1024),
                );
              } catch (err) {
                log.log(
                  `Warning: replacing unreadable state file: ${
                    causeChain(err)[0]
                  }`,
                );
              }
              const engine = make(log, state.backoff);
              await engine.load();
              log.log("Heartbeat starting (one-off)");
              await engine.heartbeat(ac.signal);
              log.log("Heartbeat complete (one-off)");
              state.backoff = engine.stateExtras().backoff;
              await realFs.writeAtomic(paths.state, encodeState(state), 0o644);
            } finally {
              lock.release();
            }
          },
        });
      });
    case "poke":
      return await runPoke(io, args);
    case "clear-backoff":
      return await runClearBackoff(io, args);
    case "service": {
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
      }, opts);
    }
    default:
      throw new UsageError(
        `Unknown command: "${command}"; run '${PROGRAM} --help'`,
      );
  }
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
