import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  FIXTURE_BIN,
  killTownDaemon,
  MAIN,
  makeTown,
  readLog,
  readPid,
  type TempTown,
  waitFor,
} from "../helpers/cli.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { TEST_TMUX_CONFIG } from "../fixtures/tmux_config.ts";

const runner = createRunner({ defaultTimeoutMs: 60_000 });
const SESSIONS = ["gt-alpha-witness", "gt-alpha-refinery"];

/**
 * Installs the stand-ins the way a user has them: only in `~/.local/bin`.
 * `claude` is the stub agent itself; `gt` and `bd` there are tiny wrappers
 * that record the identity variables they were started with in
 * `$GT_FAKE_DIR/identity.txt`, then run the stand-in.
 */
async function installTools(home: string, fake: string): Promise<string> {
  const bin = `${home}/.local/bin`;
  const libexec = `${home}/.local/libexec`;
  await Deno.mkdir(bin, { recursive: true });
  await Deno.mkdir(libexec, { recursive: true });
  await Deno.copyFile(`${FIXTURE_BIN}/claude`, `${bin}/claude`);
  await Deno.chmod(`${bin}/claude`, 0o755);
  for (const prog of ["gt", "bd"]) {
    await Deno.copyFile(`${FIXTURE_BIN}/${prog}`, `${libexec}/${prog}`);
    await Deno.chmod(`${libexec}/${prog}`, 0o755);
    await Deno.writeTextFile(
      `${bin}/${prog}`,
      [
        "#!/bin/bash",
        `printf '%s GT_ROLE=%s BD_ACTOR=%s\\n' ${prog} "\${GT_ROLE-unset}" "\${BD_ACTOR-unset}" >> '${fake}/identity.txt'`,
        `exec '${libexec}/${prog}' "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
  }
  return bin;
}

/** `env -i` with exactly these variables, then `argv`. */
function minimalEnv(vars: Record<string, string>, argv: string[]): string[] {
  return [
    "/usr/bin/env",
    "-i",
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
    ...argv,
  ];
}

async function jsonl(path: string): Promise<Record<string, unknown>[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

async function killStubAgents(t: TempTown): Promise<void> {
  for (const a of await jsonl(`${t.root}/fake/agents.jsonl`)) {
    try {
      Deno.kill(Number(a.pid), "SIGKILL");
    } catch {
      // gone
    }
  }
}

Deno.test("start with only PATH=/usr/bin:/bin finds the tools in ~/.local/bin and supervises a rig", async (t) => {
  assertEquals(Deno.env.get("TMUX"), undefined, "TMUX must not be set");
  const town = await makeTown({ rigs: ["alpha"] });
  const home = `${town.root}/home`;
  const fake = `${town.root}/fake`;
  const base = {
    PATH: "/usr/bin:/bin",
    HOME: home,
    TMUX_TMPDIR: `${town.root}/tmux`,
    GT_FAKE_DIR: fake,
  };
  const tmux = async (args: string[]) => {
    const r = await runner.run(minimalEnv(base, ["tmux", ...args]));
    assertEquals(r.code, 0, `tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  // Without a UTF-8 locale tmux prints a tab in -F output as "_": use "|".
  const panes = async () =>
    (await tmux([
      "list-panes",
      "-a",
      "-F",
      "#{session_name}|#{session_id}|#{pane_current_command}|#{pane_dead}|#{pane_start_command}",
    ])).split("\n").map((l) => {
      const [session, id, command, dead, ...start] = l.split("|");
      return {
        session,
        id,
        command,
        dead: dead === "1",
        start: start.join("|"),
      };
    });
  const running = async () => {
    const p = await panes();
    return SESSIONS.every((s) =>
      p.some((r) => r.session === s && r.command === "claude" && !r.dead)
    );
  };
  try {
    await Deno.mkdir(`${town.town}/alpha/witness`, { recursive: true });
    await Deno.mkdir(`${town.town}/alpha/refinery/rig`, { recursive: true });
    await Deno.mkdir(`${town.town}/.beads`, { recursive: true });
    await Deno.writeTextFile(`${fake}/inbox.json`, "[]");
    const bin = await installTools(home, fake);
    await Deno.writeTextFile(
      `${town.root}/tmux.conf`,
      TEST_TMUX_CONFIG,
    );
    await tmux([
      "-f",
      `${town.root}/tmux.conf`,
      "new-session",
      "-d",
      "-s",
      "keepalive",
    ]);
    assert(
      (await tmux(["display-message", "-p", "#{socket_path}"]))
        .startsWith(`${town.root}/tmux/`),
      "tmux server is not private",
    );

    const start = await runner.run(
      minimalEnv({ ...base, GT_ROLE: "mayor", BD_ACTOR: "x" }, [
        Deno.execPath(),
        "run",
        "-A",
        "--quiet",
        MAIN,
        "start",
        "--town",
        town.town,
        "--interval",
        "1m",
      ]),
      { cwd: town.town },
    );
    assertEquals(start.code, 0, `start failed: ${start.stderr}`);
    assert((await readPid(town.town)) !== null, "no PID file");

    await t.step(
      "the daemon finds gt, bd and claude in ~/.local/bin",
      async () => {
        await waitFor(
          async () => (await readLog(town.town)).includes('Tool "claude"'),
          20_000,
        );
        const log = await readLog(town.town);
        for (const prog of ["gt", "bd", "claude"]) {
          assertStringIncludes(log, `Tool "${prog}" found: ${bin}/${prog}\n`);
        }
        assertStringIncludes(log, 'Tool "tmux" found: /usr/bin/tmux\n');
      },
    );

    await t.step(
      "the witness and refinery run the stub agent by its absolute path",
      async () => {
        const started = async () => {
          const log = await readLog(town.town);
          return log.includes(
            "Witness session for alpha started successfully",
          ) &&
            log.includes("Refinery session for alpha started successfully");
        };
        const ok = await waitFor(
          async () => (await started()) && (await running()),
          30_000,
        );
        const p = await panes();
        assert(ok, `panes: ${JSON.stringify(p)}\n${await readLog(town.town)}`);
        for (const s of SESSIONS) {
          const pane = p.find((r) => r.session === s);
          assertStringIncludes(pane?.start ?? "", `&& exec ${bin}/claude `);
        }
        // The sessions get the server's PATH, which lacks ~/.local/bin.
        assertEquals(
          await tmux(["show-environment", "-g", "PATH"]),
          "PATH=/usr/bin:/bin",
        );
        const actors = (await jsonl(`${fake}/agents.jsonl`))
          .map((a) => (a.env as Record<string, string>).BD_ACTOR).sort();
        assertEquals(actors, ["alpha/refinery", "alpha/witness"]);
        const log = await readLog(town.town);
        assertStringIncludes(
          log,
          "Witness session for alpha started successfully",
        );
        assertStringIncludes(
          log,
          "Refinery session for alpha started successfully",
        );
      },
    );

    await t.step(
      "the daemon sees the agents it started and leaves them alone",
      async () => {
        assert(
          await waitFor(
            async () =>
              (await readLog(town.town)).includes("Heartbeat complete (#1)"),
            30_000,
          ),
          await readLog(town.town),
        );
        const before = await panes();
        await Deno.writeTextFile(`${town.town}/daemon/events/heartbeat`, "");
        assert(
          await waitFor(
            async () =>
              (await readLog(town.town)).includes("Heartbeat complete (#2)"),
            30_000,
          ),
          await readLog(town.town),
        );
        const log = await readLog(town.town);
        assert(!log.includes("did not settle"), log);
        assertEquals(
          (log.match(/Witness session for alpha started successfully/g) ?? [])
            .length,
          1,
          log,
        );
        const after = await panes();
        for (const s of SESSIONS) {
          assertEquals(
            after.find((r) => r.session === s)?.id,
            before.find((r) => r.session === s)?.id,
            `${s} was recreated:\n${log}`,
          );
        }
        assertEquals((await jsonl(`${fake}/agents.jsonl`)).length, 2);
      },
    );

    await t.step(
      "inherited agent identity variables are removed before anything runs",
      async () => {
        assertStringIncludes(
          await readLog(town.town),
          "Removed inherited agent identity variables: GT_ROLE, BD_ACTOR\n",
        );
        const calls = (await Deno.readTextFile(`${fake}/identity.txt`)).trim()
          .split("\n");
        assert(calls.some((c) => c.startsWith("gt ")), calls.join("\n"));
        assert(calls.some((c) => c.startsWith("bd ")), calls.join("\n"));
        for (const c of calls) {
          assertEquals(
            c.replace(/^(gt|bd) /, ""),
            "GT_ROLE=unset BD_ACTOR=unset",
            c,
          );
        }
      },
    );
  } finally {
    await killTownDaemon(town.town);
    await killStubAgents(town);
    await town.close();
  }
});
