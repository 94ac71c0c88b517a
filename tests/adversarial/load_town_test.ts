/**
 * A town of 200 polecats in 20 rigs (240 stub agents on one private tmux
 * server): a heartbeat with every agent healthy runs one `bd list` per beads
 * database (the town's and each rig's), one `tmux list-panes` and one
 * `gt mail inbox`, and touches nothing; agents whose sessions all vanished come back in one
 * heartbeat without an error.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { FIXTURE_BIN, runCli, waitFor } from "../helpers/cli.ts";
import { bead, Harness } from "../helpers/harness.ts";
import { count, linesWith, tmuxCalls, tmuxWrapper } from "./support.ts";

const RIGS = 20;
const POLECATS = 10;
/**
 * Rigs whose agents all go missing at once. Agents are restarted one after
 * another, each with several tmux calls, so restarting all 240 takes minutes
 * on a small machine: by default one rig (12 agents) goes missing; set
 * `GT_ADV_FULL_TOWN=1` to take the whole town down.
 */
const MISSING_RIGS = Deno.env.get("GT_ADV_FULL_TOWN") === "1" ? RIGS : 1;

/** Starts many stub agents, a batch of sessions per tmux call. */
async function startAgents(
  h: Harness,
  specs: { name: string; dir: string }[],
): Promise<void> {
  for (let i = 0; i < specs.length; i += 40) {
    const args: string[] = [];
    for (const s of specs.slice(i, i + 40)) {
      if (args.length > 0) args.push(";");
      args.push(
        "new-session",
        "-d",
        "-s",
        s.name,
        "-c",
        s.dir,
        `exec ${FIXTURE_BIN}/claude`,
      );
    }
    await h.tmux(args);
  }
}

Deno.test("200 polecats in 20 rigs: a healthy heartbeat takes one bd list per database; agents whose sessions are all gone come back", async (t) => {
  const rigs = Array.from(
    { length: RIGS },
    (_, i) => `r${String(i).padStart(2, "0")}`,
  );
  const h = await Harness.create({ rigs });
  try {
    const town = h.town;
    const wrap = await tmuxWrapper(h.t.root);
    const env = { PATH: `${wrap}:${h.env.PATH}` };
    const specs: { name: string; dir: string }[] = [];
    const beads: Record<string, unknown>[] = [];
    for (const rig of rigs) {
      await Deno.mkdir(`${town}/${rig}/witness`, { recursive: true });
      await Deno.mkdir(`${town}/${rig}/refinery/rig`, { recursive: true });
      specs.push(
        { name: `gt-${rig}-witness`, dir: `${town}/${rig}/witness` },
        { name: `gt-${rig}-refinery`, dir: `${town}/${rig}/refinery/rig` },
      );
      beads.push(
        bead({
          id: `gt-${rig}-witness`,
          role: "witness",
          rig,
          state: "running",
        }),
        bead({
          id: `gt-${rig}-refinery`,
          role: "refinery",
          rig,
          state: "running",
        }),
      );
      for (let p = 0; p < POLECATS; p++) {
        const name = `p${p}`;
        const dir = `${town}/${rig}/polecats/${name}`;
        await Deno.mkdir(dir, { recursive: true });
        specs.push({ name: `gt-${rig}-${name}`, dir });
        beads.push(
          bead({
            id: `gt-${rig}-polecat-${name}`,
            role: "polecat",
            rig,
            state: "working",
            hook: `gt-work-${rig}-${name}`,
          }),
        );
      }
    }
    await h.setBeads(beads);
    const allUp = async () => {
      const s = await h.sessions();
      return specs.every((x) => s.get(x.name)?.commands.includes("claude"));
    };

    await t.step(
      "all 240 healthy: nothing to do, 2 + 21 subprocesses (one bd list per database)",
      async () => {
        await startAgents(h, specs);
        assert(await waitFor(allUp, 30_000), "stub agents did not start");
        const before = await h.sessions();
        const started = performance.now();
        const r = await h.cli(["heartbeat", "--once"], env);
        const ms = performance.now() - started;
        assertEquals(r.code, 0, r.stderr);
        const log = await h.log();
        assertEquals(linesWith(log, "Error"), []);
        assertEquals(linesWith(log, "starting..."), []);
        const calls = (await h.calls()).filter((c) => c.prog !== "git");
        assertEquals(
          [
            ...(await tmuxCalls(h)),
            ...calls.map((c) => `${c.prog} ${(c.argv as string[])[0]}`),
          ].sort(),
          // One bd list per beads database: the town's and each rig's.
          [
            ...Array.from({ length: 1 + RIGS }, () => "bd list"),
            "gt mail",
            "list-panes-a",
          ],
        );
        assert(ms < 15_000, `healthy heartbeat took ${ms} ms`);
        const after = await h.sessions();
        for (const s of specs) {
          assertEquals(after.get(s.name)?.id, before.get(s.name)?.id, s.name);
        }
      },
    );

    await t.step(
      `every session of ${MISSING_RIGS} rigs gone: all restarted in one heartbeat, without an error`,
      async () => {
        const gone = specs.filter((s) =>
          rigs.slice(0, MISSING_RIGS).some((r) => s.name.startsWith(`gt-${r}-`))
        );
        for (let i = 0; i < gone.length; i += 60) {
          const args: string[] = [];
          for (const s of gone.slice(i, i + 60)) {
            if (args.length > 0) args.push(";");
            args.push("kill-session", "-t", `=${s.name}`);
          }
          await h.tmux(args);
        }
        const left = await h.sessions();
        assertEquals(left.size, specs.length - gone.length + 1);
        await Deno.remove(`${h.fake}/tmux_calls.log`);
        const skip = (await h.log()).length;
        const started = performance.now();
        const r = await runCli(["heartbeat", "--once"], {
          cwd: town,
          env: { ...h.env, ...env },
          timeoutMs: 900_000,
        });
        const ms = performance.now() - started;
        assertEquals(r.code, 0, r.stderr);
        const log = (await h.log()).slice(skip);
        assertEquals(linesWith(log, "Error"), [], log);
        assertEquals(linesWith(log, "Warning"), [], log);
        assertEquals(
          count(log, "Successfully restarted crashed polecat"),
          MISSING_RIGS * POLECATS,
        );
        assertEquals(count(log, "started successfully"), 2 * MISSING_RIGS);
        assert(await waitFor(allUp, 30_000), "not every agent is back");
        // The agents that stayed up were not touched.
        const now = await h.sessions();
        for (const s of specs.filter((x) => !gone.includes(x))) {
          assertEquals(now.get(s.name)?.id, left.get(s.name)?.id, s.name);
        }
        const calls = (await tmuxCalls(h)).length;
        console.log(
          `${gone.length} agents restarted in ${
            Math.round(ms)
          } ms with ${calls} tmux calls (${
            (calls / gone.length).toFixed(1)
          } per agent)`,
        );
        assert(calls / gone.length < 40, `${calls} tmux calls`);
      },
    );
  } finally {
    await h.close();
  }
});
