/**
 * Text that reaches tmux arguments: an argument ending in `;` (a command
 * separator to tmux), a `#` in a directory (tmux format-expands
 * `new-session -c`), and session names that the server-wide key bindings
 * used to paste into shell commands. Each attack would kill the server,
 * lose text or create a canary file; on a private tmux server none does.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { Tmux } from "../../src/adapters/tmux.ts";
import { Harness, rigBeads } from "../helpers/harness.ts";
import {
  pollFor,
  readJsonLines,
  startPrivateTmux,
} from "../helpers/tmux_server.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("tmux arguments ending in ';' stay one argument and run no tmux command", async () => {
  const srv = await startPrivateTmux();
  try {
    const tmux = new Tmux(createRunner(), { env: srv.env });
    // A role bead's environment value ending in ";" used to end
    // `new-session`; its start command then ran as a tmux command.
    await tmux.newSession("gt-a-witness", {
      env: [["X", "v;"]],
      command: "kill-server",
    }).catch(() => {});
    assert(
      (await srv.run(["list-sessions", "-F", "#{session_name}"])).includes(
        "keepalive",
      ),
      "the tmux server was killed",
    );
    await tmux.newSession("gt-a-refinery", {
      env: [["X", "v;"], ["Y", "a\\;"]],
      // Written aside and renamed, so the file is never seen half written.
      command:
        `printf '%s|%s' "$X" "$Y" > '${srv.dir}/env.tmp'; mv '${srv.dir}/env.tmp' '${srv.dir}/env'; sleep 30;`,
    });
    const env = await pollFor(
      "the environment file",
      () => Deno.readTextFile(`${srv.dir}/env`).catch(() => null),
      5_000,
    );
    assertEquals(env, "v;|a\\;");
    // Typed text keeps its final ";".
    await tmux.newSession("gt-a-typed", { command: "cat" });
    await tmux.sendKeys("gt-a-typed", "echo hi;", 0);
    const screen = await pollFor("the typed text", async () => {
      const s = await tmux.capturePane("gt-a-typed", 5);
      return s.includes("echo hi;") ? s : null;
    }, 5_000);
    assert(screen?.includes("echo hi;"), `typed text lost: ${screen}`);
    // A lone ";" from input is text too.
    await tmux.setEnvironment("gt-a-typed", "SEMI", ";");
    assertEquals(
      await srv.run(["show-environment", "-t", "=gt-a-typed", "SEMI"]),
      "SEMI=;",
    );
  } finally {
    await srv.close();
  }
});

Deno.test("a '#' in a work directory reaches tmux literally and runs nothing", async () => {
  const srv = await startPrivateTmux();
  try {
    const tmux = new Tmux(createRunner(), { env: srv.env });
    // `$GT_FAKE_DIR` is set in the server's environment: no "/" needed.
    const canary = `${srv.fakeDir}.CANARY`;
    const dir = `${srv.dir}/town#(touch $GT_FAKE_DIR.CANARY)#{pid}`;
    await Deno.mkdir(dir);
    await tmux.newSession("gt-mayor", { dir, command: "sleep 30" });
    const path = await srv.run([
      "display-message",
      "-p",
      "-t",
      "=gt-mayor:",
      "#{pane_current_path}",
    ]);
    assertEquals(path, dir);
    assert(!(await exists(canary)), "a command in the directory name ran");
  } finally {
    await srv.close();
  }
});

Deno.test("the Gas Town key bindings never paste a session name into a shell", async () => {
  const srv = await startPrivateTmux();
  let client: Deno.ChildProcess | null = null;
  try {
    const tmux = new Tmux(createRunner(), { env: srv.env });
    const canary = `${srv.dir}/canary`;
    await tmux.newSession("gt-mayor", { command: "sleep 60" });
    await tmux.configureSessionAtOnce(
      "gt-mayor",
      { bg: "#000000", fg: "#ffffff" },
      { rig: "", worker: "Mayor", role: "coordinator" },
    );
    // Any user of the server can name a session; the bindings apply in it.
    const hostile = `gt-x';touch ${canary};'$(touch ${canary})`;
    await tmux.newSession(hostile, { command: "sleep 60" });
    // A real client in a pseudo-terminal presses C-b n in that session.
    client = new Deno.Command("script", {
      args: ["-qfc", 'exec tmux attach-session -t "=$TARGET"', "/dev/null"],
      env: { ...srv.env, TARGET: hostile, TERM: "xterm" },
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await pollFor("the client", async () => {
      const c = await srv.run(["list-clients", "-F", "#{client_session}"]);
      return c.includes(hostile) ? true : null;
    }, 10_000);
    const w = client.stdin.getWriter();
    await w.write(new Uint8Array([0x02, 0x6e])); // C-b n
    const call = await pollFor("the key binding", async () => {
      if (await exists(canary)) return "canary";
      const calls = await readJsonLines(`${srv.fakeDir}/calls.jsonl`);
      return calls.find((c) => (c.argv as string[])[0] === "cycle") ?? null;
    }, 10_000);
    assert(!(await exists(canary)), "a session name ran as shell code");
    assertEquals((call as { argv: string[] }).argv, [
      "cycle",
      "next",
      "--session",
      hostile,
    ]);
    await w.close().catch(() => {});
  } finally {
    if (client) {
      try {
        client.kill("SIGKILL");
      } catch {
        // exited with the server
      }
      await client.status;
    }
    await srv.close();
  }
});

Deno.test("a town whose path holds '#(…)' starts its agents inside the town and runs nothing", async () => {
  const h = await Harness.create({
    rigs: ["alpha"],
    quiet: false,
    name: "town#(touch $GT_FAKE_DIR.CANARY)#{pid}",
  });
  try {
    await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
    await Deno.mkdir(`${h.town}/alpha/refinery/rig`, { recursive: true });
    await h.setBeads(rigBeads("alpha"));
    await h.heartbeat();
    const s = await h.sessions();
    const want: [string, string][] = [
      ["gt-deacon", `${h.town}/deacon`],
      ["gt-boot", `${h.town}/deacon/dogs/boot`],
      ["gt-alpha-witness", `${h.town}/alpha/witness`],
      ["gt-alpha-refinery", `${h.town}/alpha/refinery/rig`],
    ];
    for (const [name, dir] of want) {
      assertEquals(s.get(name)?.path, dir, name);
      assertEquals(await h.option(name, "@gt_town"), h.town);
    }
    assert(!(await exists(`${h.fake}.CANARY`)), "a command in the path ran");
  } finally {
    await h.close();
  }
});
