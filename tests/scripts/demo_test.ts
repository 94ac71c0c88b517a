import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "../helpers/assert.ts";
import { alive, REPO, waitFor } from "../helpers/cli.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { UsageError } from "../../src/errors.ts";
import { parseDemoArgs } from "../../scripts/demo.ts";
import { fitLine, visibleLength } from "../../scripts/demo/screen.ts";
import { victimOrder } from "../../scripts/demo/show.ts";
import { renderFrame } from "../../scripts/demo/table.ts";
import { DEFAULT_LAYOUT, layoutAgents } from "../../scripts/demo/town.ts";
import { exists } from "../helpers/files.ts";

const SCRIPT = join(REPO, "scripts/demo.ts");

/** What the demo printed about the things it started. */
interface Started {
  root: string;
  tmux: number;
  daemon: number;
}

function started(out: string): Partial<Started> {
  const found: Partial<Started> = {};
  const root = out.match(/^ {2}files +(\/\S+)$/m)?.[1];
  const tmux = out.match(/private server PID (\d+)/)?.[1];
  const daemon = out.match(/^ {2}daemon +PID (\d+)/m)?.[1];
  if (root) found.root = root;
  if (tmux) found.tmux = Number(tmux);
  if (daemon) found.daemon = Number(daemon);
  return found;
}

/** Every PID the demo printed (daemon, tmux server, agents). */
function printedPids(out: string): number[] {
  return [...out.matchAll(/PID (\d+)/g)].map((m) => Number(m[1]));
}

/** Ends whatever a failed run left behind, by PID, and removes its dir. */
async function sweep(out: string): Promise<void> {
  const s = started(out);
  for (const pid of printedPids(out)) {
    if (!alive(pid)) continue;
    const argv = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(
      () => "",
    );
    if (s.root && (argv.includes(s.root) || argv.includes("--agent-loop"))) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
  if (s.root?.includes("gtd-demo-")) {
    await Deno.remove(s.root, { recursive: true }).catch(() => {});
  }
}

async function assertAllGone(out: string): Promise<void> {
  const s = started(out);
  assert(s.root && s.tmux && s.daemon, `PIDs not printed:\n${out}`);
  assert(!exists(s.root), `${s.root} is still there`);
  const pids = printedPids(out);
  const gone = await waitFor(() => pids.every((p) => !alive(p)), 5_000);
  assert(gone, `still alive: ${pids.filter((p) => alive(p)).join(", ")}`);
}

Deno.test("demo --rounds 1 shows a killed agent coming back and leaves nothing running", async () => {
  assertEquals(Deno.env.get("TMUX"), undefined, "TMUX must not be set");
  const runner = createRunner();
  const r = await runner.run(
    [Deno.execPath(), "run", "-A", "--quiet", SCRIPT, "--rounds", "1"],
    { cwd: REPO, timeoutMs: 120_000 },
  );
  try {
    assertEquals(r.code, 0, `${r.stdout}\n${r.stderr}`);
    // Not a terminal: plain snapshots, no cursor movement.
    assert(!r.stdout.includes("\x1b["), "ANSI sequences without a terminal");
    const back = r.stdout.match(
      /alpha\/Toast is back after (\d+\.\d) s \(new agent PID (\d+)\)/,
    );
    assert(back, r.stdout);
    assertMatch(
      r.stdout,
      new RegExp(
        `alpha/Toast +gt-alpha-Toast +● running +1 +${
          back[1]!.replace(".", "\\.")
        } s\\n`,
      ),
    );
    assertMatch(r.stdout, /Killed the agent of alpha\/Toast \(PID \d+\)/);
    assertStringIncludes(
      r.stdout,
      "daemon: Successfully restarted crashed polecat alpha/Toast",
    );
    assertStringIncludes(
      r.stdout,
      "Done: 1 agent killed, every one brought back by the daemon",
    );
    const s = started(r.stdout);
    assertStringIncludes(r.stdout, `Stopped the daemon (PID ${s.daemon})`);
    assertStringIncludes(r.stdout, `Removed ${s.root}`);
    await assertAllGone(r.stdout);
  } finally {
    await sweep(r.stdout);
  }
});

Deno.test("demo cleans everything up when interrupted with SIGINT", async () => {
  assertEquals(Deno.env.get("TMUX"), undefined, "TMUX must not be set");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", SCRIPT],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let out = "";
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    const deadline = Date.now() + 60_000;
    while (!/^ {2}daemon +PID \d+/m.test(out) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert(started(out).daemon, `daemon never started:\n${out}`);
    child.kill("SIGINT");
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const status = await child.status;
    assertEquals(status.code, 130, `${out}\n${await stderr}`);
    assertStringIncludes(out, "Interrupted; cleaning up");
    await assertAllGone(out);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await child.status;
    await stderr;
    await sweep(out);
  }
});

Deno.test("demo helpers", async (t) => {
  await t.step("parseDemoArgs() reads rounds, keep and colour", () => {
    assertEquals(parseDemoArgs([]), {
      rounds: 2,
      keep: false,
      color: true,
      help: false,
    });
    assertEquals(parseDemoArgs(["--rounds", "3", "--keep", "--no-color"]), {
      rounds: 3,
      keep: true,
      color: false,
      help: false,
    });
    assertEquals(parseDemoArgs([], true).color, false);
    assertThrows(() => parseDemoArgs(["--rounds", "x"]), UsageError);
    assertThrows(() => parseDemoArgs(["--bogus"]), UsageError);
  });

  await t.step(
    "victimOrder() takes turns between polecats and rig agents across rigs",
    () => {
      const order = victimOrder(layoutAgents(DEFAULT_LAYOUT)).map((a) =>
        a.label
      );
      assertEquals(order.slice(0, 4), [
        "alpha/Toast",
        "beta/witness",
        "beta/Slit",
        "alpha/refinery",
      ]);
      assertEquals(order.length, 10);
      assert(!order.includes("deacon") && !order.includes("boot"));
    },
  );

  await t.step(
    "renderFrame() shows state, restarts and the time to come back",
    () => {
      const lines = renderFrame({
        rows: [
          {
            label: "alpha/Toast",
            session: "gt-alpha-Toast",
            running: true,
            restarts: 1,
            backMs: 812,
            downMs: null,
          },
          {
            label: "beta/Slit",
            session: "gt-beta-Slit",
            running: false,
            restarts: 0,
            backMs: null,
            downMs: 1500,
          },
        ],
        events: ["one", "two", "three", "four"],
        status: "Waiting",
      }, { color: false, live: true, maxLines: 9 });
      assertEquals(lines, [
        "  AGENT        SESSION         STATE      RESTARTS  BACK AFTER",
        "  alpha/Toast  gt-alpha-Toast  ● running         1  0.8 s",
        "  beta/Slit    gt-beta-Slit    ○ down            0  … 1.5 s",
        "",
        "  … 2 earlier lines",
        "  three",
        "  four",
        "",
        "  Waiting",
      ]);
    },
  );

  await t.step(
    "fitLine() cuts to the visible width and keeps ANSI sequences whole",
    () => {
      const line = "\x1b[32m● running\x1b[0m and more text";
      const cut = fitLine(line, 10);
      assertEquals(visibleLength(cut), 10);
      assert(cut.startsWith("\x1b[32m● running"), JSON.stringify(cut));
      assertEquals(fitLine("short", 10), "short");
    },
  );
});
