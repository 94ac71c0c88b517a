/**
 * A benchmark town: a temp dir with the town (rigs, polecat worktrees,
 * agent beads for the stand-in `bd`), a private `TMUX_TMPDIR` with its own
 * tmux server (never the machine's default one), the stand-ins' state dir,
 * and teardown by PID: daemon, tmux server, every stub agent.
 *
 * @module
 */

import { placeBeads } from "../../tests/fixtures/bead_dbs.ts";
import {
  alive,
  cleanup,
  cmdline,
  FIXTURE_BIN,
  MAIN,
  run,
  runner,
  signalPid,
  waitFor,
} from "./proc.ts";
import { keepaliveServerArgs } from "../../tests/fixtures/tmux_config.ts";
import { layTown } from "../../tests/fixtures/town_layout.ts";

/** A benchmark town. */
export interface BenchTown {
  root: string;
  town: string;
  tmuxDir: string;
  fake: string;
  /** Environment for the program and tmux: PATH, HOME, TMUX_TMPDIR, GT_FAKE_DIR. */
  env: Record<string, string>;
  rigs: string[];
  polecats: Map<string, string[]>;
  /** Every session the daemon keeps alive once started (Boot included). */
  sessions: string[];
  serverPid: number | null;
  daemonPid: number | null;
  close(): Promise<void>;
}

/** Options for {@link createTown}. */
export interface TownOptions {
  rigs: number;
  polecatsPerRig: number;
  /** A fresh Boot marker: the daemon leaves Boot and the Deacon alone. */
  quiet?: boolean;
  /** Start the private tmux server now. */
  tmuxServer?: boolean;
  /** Directory put first on PATH (before the stand-ins). */
  pathFirst?: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Creates a town under a fresh temp dir and registers its teardown. */
export async function createTown(o: TownOptions): Promise<BenchTown> {
  const root = await Deno.makeTempDir({ prefix: "gtd-bench-" });
  const rigs = Array.from({ length: o.rigs }, (_, i) => `r${pad(i + 1)}`);
  const polecats = new Map<string, string[]>(rigs.map((r) => [
    r,
    Array.from({ length: o.polecatsPerRig }, (_, i) => `p${pad(i + 1)}`),
  ]));
  const { town, tmux: tmuxDir, fake } = await layTown(root, {
    name: "bench",
    quiet: o.quiet ?? false,
    polecats,
    inbox: true,
    ...(o.rigs > 0 ? { rigs } : {}),
  });
  const now = new Date().toISOString();
  const bead = (id: string, role: string, rig: string | null, hook = "") => ({
    id,
    title: id,
    description: `${id}\n\nrole_type: ${role}\nrig: ${
      rig ?? "null"
    }\nagent_state: ${role === "polecat" ? "working" : "running"}\nhook_bead: ${
      hook || "null"
    }\nrole_bead: null`,
    status: "open",
    issue_type: "agent",
    updated_at: now,
    agent_state: role === "polecat" ? "working" : "running",
    ...(hook ? { hook_bead: hook } : {}),
  });
  const beads = [
    bead("hq-deacon", "deacon", null),
    bead("hq-mayor", "mayor", null),
  ];
  const sessions = o.quiet ? ["gt-deacon"] : ["gt-boot", "gt-deacon"];
  for (const r of rigs) {
    beads.push(bead(`gt-${r}-witness`, "witness", r));
    beads.push(bead(`gt-${r}-refinery`, "refinery", r));
    sessions.push(`gt-${r}-witness`, `gt-${r}-refinery`);
    for (const p of polecats.get(r) ?? []) {
      beads.push(bead(`gt-${r}-polecat-${p}`, "polecat", r, `gt-w${r}${p}`));
      sessions.push(`gt-${r}-${p}`);
    }
  }
  // Each bead in the database gt puts it in (polecats in their rig's).
  await placeBeads(town, beads);
  await touchDeaconHeartbeat(town);
  const path = [
    o.pathFirst,
    FIXTURE_BIN,
    Deno.env.get("PATH") ?? "/usr/bin:/bin",
  ]
    .filter((p) => p !== undefined).join(":");
  const env = {
    PATH: path,
    HOME: `${root}/home`,
    TMUX_TMPDIR: tmuxDir,
    GT_FAKE_DIR: fake,
    NO_COLOR: "1",
  };
  const t: BenchTown = {
    root,
    town,
    tmuxDir,
    fake,
    env,
    rigs,
    polecats,
    sessions: o.rigs === 0 && o.quiet ? [] : sessions,
    serverPid: null,
    daemonPid: null,
    close: async () => {},
  };
  t.close = cleanup.add(`town ${root}`, () => teardownTown(t));
  if (o.tmuxServer) await startServer(t);
  return t;
}

/** Writes a fresh `deacon/heartbeat.json`. */
export async function touchDeaconHeartbeat(town: string): Promise<void> {
  await Deno.writeTextFile(
    `${town}/deacon/heartbeat.json`,
    JSON.stringify({ timestamp: new Date().toISOString() }),
  );
}

/** Runs tmux on the town's private server; stdout. */
export function tmux(t: BenchTown, args: string[]): Promise<string> {
  if (!t.tmuxDir.startsWith(t.root)) throw new Error("tmux dir not private");
  return run(["tmux", ...args], { env: t.env, timeoutMs: 10_000 });
}

async function startServer(t: BenchTown): Promise<void> {
  await tmux(t, await keepaliveServerArgs(t.root));
  const socket = (await tmux(t, ["display-message", "-p", "#{socket_path}"]))
    .trim();
  t.serverPid = Number(
    (await tmux(t, ["display-message", "-p", "#{pid}"])).trim(),
  );
  if (!socket.startsWith(`${t.tmuxDir}/`)) {
    throw new Error(`tmux server is not private: ${socket}`);
  }
}

/** The stub agents' start records (`agents.jsonl`). */
export async function agentRecords(
  t: BenchTown,
): Promise<{ t: number; pid: number; actor: string }[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(`${t.fake}/agents.jsonl`);
  } catch {
    return [];
  }
  const out: { t: number; pid: number; actor: string }[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const r = JSON.parse(line);
      out.push({ t: r.t, pid: r.pid, actor: r.env?.BD_ACTOR ?? "?" });
    } catch {
      // a line being written
    }
  }
  return out;
}

/** True when `pid` is one of our stub agents (PID not reused by another program). */
export function isStubAgent(pid: number): boolean {
  const argv = cmdline(pid);
  return argv !== null && argv.some((a) => a === `${FIXTURE_BIN}/claude`);
}

/** Starts the daemon with `main.ts start`; returns its PID. */
export async function startDaemon(
  t: BenchTown,
  interval: string,
  extraEnv: Record<string, string> = {},
): Promise<number> {
  await run([
    Deno.execPath(),
    "run",
    "--allow-all",
    "--quiet",
    MAIN,
    "start",
    "--quiet",
    "--interval",
    interval,
    "--town",
    t.town,
  ], { env: { ...t.env, ...extraEnv }, cwd: t.town, timeoutMs: 60_000 });
  const pid = Number(
    (await Deno.readTextFile(`${t.town}/daemon/daemon.pid`)).trim(),
  );
  if (!alive(pid)) throw new Error(`daemon ${pid} is not running`);
  t.daemonPid = pid;
  return pid;
}

/** Stops the daemon (`main.ts stop`), then kills it by PID if still alive. */
export async function stopDaemon(t: BenchTown): Promise<void> {
  const pid = t.daemonPid;
  if (pid === null) return;
  await runner.run([
    Deno.execPath(),
    "run",
    "--allow-all",
    "--quiet",
    MAIN,
    "stop",
    "--town",
    t.town,
  ], { env: t.env, cwd: t.town, timeoutMs: 30_000 }).catch(() => null);
  if (alive(pid) && (cmdline(pid) ?? []).includes(t.town)) {
    signalPid(pid, "SIGKILL");
    await waitFor(() => !alive(pid), 5_000);
  }
  t.daemonPid = null;
}

/** Stops the daemon, the tmux server and every stub agent by PID; removes the dir. */
export async function teardownTown(t: BenchTown): Promise<void> {
  await stopDaemon(t);
  if (t.serverPid !== null) {
    const pid = t.serverPid;
    const isServer = () =>
      alive(pid) && (cmdline(pid) ?? []).some((a) => a.includes("tmux"));
    if (isServer()) signalPid(pid, "SIGTERM");
    if (!(await waitFor(() => !alive(pid), 3_000)) && isServer()) {
      signalPid(pid, "SIGKILL");
      await waitFor(() => !alive(pid), 3_000);
    }
    t.serverPid = null;
  }
  // A server the daemon may have started itself (it should not), by PID.
  const r = await runner.run(["tmux", "display-message", "-p", "#{pid}"], {
    env: t.env,
    timeoutMs: 5_000,
  }).catch(() => null);
  const stray = r && r.code === 0 ? Number(r.stdout.trim()) : NaN;
  if (Number.isInteger(stray) && stray > 1) signalPid(stray, "SIGKILL");
  for (const a of await agentRecords(t)) {
    if (alive(a.pid) && isStubAgent(a.pid)) signalPid(a.pid, "SIGKILL");
  }
  await Deno.remove(t.root, { recursive: true }).catch(() => {});
}
