/**
 * The programs a running daemon calls, resolved at start and again before
 * every heartbeat (a tool installed later is picked up; one removed is
 * reported once), and argv[0] resolution for agent commands.
 *
 * @module
 */

import { DAEMON_TOOLS, resolveTools, toolReport } from "../adapters/tools.ts";
import type { Log } from "../log.ts";

/** Tool paths for one daemon. */
export class ToolPaths {
  readonly #env: { PATH: string | undefined; HOME: string | undefined };
  readonly #log: Log;
  #programs: Record<string, string> = {};
  #missing = new Set<string>();
  readonly #cache = new Map<string, string>();
  /** Agent commands known to be missing → the warning `status` shows. */
  readonly #missingAgents = new Map<string, string>();

  /** Resolves the tools once and logs what was found. */
  constructor(env: Record<string, string | undefined>, log: Log) {
    this.#env = { PATH: env.PATH, HOME: env.HOME };
    this.#log = log;
    this.#resolve(true);
  }

  /** Name → absolute path of every tool found. */
  get programs(): Record<string, string> {
    return this.#programs;
  }

  /** Resolves again; logs tools that appeared or went missing since. */
  refresh(): void {
    this.#resolve(false);
  }

  #resolve(first: boolean): void {
    const r = resolveTools({
      names: [...DAEMON_TOOLS, "claude"],
      env: this.#env,
    });
    const missing = new Set(r.missing);
    if (first) {
      // A missing agent command is reported by {@link agentCommands}.
      const lines = toolReport({
        ...r,
        missing: r.missing.filter((n) => n !== "claude"),
      });
      for (const line of lines) this.#log.log(line);
    } else {
      for (const [name, path] of Object.entries(r.found)) {
        if (this.#missing.has(name)) {
          this.#log.log(`Tool "${name}" found: ${path}`);
        }
      }
      for (const name of missing) {
        if (!this.#missing.has(name) && name !== "claude") {
          this.#log.log(
            `Tool "${name}" not found: searched ${
              r.searched.join(":")
            }; steps that need it are skipped`,
          );
        }
      }
    }
    this.#programs = r.found;
    this.#missing = missing;
    this.#cache.clear();
  }

  /** argv with argv[0] made absolute when it can be found. */
  resolveArgv = (argv: string[]): string[] => {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd.includes("/")) return argv;
    let path = this.#cache.get(cmd) ?? this.#programs[cmd];
    if (path === undefined) {
      // Not cached when missing: a command installed later is found at once.
      path = resolveTools({ names: [cmd], env: this.#env }).found[cmd];
      if (path === undefined) return argv;
    }
    this.#cache.set(cmd, path);
    return [path, ...rest];
  };

  /**
   * Takes the agent commands a pass found missing; logs, once, each that
   * went missing (as an error, with the directories searched) and each
   * that came back.
   */
  agentCommands = (missing: ReadonlyMap<string, string>): void => {
    const now = new Set(missing.values());
    for (const cmd of now) {
      if (this.#missingAgents.has(cmd)) continue;
      const searched = resolveTools({ names: [cmd], env: this.#env }).searched
        .join(":");
      this.#missingAgents.set(
        cmd,
        `Agent command "${cmd}" not found (searched ${searched}): agents that need it are not started`,
      );
      this.#log.log(
        `Error: agent command "${cmd}" not found: searched ${searched}; agents that need it are not started until it appears`,
      );
    }
    for (const cmd of [...this.#missingAgents.keys()]) {
      if (now.has(cmd)) continue;
      this.#missingAgents.delete(cmd);
      const path = this.resolveArgv([cmd])[0];
      this.#log.log(
        `Agent command "${cmd}" found: ${path}; starting the agents that need it`,
      );
    }
  };

  /** Warnings for `status`: the agent commands that are missing. */
  get warnings(): string[] {
    return [...this.#missingAgents.values()];
  }

  /** True when `error` only says that a tool known to be missing is missing. */
  isMissingTool = (error: string): boolean => {
    return [...this.#missing].some((t) =>
      error.startsWith(`${t === "gt" ? "gt mail" : t}:`) &&
      /not (found|installed)/i.test(error)
    );
  };
}
