/**
 * The modules `main.ts` loads on demand, one command's at a time, by
 * specifiers it computes rather than writes out. For a literal
 * `import("./x.ts")` anywhere in `main.ts`, `deno run` reads and parses
 * `x.ts` and everything it imports before the program starts, whichever
 * command runs: about 4 ms for all of them, a sixth of an empty `deno run`.
 * `deno compile` cannot see computed imports either, so
 * `scripts/compile.ts` embeds each of these with `--include`.
 *
 * Paths are relative to the repository root, where `main.ts` is.
 *
 * @module
 */

/** Each on-demand module's path, by a short name. */
export const LAZY_MODULES = {
  help: "./src/cli/help.ts",
  common: "./src/cli/common.ts",
  start: "./src/cli/start.ts",
  stop: "./src/cli/stop.ts",
  status: "./src/cli/status.ts",
  logs: "./src/cli/logs.ts",
  run: "./src/cli/run.ts",
  control: "./src/cli/control.ts",
  service: "./src/cli/service.ts",
  tools: "./src/adapters/tools.ts",
  launchEnv: "./src/adapters/launch_env.ts",
  townEngine: "./src/daemon/town_engine.ts",
  oneShot: "./src/daemon/one_shot.ts",
} as const satisfies Record<keyof LazyModules, string>;

/** The type of each on-demand module (type-only: nothing is loaded). */
export interface LazyModules {
  help: typeof import("./help.ts");
  common: typeof import("./common.ts");
  start: typeof import("./start.ts");
  stop: typeof import("./stop.ts");
  status: typeof import("./status.ts");
  logs: typeof import("./logs.ts");
  run: typeof import("./run.ts");
  control: typeof import("./control.ts");
  service: typeof import("./service.ts");
  tools: typeof import("../adapters/tools.ts");
  launchEnv: typeof import("../adapters/launch_env.ts");
  townEngine: typeof import("../daemon/town_engine.ts");
  oneShot: typeof import("../daemon/one_shot.ts");
}
