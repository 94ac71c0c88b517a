/**
 * A benchmark town built by the real tools: `gt install`, a local bare git
 * repository, `gt rig add` per rig (the first rig with `--prefix gt`, since
 * the reference daemon looks polecats up as `gt-<rig>-polecat-<name>`; the
 * others keep the prefix `gt` derives from their name), `gt polecat add` per
 * polecat, and hooked work for each polecat (`bd create`, `bd slot set …
 * hook`, `bd agent state … working`). The daemons see `bd`, `gt`, `tmux`
 * and `git` through call-counting wrappers first on `PATH`, and `claude` is
 * the stub agent. A private tmux server; teardown by PID as for the
 * stand-in towns.
 *
 * @module
 */

import { cleanup, FIXTURE_BIN, run } from "./proc.ts";
import { type BenchTown, teardownTown, touchDeaconHeartbeat } from "./town.ts";
import { onPath, WRAPPED_TOOLS, writeWrappers } from "./wrappers.ts";
import { TEST_TMUX_CONFIG } from "../../tests/fixtures/tmux_config.ts";

/** The real programs a real town needs. */
export interface RealTools {
  bd: string;
  gt: string;
}

/** Options for {@link createRealTown}. */
export interface RealTownOptions {
  rigs: number;
  polecatsPerRig: number;
  tools: RealTools;
  progress: (line: string) => void;
}

/** A real town, with the path of its call log. */
export interface RealTown extends BenchTown {
  /** Where the wrappers log (`GT_BENCH_CALLS` of {@link BenchTown.env}). */
  callsFile: string;
  /** Polecat → its agent bead id. */
  polecatBeads: Map<string, string>;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Builds the town; registers its teardown (daemon, tmux server, agents, dir). */
export async function createRealTown(o: RealTownOptions): Promise<RealTown> {
  const root = await Deno.makeTempDir({ prefix: "gtd-bench-real-" });
  const town = `${root}/town`;
  const tmuxDir = `${root}/tmux`;
  const fake = `${root}/fake`;
  const wrap = `${root}/wrap`;
  const agentBin = `${root}/agent-bin`;
  for (const d of [`${root}/home`, fake, agentBin]) {
    await Deno.mkdir(d, { recursive: true });
  }
  await Deno.mkdir(tmuxDir, { mode: 0o700 });
  const basePath = (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")
    .filter((d) => d !== FIXTURE_BIN).join(":");
  const real: Record<string, string> = { bd: o.tools.bd, gt: o.tools.gt };
  for (const t of ["tmux", "git"]) {
    const p = onPath(t, basePath);
    if (!p) throw new Error(`${t} not found on PATH`);
    real[t] = p;
  }
  await writeWrappers(
    wrap,
    real as Record<typeof WRAPPED_TOOLS[number], string>,
  );
  // The agent command: `claude` runs the stub by its own path, so the
  // bench recognises the stub's processes.
  await Deno.writeTextFile(
    `${agentBin}/claude`,
    `#!/bin/sh\nexec '${FIXTURE_BIN}/claude' "$@"\n`,
    { mode: 0o755 },
  );
  await Deno.writeTextFile(
    `${root}/home/.gitconfig`,
    "[user]\n\tname = bench\n\temail = bench@example.invalid\n" +
      "[init]\n\tdefaultBranch = main\n",
  );
  const env: Record<string, string> = {
    PATH: `${wrap}:${agentBin}:${basePath}`,
    HOME: `${root}/home`,
    TMUX_TMPDIR: tmuxDir,
    GT_FAKE_DIR: fake,
    BEADS_NO_DAEMON: "1",
    NO_COLOR: "1",
  };
  const t: RealTown = {
    root,
    town,
    tmuxDir,
    fake,
    env,
    rigs: [],
    polecats: new Map(),
    sessions: ["gt-boot", "gt-deacon"],
    serverPid: null,
    daemonPid: null,
    close: async () => {},
    callsFile: `${root}/calls.tsv`,
    polecatBeads: new Map(),
  };
  t.close = cleanup.add(`real town ${root}`, () => teardownTown(t));
  const sh = (argv: string[], cwd: string) =>
    run(argv, { env, cwd, timeoutMs: 120_000 });
  o.progress(`real town ${o.rigs}×${o.polecatsPerRig}: gt install`);
  await sh(["gt", "install", town, "--name", "bench"], root);
  await sh(
    ["git", "init", "-q", "--bare", "-b", "main", `${root}/src.git`],
    root,
  );
  await sh(["git", "clone", "-q", `${root}/src.git`, `${root}/src`], root);
  await sh(
    ["git", "commit", "-q", "--allow-empty", "-m", "init"],
    `${root}/src`,
  );
  await sh(["git", "push", "-q", "origin", "HEAD:main"], `${root}/src`);
  for (let i = 1; i <= o.rigs; i++) {
    const rig = `r${pad(i)}`;
    t.rigs.push(rig);
    const prefix = i === 1 ? ["--prefix", "gt"] : [];
    await sh(["gt", "rig", "add", rig, `${root}/src.git`, ...prefix], town);
    t.sessions.push(`gt-${rig}-witness`, `gt-${rig}-refinery`);
  }
  o.progress(
    `real town: ${o.rigs * o.polecatsPerRig} polecats with hooked work`,
  );
  // Four rigs at a time: a 20-rig town would otherwise start 20 chains of
  // gt and bd calls at once on a machine of a few cores.
  let nextRig = 0;
  const addPolecats = async (rig: string) => {
    const names: string[] = [];
    for (let j = 1; j <= o.polecatsPerRig; j++) {
      const p = `p${pad(j)}`;
      await sh(["gt", "polecat", "add", rig, p], town);
      const created = JSON.parse(
        await sh([
          "bd",
          "create",
          "--json",
          "--type=task",
          `--title=work for ${rig}/${p}`,
          "--description=bench work",
        ], `${town}/${rig}`),
      );
      const bead = `${rig === "r01" ? "gt" : rig}-${rig}-polecat-${p}`;
      await sh(
        ["bd", "slot", "set", bead, "hook", created.id],
        `${town}/${rig}`,
      );
      await sh(["bd", "agent", "state", bead, "working"], `${town}/${rig}`);
      names.push(p);
      t.polecatBeads.set(`${rig}/${p}`, bead);
    }
    t.polecats.set(rig, names);
  };
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (nextRig < t.rigs.length) await addPolecats(t.rigs[nextRig++]!);
  }));
  for (const rig of t.rigs) {
    for (const p of t.polecats.get(rig) ?? []) {
      t.sessions.push(`gt-${rig}-${p}`);
    }
  }
  await Deno.mkdir(`${town}/deacon/dogs/boot`, { recursive: true });
  await touchDeaconHeartbeat(town);
  await Deno.writeTextFile(`${root}/tmux.conf`, TEST_TMUX_CONFIG);
  env.GT_BENCH_CALLS = t.callsFile;
  await run([
    "tmux",
    "-f",
    `${root}/tmux.conf`,
    "new-session",
    "-d",
    "-s",
    "keepalive",
  ], { env, timeoutMs: 10_000 });
  t.serverPid = Number(
    (await run(["tmux", "display-message", "-p", "#{pid}"], {
      env,
      timeoutMs: 10_000,
    })).trim(),
  );
  const socket =
    (await run(["tmux", "display-message", "-p", "#{socket_path}"], {
      env,
      timeoutMs: 10_000,
    })).trim();
  if (!socket.startsWith(`${tmuxDir}/`)) {
    throw new Error(`tmux server is not private: ${socket}`);
  }
  return t;
}
