/**
 * An end-to-end harness: a temp town, a private tmux server bound to the
 * town's `TMUX_TMPDIR` (never the machine's default server), the stand-in
 * `gt`/`bd`/`claude` on PATH with their state in `GT_FAKE_DIR`, and helpers
 * to run the program, read tmux and read what the stand-ins recorded.
 *
 * @module
 */

import {
  baseEnv,
  type CliResult,
  makeTown,
  readLog,
  runCli,
  type TempTown,
  waitFor,
} from "./cli.ts";
import { FIXTURE_BIN } from "./cli.ts";
import { placeBeads } from "../fixtures/bead_dbs.ts";
import { keepaliveServerArgs } from "../fixtures/tmux_config.ts";

/** One tmux session as the harness sees it. */
export interface SessionView {
  id: string;
  created: number;
  commands: string[];
  dead: boolean;
  path: string;
}

/** The harness. */
export class Harness {
  readonly t: TempTown;
  readonly env: Record<string, string>;
  readonly fake: string;

  private constructor(t: TempTown, env: Record<string, string>) {
    this.t = t;
    this.env = env;
    this.fake = `${t.root}/fake`;
  }

  /** The town root. */
  get town(): string {
    return this.t.town;
  }

  /** Creates the town and starts its private tmux server. */
  static async create(
    options: {
      rigs?: string[];
      quiet?: boolean;
      env?: Record<string, string>;
      /** The town directory's name (default `town`). */
      name?: string;
    } = {},
  ) {
    if (Deno.env.get("TMUX")) throw new Error("Tests must run with TMUX unset");
    const t = await makeTown(options);
    const env = baseEnv(t.root, options.env ?? {});
    const h = new Harness(t, env);
    await h.tmux(await keepaliveServerArgs(t.root));
    const socket = await h.tmux(["display-message", "-p", "#{socket_path}"]);
    if (!socket.startsWith(`${t.root}/tmux/`)) {
      await t.close();
      throw new Error(`tmux server is not private: ${socket}`);
    }
    await h.setBeads([]);
    await h.setInbox([]);
    return h;
  }

  /** Runs tmux on the private server; stdout without the final newline. */
  async tmux(args: string[]): Promise<string> {
    if (!this.env.TMUX_TMPDIR?.startsWith(this.t.root)) {
      throw new Error("TMUX_TMPDIR is not private");
    }
    const out = await new Deno.Command("tmux", {
      args,
      env: {
        TMUX_TMPDIR: this.env.TMUX_TMPDIR!,
        PATH: this.env.PATH!,
        GT_FAKE_DIR: this.fake,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    if (out.code !== 0) {
      throw new Error(
        `tmux ${args.join(" ")}: ${dec.decode(out.stderr).trim()}`,
      );
    }
    return dec.decode(out.stdout).replace(/\n$/, "");
  }

  /** Every session with its panes' commands. */
  async sessions(): Promise<Map<string, SessionView>> {
    const text = await this.tmux([
      "list-panes",
      "-a",
      "-F",
      "#{session_name}\t#{session_id}\t#{session_created}\t#{pane_current_command}\t#{pane_dead}\t#{pane_current_path}",
    ]).catch(() => "");
    const out = new Map<string, SessionView>();
    for (const line of text.split("\n")) {
      const [name, id, created, cmd, dead, path] = line.split("\t");
      if (!name || id === undefined) continue;
      const v = out.get(name) ??
        {
          id,
          created: Number(created),
          commands: [],
          dead: true,
          path: path ?? "",
        };
      v.commands.push(cmd ?? "");
      v.dead = v.dead && dead === "1";
      out.set(name, v);
    }
    return out;
  }

  /** The session environment value of `key` (null when unset). */
  async sessionEnv(session: string, key: string): Promise<string | null> {
    const line = await this.tmux(["show-environment", "-t", session, key])
      .catch(() => "");
    return line.startsWith(`${key}=`) ? line.slice(key.length + 1) : null;
  }

  /** A session option's value. */
  async option(session: string, name: string): Promise<string> {
    return await this.tmux(["show-options", "-t", session, "-v", name]).catch(
      () => "",
    );
  }

  /** Starts a healthy session running the stub agent, and waits for it. */
  async healthySession(name: string, dir = this.town): Promise<SessionView> {
    await this.tmux([
      "new-session",
      "-d",
      "-s",
      name,
      "-c",
      dir,
      `exec ${FIXTURE_BIN}/claude`,
    ]);
    let view: SessionView | undefined;
    await waitFor(async () => {
      view = (await this.sessions()).get(name);
      return view?.commands.includes("claude") ?? false;
    }, 10_000);
    if (!view?.commands.includes("claude")) {
      throw new Error(`stub agent did not start in ${name}`);
    }
    return view;
  }

  /** Starts healthy Witness and Refinery sessions for each rig. */
  async healthyRigs(...rigs: string[]): Promise<void> {
    for (const r of rigs) {
      await this.healthySession(`gt-${r}-witness`);
      await this.healthySession(`gt-${r}-refinery`);
    }
  }

  /** Starts a zombie session: a shell with no agent. */
  async zombieSession(name: string, dir = this.town): Promise<SessionView> {
    await this.tmux(["new-session", "-d", "-s", name, "-c", dir]);
    return (await this.sessions()).get(name)!;
  }

  /** Replaces the stand-in `bd`'s beads, each in its database. */
  async setBeads(beads: unknown[]): Promise<void> {
    await placeBeads(this.town, beads);
  }

  /** Replaces the stand-in `gt`'s inbox. */
  async setInbox(inbox: unknown[] | string): Promise<void> {
    await Deno.writeTextFile(
      `${this.fake}/inbox.json`,
      typeof inbox === "string" ? inbox : JSON.stringify(inbox, null, 2),
    );
  }

  /** Sets a stand-in's fault mode (`ok`, `fail`, `garbage`, `hang`, …). */
  async setMode(prog: "bd" | "gt", mode: string, sub?: string): Promise<void> {
    await Deno.mkdir(`${this.fake}/mode`, { recursive: true });
    await Deno.writeTextFile(
      `${this.fake}/mode/${sub ? `${prog}.${sub}` : prog}`,
      mode,
    );
  }

  /** Lines of a JSON-lines file in the fake dir. */
  async jsonl(name: string): Promise<Record<string, unknown>[]> {
    try {
      return (await Deno.readTextFile(`${this.fake}/${name}`)).split("\n")
        .filter((l) => l).map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  }

  /** Calls the stand-ins recorded: `{prog, argv, cwd, …}`. */
  calls(): Promise<Record<string, unknown>[]> {
    return this.jsonl("calls.jsonl");
  }

  /** Mail the stand-in `gt` was asked to send. */
  sent(): Promise<Record<string, unknown>[]> {
    return this.jsonl("sent.jsonl");
  }

  /** Agents the stub recorded starting. */
  agents(): Promise<Record<string, unknown>[]> {
    return this.jsonl("agents.jsonl");
  }

  /** Runs the program with the harness environment. */
  cli(
    args: string[],
    extraEnv: Record<string, string> = {},
  ): Promise<CliResult> {
    return runCli(args, { cwd: this.town, env: { ...this.env, ...extraEnv } });
  }

  /** Runs one heartbeat in a subprocess. */
  async heartbeat(extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const r = await this.cli(["heartbeat", "--once"], extraEnv);
    if (r.code !== 0) {
      throw new Error(`heartbeat failed (${r.code}): ${r.stderr}`);
    }
    return r;
  }

  /** The daemon log. */
  log(): Promise<string> {
    return readLog(this.town);
  }

  /** Stops daemons, the tmux server and every stub agent, then removes the town. */
  async close(): Promise<void> {
    for (const a of await this.agents()) {
      if (typeof a.pid === "number") {
        try {
          Deno.kill(a.pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    await this.t.close();
  }
}

/** A polecat bead working on hooked work `gt-abc`. */
export function workingPolecat(
  rig: string,
  name: string,
): Record<string, unknown> {
  return bead({
    id: `gt-${rig}-polecat-${name}`,
    role: "polecat",
    rig,
    state: "working",
    hook: "gt-abc",
  });
}

/** A realistic agent bead (as `bd list` prints it). */
export function bead(spec: {
  id: string;
  role: string;
  rig?: string;
  state: string;
  hook?: string;
  updatedAgoMs?: number;
  descriptionState?: string;
  column?: boolean;
}): Record<string, unknown> {
  const hook = spec.hook ?? "";
  const updated = new Date(Date.now() - (spec.updatedAgoMs ?? 0));
  const b: Record<string, unknown> = {
    id: spec.id,
    title: spec.id,
    description: `${spec.id}\n\nrole_type: ${spec.role}\nrig: ${
      spec.rig ?? "null"
    }\nagent_state: ${spec.descriptionState ?? spec.state}\nhook_bead: ${
      hook || "null"
    }\nrole_bead: null`,
    status: "open",
    issue_type: "agent",
    updated_at: updated.toISOString(),
  };
  if (hook) b.hook_bead = hook;
  if (spec.state && spec.column !== false) b.agent_state = spec.state;
  return b;
}

/** The running Witness and Refinery beads of a rig. */
export function rigBeads(rig: string): Record<string, unknown>[] {
  return (["witness", "refinery"] as const).map((role) =>
    bead({ id: `gt-${rig}-${role}`, role, rig, state: "running" })
  );
}

/** A deacon-inbox message. */
export function message(
  spec: {
    id: string;
    from: string;
    subject?: string;
    body?: string;
    agoMs?: number;
    read?: boolean;
  },
) {
  return {
    id: spec.id,
    from: spec.from,
    to: "deacon/",
    subject: spec.subject ?? "LIFECYCLE: requesting action",
    body: spec.body ?? '{"action": "cycle"}',
    timestamp: new Date(Date.now() - (spec.agoMs ?? 0)).toISOString(),
    read: spec.read ?? false,
    priority: "normal",
    type: "notification",
  };
}
