/**
 * A real town for tests: built by the real `gt` and `bd` in a temp directory
 * with its own HOME, a private tmux server (its own `TMUX_TMPDIR`) and the
 * stub agent `tests/fixtures/bin/claude` as every agent's command.
 *
 * The build, all with the real tools and no network:
 * - `gt install <town> --name town`: the town database `<town>/.beads`
 *   (prefix `hq`) with `hq-mayor` and `hq-deacon`;
 * - `gt rig add alpha <bare repo>` from a local bare git repository: the rig
 *   database `<town>/alpha/.beads` (prefix `al`) and its route;
 * - `gt polecat add alpha toast` (and `nux`): agent beads in the rig database;
 * - hooked work for `toast`, the way the rig's own tools record it:
 *   `bd create`, `bd update <id> --status=hooked --assignee=alpha/polecats/toast`,
 *   `bd slot set <agent> hook <id>` and `bd agent state <agent> working`, run
 *   in the rig (a real `bd update` does not route by prefix, so `gt sling`
 *   from the town root fails on rig beads);
 * - `settings/config.json` of the town and the rig name the stub agent as
 *   the runtime command, and a `claude` on the town's PATH is the stub too
 *   (the Go daemon starts the Deacon with a bare `claude`).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { FIXTURE_BIN, killTownDaemon, waitFor } from "../helpers/cli.ts";
import { type CommandOutput, runCommand } from "../helpers/command.ts";
import { findRealTools } from "./find_tools.ts";
import { TEST_TMUX_CONFIG } from "../fixtures/tmux_config.ts";

/** Paths of the real tools. */
export interface RealTools {
  gt: string;
  bd: string;
}

/**
 * The real `gt` and `bd`, or null; when one is missing, the finder has
 * printed the one-line reason the tests that need it skip.
 */
export function realTools(): RealTools | null {
  const { tools } = findRealTools(["bd", "gt"]);
  return tools.bd && tools.gt ? { bd: tools.bd, gt: tools.gt } : null;
}

/** The rig, its beads prefix and the polecats every real town has. */
export const RIG = "alpha";
export const PREFIX = "al";
export const WORKER = "toast";
export const IDLE = "nux";
/** The polecat beads. */
export const WORKER_BEAD = `${PREFIX}-${RIG}-polecat-${WORKER}`;
export const IDLE_BEAD = `${PREFIX}-${RIG}-polecat-${IDLE}`;

/** How to build a {@link RealTown}. */
export interface RealTownOptions {
  /** false: only `gt install` (no rig, no polecats). */
  rig?: boolean;
  /**
   * `tools` are the stand-ins of tests/fixtures/bin: the town is laid out
   * by hand (town marker, empty town database), without a rig.
   */
  standIns?: boolean;
  /** The runtime command in the settings (the stub agent by default). */
  agent?: { command: string; args?: string[] };
  /** Added to the environment of every command, the daemon and tmux. */
  env?: Record<string, string>;
}

/** What a finished command printed. */
export type Output = CommandOutput;

/** A real town and what is needed to drive it. */
export class RealTown {
  /** Temp root holding town/, home/, tmux/, fake/, bin/. */
  readonly root: string;
  readonly town: string;
  readonly tools: RealTools;
  /** The environment every command (and the daemon) runs with. */
  readonly env: Record<string, string>;
  /** The hooked work of {@link WORKER}. */
  work = "";
  /** The runtime every agent starts with (town and rig settings). */
  #runtime: { command: string; args?: string[] };

  private constructor(
    root: string,
    tools: RealTools,
    options: RealTownOptions,
  ) {
    this.root = root;
    this.town = `${root}/town`;
    this.tools = tools;
    const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
    this.env = {
      PATH: `${root}/bin:${path}`,
      HOME: `${root}/home`,
      TMUX_TMPDIR: `${root}/tmux`,
      GT_FAKE_DIR: `${root}/fake`,
      // bd must never leave a background daemon behind.
      BEADS_NO_DAEMON: "1",
      NO_COLOR: "1",
      TZ: "UTC",
      LANG: Deno.env.get("LANG") ?? "C.UTF-8",
      USER: Deno.env.get("USER") ?? "root",
      ...options.env,
    };
    this.#runtime = options.agent ??
      { command: `${root}/bin/claude`, args: [] };
  }

  /** Builds a town with the real tools (see the module doc). */
  static async create(
    tools: RealTools,
    options: RealTownOptions = {},
  ): Promise<RealTown> {
    if (Deno.env.get("TMUX")) throw new Error("Tests must run with TMUX unset");
    const root = await Deno.makeTempDir({ prefix: "gtd-real-" });
    const t = new RealTown(root, tools, options);
    try {
      await t.#build(options);
    } catch (err) {
      await t.close();
      throw err;
    }
    return t;
  }

  async #build(options: RealTownOptions): Promise<void> {
    const withRig = !options.standIns && (options.rig ?? true);
    const r = this.root;
    for (const d of ["home", "fake", "bin", "src"]) {
      await Deno.mkdir(`${r}/${d}`, { recursive: true });
    }
    await Deno.mkdir(`${r}/tmux`, { mode: 0o700 });
    await Deno.symlink(this.tools.gt, `${r}/bin/gt`);
    await Deno.symlink(this.tools.bd, `${r}/bin/bd`);
    await Deno.symlink(`${FIXTURE_BIN}/claude`, `${r}/bin/claude`);
    await Deno.writeTextFile(
      `${r}/home/.gitconfig`,
      "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n",
    );
    if (options.standIns) {
      // What `gt install` leaves that the daemon reads: the town marker and
      // an empty town database (the stand-ins keep their data elsewhere).
      await Deno.mkdir(`${this.town}/mayor`, { recursive: true });
      await Deno.mkdir(`${this.town}/.beads`);
      await Deno.writeTextFile(
        `${this.town}/mayor/town.json`,
        JSON.stringify({ type: "town", version: 2, name: "town" }),
      );
      await Deno.writeTextFile(`${r}/fake/inbox.json`, "[]");
    } else {
      await this.must(["gt", "install", this.town, "--name", "town"], r);
    }
    await this.#settings(this.town);
    await Deno.writeTextFile(`${r}/tmux.conf`, TEST_TMUX_CONFIG);
    await this.must([
      "tmux",
      "-f",
      `${r}/tmux.conf`,
      "new-session",
      "-d",
      "-s",
      "keepalive",
    ], r);
    if (!withRig) return;

    await this.must(["git", "init", "-q", "-b", "main", "."], `${r}/src`);
    await Deno.writeTextFile(`${r}/src/README.md`, "real town test\n");
    await this.must(["git", "add", "README.md"], `${r}/src`);
    await this.must(["git", "commit", "-q", "-m", "init"], `${r}/src`);
    await this.must(["git", "clone", "-q", "--bare", "src", "repo.git"], r);

    await this.must(["gt", "rig", "add", RIG, `${r}/repo.git`], this.town);
    await this.must(["gt", "polecat", "add", RIG, WORKER], this.town);
    await this.must(["gt", "polecat", "add", RIG, IDLE], this.town);

    const rig = `${this.town}/${RIG}`;
    const created = await this.must([
      "bd",
      "create",
      "Fix the thing",
      "--type=task",
      "--description=Work for the real-town test",
      "--silent",
    ], rig);
    this.work = created.stdout.trim().split("\n").pop()!.trim();
    await this.must([
      "bd",
      "update",
      this.work,
      "--status=hooked",
      `--assignee=${RIG}/polecats/${WORKER}`,
    ], rig);
    await this.must(["bd", "slot", "set", WORKER_BEAD, "hook", this.work], rig);
    await this.must(["bd", "agent", "state", WORKER_BEAD, "working"], rig);

    await this.#settings(rig);
  }

  /** Names the stub agent as the runtime command of a town or rig. */
  async #settings(dir: string): Promise<void> {
    await Deno.mkdir(`${dir}/settings`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/settings/config.json`,
      JSON.stringify({
        type: "rig-settings",
        version: 1,
        runtime: this.#runtime,
      }),
    );
  }

  /** Runs a command in the town's environment. */
  async run(
    argv: string[],
    cwd = this.town,
    extra: Record<string, string> = {},
  ): Promise<Output> {
    return await runCommand(argv, { cwd, env: { ...this.env, ...extra } });
  }

  /** Runs a command that must succeed; returns its output. */
  async must(
    argv: string[],
    cwd = this.town,
    extra: Record<string, string> = {},
  ): Promise<Output> {
    const out = await this.run(argv, cwd, extra);
    if (out.code !== 0) {
      throw new Error(
        `${
          argv.join(" ")
        } (in ${cwd}) exited ${out.code}: ${out.stderr.trim()}`,
      );
    }
    return out;
  }

  /** `bd show <id> --json` (from the town root, which routes), parsed. */
  async show(id: string): Promise<Record<string, unknown>> {
    const out = await this.must(["bd", "show", id, "--json"]);
    const parsed = JSON.parse(out.stdout);
    return Array.isArray(parsed) ? parsed[0] : parsed;
  }

  /** `gt mail inbox --identity <who> --json` (real gt prints `null` when empty). */
  async inbox(identity: string): Promise<Record<string, unknown>[]> {
    const out = await this.must([
      "gt",
      "mail",
      "inbox",
      "--identity",
      identity,
      "--json",
    ]);
    return JSON.parse(out.stdout) ?? [];
  }

  /**
   * Moves a bead's `updated_at` back by `ms`. bd has no command for it, so
   * this writes the bead's row in its SQLite database (found by the bead's
   * prefix); every read afterwards goes through real `bd`.
   */
  backdate(id: string, ms: number): void {
    const dir = id.startsWith(`${PREFIX}-`) ? `${this.town}/${RIG}` : this.town;
    const db = new DatabaseSync(`${dir}/.beads/beads.db`);
    try {
      const when = new Date(Date.now() - ms).toISOString();
      const r = db.prepare("UPDATE issues SET updated_at = ? WHERE id = ?")
        .run(when, id);
      if (Number(r.changes) !== 1) throw new Error(`no bead ${id} in ${dir}`);
    } finally {
      db.close();
    }
  }

  /** Runs tmux on the town's private server. */
  async tmux(args: string[]): Promise<string> {
    const out = await this.run(["tmux", ...args], this.root);
    if (out.code !== 0) {
      throw new Error(`tmux ${args.join(" ")}: ${out.stderr.trim()}`);
    }
    return out.stdout.replace(/\n$/, "");
  }

  /** Session name → {id, commands} on the private server. */
  async sessions(): Promise<Map<string, { id: string; commands: string[] }>> {
    const text = await this.tmux([
      "list-panes",
      "-a",
      "-F",
      "#{session_name}\t#{session_id}\t#{pane_current_command}",
    ]).catch(() => "");
    const out = new Map<string, { id: string; commands: string[] }>();
    for (const line of text.split("\n")) {
      const [name, id, cmd] = line.split("\t");
      if (!name || !id) continue;
      const v = out.get(name) ?? { id, commands: [] };
      v.commands.push(cmd ?? "");
      out.set(name, v);
    }
    return out;
  }

  /** Waits until `session` runs the agent; returns its session id or null. */
  async agentIn(
    session: string,
    ms = 20_000,
    notId?: string,
  ): Promise<string | null> {
    let id: string | null = null;
    await waitFor(async () => {
      const s = (await this.sessions()).get(session);
      id = s && s.commands.includes("claude") && s.id !== notId ? s.id : null;
      return id !== null;
    }, ms);
    return id;
  }

  /** The daemon log ("" when missing). */
  async log(): Promise<string> {
    return await Deno.readTextFile(`${this.town}/daemon/daemon.log`).catch(
      () => "",
    );
  }

  /** Ends every daemon, the tmux server and all stub agents by PID; removes the temp dir. */
  async close(): Promise<void> {
    await killTownDaemon(this.town);
    await this.killGoDaemons();
    const pid = Number(
      await this.tmux(["display-message", "-p", "#{pid}"]).catch(() => ""),
    );
    // Every pane's process (stub or real agent, whoever started it).
    const panes = (await this.tmux(["list-panes", "-a", "-F", "#{pane_pid}"])
      .catch(() => "")).split("\n").map(Number).filter((p) => p > 0);
    const agents = await Deno.readTextFile(`${this.root}/fake/agents.jsonl`)
      .catch(() => "");
    const pids = agents.split("\n").filter((l) => l).map((l) =>
      Number(JSON.parse(l).pid)
    );
    pids.push(...panes);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    for (const p of pids) {
      try {
        Deno.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await waitFor(() => pids.every((p) => !processAlive(p)), 5_000);
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }

  /** PIDs of `gt daemon run` processes whose working directory is this town. */
  goDaemonPids(): number[] {
    const out: number[] = [];
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split(
          "\0",
        );
        if (argv[1] !== "daemon" || argv[2] !== "run") continue;
        if (Deno.readLinkSync(`/proc/${e.name}/cwd`) !== this.town) continue;
        if (processAlive(Number(e.name))) out.push(Number(e.name));
      } catch {
        // gone
      }
    }
    return out;
  }

  /** Kills every Go daemon of this town by PID. */
  async killGoDaemons(): Promise<void> {
    const pids = this.goDaemonPids();
    for (const p of pids) {
      try {
        Deno.kill(p, "SIGKILL");
      } catch {
        // gone
      }
    }
    await waitFor(() => pids.every((p) => !processAlive(p)), 5_000);
  }
}

/** True when the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
