/**
 * Contract tests of the tmux adapter on a private tmux server (tmux 3.3a),
 * with the stub agent `tests/fixtures/bin/claude`.
 */

import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import {
  pollFor,
  readJsonLines,
  startPrivateTmux,
  STUB_AGENT,
} from "../helpers/tmux_server.ts";
import { createRunner } from "../../src/adapters/process.ts";
import {
  crashHookCommand,
  Tmux,
  TmuxError,
  TmuxNoServerError,
  TmuxSessionExistsError,
  TmuxSessionNotFoundError,
} from "../../src/adapters/tmux.ts";
import { isAgentCommand } from "../../src/town/agent_process.ts";
import { buildStartupCommand } from "../../src/town/startup.ts";
import { assignTheme } from "../../src/town/theme.ts";

const HEALTH_CHECK =
  "HEALTH_CHECK: heartbeat stale, respond to confirm responsiveness";

Deno.test("Tmux without a server answers empty and false (TMUX-01, TMUX-02)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gt-tmux-none-" });
  try {
    const tmux = new Tmux(createRunner(), { env: { TMUX_TMPDIR: dir } });
    assertEquals(await tmux.listSessions(), []);
    assertEquals(await tmux.hasSession("nonexistent-session-xyz"), false);
    assertEquals((await tmux.listPanes()).size, 0);
    await tmux.killServer();
    await assertRejects(() => tmux.killSession("x"), TmuxNoServerError);
    assert(await tmux.isAvailable());
    assert(/^\d+\.\d+/.test(await tmux.version()));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Tmux on a private server", async (t) => {
  const srv = await startPrivateTmux();
  const tmux = new Tmux(createRunner(), { env: srv.env });
  const sid = (s: string) =>
    srv.run(["display-message", "-p", "-t", `=${s}:`, "#{session_id}"]);
  const agentPid = async (s: string) => {
    const rec = await pollFor(
      `agent record of ${s}`,
      async () =>
        (await readJsonLines(`${srv.fakeDir}/agents.jsonl`)).findLast(
          (a) => (a.env as Record<string, unknown>).GT_ROLE === s,
        ),
    );
    return rec.pid as number;
  };
  const startAgent = async (s: string) => {
    await tmux.newSession(s, { env: [["GT_ROLE", s]] });
    await tmux.sendKeys(s, `${STUB_AGENT} --dangerously-skip-permissions`);
    await tmux.waitForAgent(s, (c) => isAgentCommand(c), 10_000);
    return await agentPid(s);
  };
  const stdinOf = async (pid: number) =>
    (await readJsonLines(`${srv.fakeDir}/stdin.jsonl`))
      .filter((l) => l.pid === pid).map((l) => l.line as string);

  try {
    await t.step(
      "newSession(), hasSession(), listSessions(), killSession() (TMUX-03)",
      async () => {
        const s = "gt-test-session-a";
        await tmux.newSession(s);
        assert(await tmux.hasSession(s));
        assert((await tmux.listSessions()).includes(s));
        await tmux.killSession(s);
        assertEquals(await tmux.hasSession(s), false);
        await assertRejects(
          () => tmux.killSession(s),
          TmuxSessionNotFoundError,
        );
      },
    );

    await t.step(
      "newSession() on a taken name throws SessionExists (TMUX-04)",
      async () => {
        await tmux.newSession("gt-dup");
        await assertRejects(
          () => tmux.newSession("gt-dup"),
          TmuxSessionExistsError,
          "session already exists",
        );
        await tmux.killSession("gt-dup");
      },
    );

    await t.step(
      "exact targets never reach gt-deacon-boot for gt-deacon (TMUX-15)",
      async () => {
        await tmux.newSession("gt-deacon-boot");
        const before = await sid("gt-deacon-boot");
        assertEquals(await tmux.hasSession("gt-deacon"), false);
        await assertRejects(
          () => tmux.killSession("gt-deacon"),
          TmuxSessionNotFoundError,
        );
        await assertRejects(
          () => tmux.sendKeys("gt-deacon", "echo LEAKED_TEXT"),
          TmuxSessionNotFoundError,
        );
        await assertRejects(
          () => tmux.sendKeysRaw("gt-deacon", "C-c"),
          TmuxSessionNotFoundError,
        );
        await assertRejects(
          () => tmux.setEnvironment("gt-deacon", "LEAK", "1"),
          TmuxError,
        );
        await assertRejects(
          () => tmux.paneCommands("gt-deacon"),
          TmuxSessionNotFoundError,
        );
        await assertRejects(
          () => tmux.capturePane("gt-deacon", 10),
          TmuxSessionNotFoundError,
        );
        await assertRejects(
          () =>
            tmux.configureSessionAtOnce("gt-deacon", assignTheme("x"), {
              rig: "x",
              worker: "w",
              role: "polecat",
            }),
          TmuxError,
          "tmux set-option: ",
        );
        await assertRejects(
          () => tmux.setPaneDiedHook("gt-deacon", "run-shell true"),
          TmuxError,
        );
        assertEquals(await sid("gt-deacon-boot"), before);
        assertEquals(
          await srv.run(["show-environment", "-t", "=gt-deacon-boot", "LEAK"])
            .catch(() => "unset"),
          "unset",
        );
        assert(
          !(await tmux.capturePane("gt-deacon-boot", 50)).includes(
            "LEAKED_TEXT",
          ),
        );
        assertEquals(
          await srv.run([
            "show-options",
            "-t",
            "=gt-deacon-boot:",
            "-v",
            "status-style",
          ]),
          "",
        );
        await tmux.killSession("gt-deacon-boot");
      },
    );

    await t.step(
      "the stub agent shows as claude, a shell as bash (TMUX-17, TMUX-18)",
      async () => {
        await startAgent("gt-agent");
        assertEquals(await tmux.paneCommands("gt-agent"), ["claude"]);
        await tmux.newSession("gt-shell");
        assertEquals(await tmux.paneCommands("gt-shell"), ["bash"]);
        assert(!isAgentCommand("bash"));
        await assertRejects(
          () => tmux.paneCommands("gt-missing"),
          TmuxSessionNotFoundError,
        );
      },
    );

    await t.step(
      "sendKeys() and nudge() deliver exactly one line each (TMUX-19)",
      async () => {
        const pid = await agentPid("gt-agent");
        await tmux.sendKeys("gt-agent", "hello world");
        await tmux.sendKeys("gt-agent", "-x --literal 'q' $HOME");
        await tmux.nudge("gt-agent", HEALTH_CHECK);
        const lines = await pollFor("three input lines", async () => {
          const l = await stdinOf(pid);
          return l.length >= 3 ? l : null;
        });
        assertEquals(lines, [
          "hello world",
          "-x --literal 'q' $HOME",
          HEALTH_CHECK,
        ]);
      },
    );

    await t.step(
      "waitForAgent() fails at once when the session is gone",
      async () => {
        const started = performance.now();
        await assertRejects(
          () => tmux.waitForAgent("gt-missing", () => true, 30_000),
          TmuxSessionNotFoundError,
        );
        assert(performance.now() - started < 5_000);
      },
    );

    await t.step(
      "acceptBypassPermissions() sends Down then Enter only with the dialog (TMUX-22)",
      async () => {
        await Deno.writeTextFile(`${srv.fakeDir}/banner`, "");
        const pid = await startAgent("gt-banner");
        await Deno.remove(`${srv.fakeDir}/banner`);
        assertEquals(await tmux.acceptBypassPermissions("gt-banner"), true);
        assertEquals(
          await pollFor("the Down line", async () => {
            const l = await stdinOf(pid);
            return l.length > 0 ? l : null;
          }),
          ["\u001b[B"],
        );
        const quiet = await startAgent("gt-nobanner");
        assertEquals(await tmux.acceptBypassPermissions("gt-nobanner"), false);
        // A line typed afterwards arrives alone: no Down came before it.
        await tmux.sendKeys("gt-nobanner", "after");
        assertEquals(
          await pollFor("the typed line", async () => {
            const l = await stdinOf(quiet);
            return l.length > 0 ? l : null;
          }),
          ["after"],
        );
      },
    );

    await t.step(
      "configureSessionAtOnce() sets the options and bindings (TMUX-23)",
      async () => {
        const s = "gt-gastown-Toast";
        await tmux.newSession(s);
        await tmux.configureSessionAtOnce(s, assignTheme("gastown"), {
          rig: "gastown",
          worker: "Toast",
          role: "polecat",
        });
        const opt = (o: string) =>
          srv.run(["show-options", "-t", `=${s}:`, "-v", o]);
        assertEquals(await opt("status-style"), "bg=#0d5c63,fg=#e0e0e0");
        assertEquals(await opt("status-left-length"), "25");
        assertEquals(await opt("status-left"), "😺 gastown/Toast ");
        assertEquals(await opt("status-right-length"), "80");
        assertEquals(await opt("status-interval"), "5");
        assertEquals(
          await opt("status-right"),
          `#(gt status-line --session=${s} 2>/dev/null) %H:%M`,
        );
        const root = await srv.run([
          "list-keys",
          "-T",
          "root",
          "MouseDown1StatusRight",
        ]);
        assert(
          root.includes("display-popup") && root.includes("gt mail peek"),
          root,
        );
        const bindings: [string, string][] = [
          ["a", "gt feed --window"],
          ["n", "gt cycle next"],
          ["p", "gt cycle prev"],
        ];
        for (const [key, text] of bindings) {
          const k = await srv.run(["list-keys", "-T", "prefix", key]);
          assert(
            k.includes("if-shell -F") &&
              k.includes("#{m:gt-*,#{session_name}}") &&
              k.includes(text),
            k,
          );
        }
      },
    );

    await t.step(
      "setPaneDiedHook() installs the crash hook (TMUX-25)",
      async () => {
        const s = "gt-gastown-Toast";
        await tmux.setPaneDiedHook(s, crashHookCommand("gastown/Toast", s));
        const hooks = await srv.run(["show-hooks", "-w", "-t", `=${s}:`]);
        assert(
          hooks.includes(
            `run-shell "gt log crash --agent 'gastown/Toast' --session '${s}' --exit-code #{pane_dead_status}"`,
          ),
          hooks,
        );
      },
    );

    await t.step(
      "newSession() with remainOnExit keeps a fast-dying pane, dead, and the hook fires",
      async () => {
        await tmux.newSession("gt-dies", {
          command: "exit 7",
          remainOnExit: true,
        });
        await pollFor(
          "a dead pane in listPanes()",
          async () => (await tmux.listPanes()).get("gt-dies")?.[0]?.dead,
        );
        await tmux.newSession("gt-gone", { command: "exit 7" });
        await pollFor(
          "gt-gone to close",
          async () => !(await tmux.hasSession("gt-gone")),
        );
        // tmux 3.3a sometimes never records a dead pane's exit status
        // (pane_dead=1, pane_dead_status empty; about 1 in 7 here), and then
        // pane-died does not fire. So: up to 6 tries, at least one must fire.
        let fired = false;
        for (let i = 0; i < 6 && !fired; i++) {
          const name = `gt-crash${i}`;
          const died = `${srv.dir}/died${i}`;
          await tmux.newSession(name, {
            command: "exit 3",
            remainOnExit: true,
            paneDiedHook: `run-shell "echo #{pane_dead_status} > ${died}"`,
          });
          await pollFor(
            "a dead pane",
            async () => (await tmux.listPanes()).get(name)?.[0]?.dead,
          );
          const text = await pollFor(
            "the pane-died hook",
            // The shell creates the file before `echo` writes to it.
            () => Deno.readTextFile(died).then((t) => t || null, () => null),
            1_000,
          ).catch(() => null);
          if (text !== null) {
            assertEquals(text, "3\n");
            fired = true;
          }
        }
        assert(fired, "the pane-died hook never fired");
        await assertRejects(
          () => tmux.waitForAgent("gt-dies", () => true, 5_000),
          TmuxError,
          "Agent exited",
        );
      },
    );

    await t.step(
      "listPanes() lists every pane of every session in one call",
      async () => {
        const panes = await tmux.listPanes();
        const keep = panes.get("keepalive")?.[0];
        assert(keep !== undefined);
        assertEquals(keep.command, "bash");
        assertEquals(keep.dead, false);
        assert((keep.created ?? 0) > 1_600_000_000, "session_created");
        assert(
          keep.pid > 0 && /^%\d+$/.test(keep.paneId),
          JSON.stringify(keep),
        );
        assertEquals(panes.get("gt-agent")?.[0]?.command, "claude");
        // The server PID is the pane process's parent.
        const stat = await Deno.readTextFile(`/proc/${keep.pid}/stat`);
        const ppid = Number(
          stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1],
        );
        assertEquals(keep.serverPid, ppid);
        const comm = await Deno.readTextFile(`/proc/${ppid}/comm`);
        assert(comm.startsWith("tmux"), comm);
      },
    );

    await t.step(
      "newSession() dir and env reach the agent; a hostile startup line stays inert",
      async () => {
        const work = `${srv.dir}/work dir`;
        await Deno.mkdir(work);
        const s = "gt-env";
        await tmux.newSession(s, {
          dir: work,
          env: [["GT_ROLE", s], ["GT_RIG", "gastown"]],
        });
        const hostile = "x; touch pwned $(touch pwned) `touch pwned` 'q\" !x";
        await tmux.sendKeys(
          s,
          buildStartupCommand({
            env: { BD_ACTOR: hostile, GIT_AUTHOR_NAME: "Toast" },
            command: [STUB_AGENT, "--dangerously-skip-permissions"],
            prompt: hostile,
          }),
        );
        await tmux.waitForAgent(s, (c) => isAgentCommand(c), 10_000);
        const rec = (await readJsonLines(`${srv.fakeDir}/agents.jsonl`))
          .findLast((a) => (a.env as Record<string, unknown>).GT_ROLE === s);
        assert(rec !== undefined);
        assertEquals(rec.cwd, work);
        assertEquals(rec.argv, ["--dangerously-skip-permissions", hostile]);
        const env = rec.env as Record<string, unknown>;
        assertEquals([env.GT_RIG, env.BD_ACTOR, env.GIT_AUTHOR_NAME], [
          "gastown",
          hostile,
          "Toast",
        ]);
        assertEquals(
          await srv.run(["show-environment", "-t", `=${s}`, "GT_RIG"]),
          "GT_RIG=gastown",
        );
        const entries = [];
        for await (const e of Deno.readDir(work)) entries.push(e.name);
        assertEquals(entries, []);
      },
    );

    await t.step("setEnvironment() sets the session environment", async () => {
      await tmux.setEnvironment("gt-shell", "BD_ACTOR", "gastown/witness");
      assertEquals(
        await srv.run(["show-environment", "-t", "=gt-shell", "BD_ACTOR"]),
        "BD_ACTOR=gastown/witness",
      );
    });

    await t.step("the stub agent obeys agent-hang and agent-die", async () => {
      const pid = await startAgent("gt-switch");
      // The stand-in marks each check it makes while held.
      const heldChecks = async () =>
        (await Deno.readTextFile(`${srv.fakeDir}/agent-hang.${pid}`)
          .catch(() => "")).length;
      await Deno.writeTextFile(`${srv.fakeDir}/agent-hang`, "");
      await pollFor("the agent held", async () => (await heldChecks()) > 0);
      await tmux.sendKeys("gt-switch", "held back");
      const seen = await heldChecks();
      await pollFor(
        "two more checks while held",
        async () => (await heldChecks()) >= seen + 2,
      );
      assertEquals(await stdinOf(pid), []);
      await Deno.remove(`${srv.fakeDir}/agent-hang`);
      assertEquals(
        await pollFor("the held line", async () => {
          const l = await stdinOf(pid);
          return l.length > 0 ? l : null;
        }),
        ["held back"],
      );
      await Deno.writeTextFile(`${srv.fakeDir}/agent-die`, "5");
      try {
        await pollFor(
          "the agent to exit",
          async () => (await tmux.paneCommands("gt-switch"))[0] === "bash",
        );
      } finally {
        await Deno.remove(`${srv.fakeDir}/agent-die`);
      }
      await tmux.sendKeys("gt-switch", "echo status=$?");
      await pollFor(
        "the exit status on screen",
        async () =>
          (await tmux.capturePane("gt-switch", 20)).includes("status=5"),
      );
    });
  } finally {
    await srv.close();
  }
});
