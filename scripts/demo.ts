/**
 * `deno task demo`: the daemon at work in a throwaway town. Two rigs with
 * three polecats each, stub agents and stand-in `gt`/`bd` (no real Gas Town
 * tools needed), a private tmux server, and the daemon started with
 * `main.ts start`. Once every agent runs, the demo kills agents and shows,
 * in a table refreshed in place (plain snapshots when stdout is not a
 * terminal), how fast the daemon brings each one back. Then it removes
 * everything it started, also on Ctrl-C and on errors.
 *
 * Contract with the program: `main.ts start --town <town> --interval 5s`
 * prints `Daemon started (PID <n>)` and exits 0 once the daemon holds the
 * lock; `main.ts stop --town <town>` ends it.
 *
 * Usage: deno run --allow-all scripts/demo.ts [--rounds N] [--keep] [--no-color]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  pidAlive,
  pidCmdline,
  sendSignal,
  sleep,
  writeStderr,
  writeStdout,
} from "../src/adapters/os.ts";
import { createRunner, type Runner } from "../src/adapters/process.ts";
import { errorMessage, UsageError } from "../src/errors.ts";
import { Screen } from "./demo/screen.ts";
import { runShow } from "./demo/show.ts";
import { readAgentStarts, startTmuxServer, tmux } from "./demo/observe.ts";
import { createTown, DEFAULT_LAYOUT, type DemoTown } from "./demo/town.ts";

/** The program's entry point. */
export const MAIN = decodeURIComponent(
  new URL("../main.ts", import.meta.url).pathname,
);

/** The heartbeat interval the demo daemon runs with. */
export const DEMO_INTERVAL = "5s";

const USAGE = `Usage: deno task demo [--rounds N] [--keep] [--no-color]

Starts a throwaway town (2 rigs, 3 polecats each, stub agents, a private tmux
server), starts the daemon for it, kills agents and shows how fast the daemon
brings them back. Needs no real gt, bd or claude.

  --rounds N   agents to kill, one after the other (default 2)
  --keep       leave the town, its tmux server and the daemon running and
               print how to look at them (an error or Ctrl-C still cleans up)
  --no-color   no ANSI colours (also when NO_COLOR is set)
`;

/** Parsed demo options. */
export interface DemoOptions {
  rounds: number;
  keep: boolean;
  color: boolean;
  help: boolean;
}

/** Parses the demo's arguments; `noColorEnv` is true when `NO_COLOR` is set. */
export function parseDemoArgs(args: string[], noColorEnv = false): DemoOptions {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        rounds: { type: "string" },
        keep: { type: "boolean" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(`Invalid arguments: ${errorMessage(err)}`);
  }
  const rounds = Number(values.rounds ?? "2");
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > 50) {
    throw new UsageError(
      `--rounds takes a whole number from 0 to 50, got "${values.rounds}"`,
    );
  }
  return {
    rounds,
    keep: values.keep ?? false,
    color: !(values["no-color"] ?? false) && !noColorEnv,
    help: values.help ?? false,
  };
}

/** Runs `main.ts <args>` with the town's environment. */
function program(
  runner: Runner,
  t: DemoTown,
  args: string[],
  signal?: AbortSignal,
) {
  return runner.run([Deno.execPath(), "run", "-A", "--quiet", MAIN, ...args], {
    cwd: t.town,
    env: t.env,
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
}

/**
 * Waits up to `graceMs` for `pid` to end, then ends it (SIGTERM, then
 * SIGKILL) if its command line contains `mark`. Returns "gone" when it ended
 * by itself (or was never there) and "ended" when it had to be signalled.
 */
async function endProcess(
  pid: number,
  mark: string,
  graceMs = 0,
): Promise<"gone" | "ended"> {
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while ((await pidAlive(pid)) && Date.now() < deadline) {
      await sleep(50);
    }
    return !(await pidAlive(pid));
  };
  if (await waitGone(graceMs)) return "gone";
  if (!(await pidCmdline(pid))?.some((a) => a.includes(mark))) return "gone";
  sendSignal(pid, "SIGTERM");
  if (!(await waitGone(3_000))) sendSignal(pid, "SIGKILL");
  await waitGone(2_000);
  return "ended";
}

async function readPidFile(town: string): Promise<number | null> {
  try {
    const text = (await Deno.readTextFile(join(town, "daemon", "daemon.pid")))
      .trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

/** Stops the daemon, the tmux server and every stub agent, then removes the temp dir. */
async function cleanUp(
  t: DemoTown,
  pids: { daemon: number | null; tmux: number | null },
): Promise<string[]> {
  const runner = createRunner({ defaultTimeoutMs: 20_000 });
  const out: string[] = [];
  const daemons = new Set(
    [pids.daemon, await readPidFile(t.town)].filter((p) => p !== null),
  );
  await program(runner, t, ["stop", "--town", t.town, "--quiet"]).catch(
    () => null,
  );
  for (const pid of daemons) {
    const how = await endProcess(pid, t.town, 2_000);
    out.push(
      how === "ended"
        ? `Killed the daemon (PID ${pid})`
        : `Stopped the daemon (PID ${pid})`,
    );
  }
  const server = pids.tmux ??
    Number(
      await tmux(runner, t, ["display-message", "-p", "#{pid}"]).catch(() =>
        "0"
      ),
    );
  if (server > 0) {
    await endProcess(server, t.root);
    out.push(`Stopped the private tmux server (PID ${server})`);
  }
  let stubs = 0;
  for (const s of await readAgentStarts(t.fake)) {
    if ((await endProcess(s.pid, "--agent-loop")) === "ended") stubs++;
  }
  if (stubs > 0) out.push(`Ended ${stubs} stub agents left behind`);
  await Deno.remove(t.root, { recursive: true });
  out.push(`Removed ${t.root}`);
  return out;
}

/** Runs the demo; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let opts: DemoOptions;
  try {
    opts = parseDemoArgs(args, Deno.env.get("NO_COLOR") !== undefined);
  } catch (err) {
    writeStderr(`Error: ${errorMessage(err)}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    writeStdout(USAGE);
    return 0;
  }
  // TMUX would point tmux at the caller's own server, whatever TMUX_TMPDIR says.
  Deno.env.delete("TMUX");
  Deno.env.delete("TMUX_PANE");
  const tty = Deno.stdout.isTerminal();
  const color = opts.color && tty;
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const runner = createRunner({ signal: ac.signal });
  const screen = new Screen(tty);
  const pids: { daemon: number | null; tmux: number | null } = {
    daemon: null,
    tmux: null,
  };
  let t: DemoTown | null = null;
  let code = 0;
  let failure = "";
  try {
    t = await createTown(DEFAULT_LAYOUT, Deno.env.toObject());
    const town = t;
    const rigs = Object.keys(DEFAULT_LAYOUT.rigs).length;
    screen.say([
      `gt-daemon demo: a throwaway town with ${rigs} rigs and ${town.agents.length} stub agents`,
      `  files   ${town.root}`,
    ]);
    pids.tmux = await startTmuxServer(runner, town);
    screen.say([
      `  tmux    private server PID ${pids.tmux} (TMUX_TMPDIR=${town.env.TMUX_TMPDIR})`,
    ]);
    const started = await program(runner, town, [
      "start",
      "--town",
      town.town,
      "--interval",
      DEMO_INTERVAL,
    ], ac.signal);
    pids.daemon = Number(started.stdout.match(/PID (\d+)/)?.[1] ?? NaN);
    if (started.code !== 0 || !Number.isInteger(pids.daemon)) {
      pids.daemon = await readPidFile(town.town);
      throw new Error(
        `The daemon did not start: ${
          (started.stderr || started.stdout).trim()
        }`,
      );
    }
    screen.say([
      `  daemon  PID ${pids.daemon}, heartbeat every ${DEMO_INTERVAL} (log: ${town.town}/daemon/daemon.log)`,
      "",
    ]);
    await runShow({
      runner,
      town,
      screen,
      color,
      rounds: opts.rounds,
      signal: ac.signal,
    });
  } catch (err) {
    code = ac.signal.aborted ? 130 : 1;
    failure = errorMessage(err);
  } finally {
    screen.close();
    if (code === 130) writeStdout("\nInterrupted; cleaning up\n");
    else if (code !== 0) writeStderr(`\nError: ${failure}\n`);
    if (t !== null && opts.keep && code === 0) {
      const q = (s: string) => `'${s}'`;
      const first = t.agents.find((a) => a.role === "polecat") ?? t.agents[0]!;
      writeStdout(
        [
          "",
          "The town is still running. Look at an agent's session (from outside tmux):",
          `  TMUX_TMPDIR=${
            q(t.env.TMUX_TMPDIR!)
          } tmux attach -t ${first.session}`,
          `  TMUX_TMPDIR=${q(t.env.TMUX_TMPDIR!)} tmux ls`,
          "The daemon's status and log:",
          `  deno run -A ${q(MAIN)} status --town ${q(t.town)}`,
          `  deno run -A ${q(MAIN)} logs --town ${q(t.town)}`,
          "Clean up afterwards:",
          `  deno run -A ${q(MAIN)} stop --town ${q(t.town)}`,
          `  kill ${pids.tmux}    # the private tmux server`,
          `  rm -rf ${q(t.root)}`,
          "",
        ].join("\n"),
      );
    } else if (t !== null) {
      try {
        const lines = await cleanUp(t, pids);
        writeStdout("\n" + lines.map((l) => l + "\n").join(""));
      } catch (err) {
        writeStderr(`Error: cleaning up failed: ${errorMessage(err)}\n`);
        code ||= 1;
      }
    }
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  return code;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
