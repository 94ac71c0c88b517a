import { assert, assertEquals } from "../helpers/assert.ts";
import { modelGoAvailability } from "../../scripts/bench/chaos_model.ts";
import { figureSpecs, renderFigures } from "../../scripts/bench/figures.ts";
import {
  type BenchResults,
  RESULTS_VERSION,
} from "../../scripts/bench/results.ts";
import { summarize } from "../../scripts/bench/stats.ts";
import { renderSideTable, sideRows } from "../../scripts/bench/vs_go_report.ts";
import {
  countByTool,
  parseCalls,
  readCalls,
  writeWrappers,
} from "../../scripts/bench/wrappers.ts";

Deno.test("a call-counting wrapper logs argv, timestamp and parent, then execs the real tool", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gtd-wrap-test-" });
  try {
    await writeWrappers(`${dir}/bin`, {
      bd: "/bin/echo",
      gt: "/bin/echo",
      tmux: "/bin/echo",
      git: "/bin/echo",
    });
    const log = `${dir}/calls.tsv`;
    const before = Date.now();
    const out = await new Deno.Command(`${dir}/bin/bd`, {
      args: ["list", "--json", "two\nlines"],
      env: { GT_BENCH_CALLS: log },
    }).output();
    assertEquals(
      new TextDecoder().decode(out.stdout),
      "list --json two\nlines\n",
    );
    const calls = await readCalls(log);
    assertEquals(calls.length, 1);
    const c = calls[0]!;
    assertEquals([c.tool, c.args, c.ppid], [
      "bd",
      "list --json two lines",
      Deno.pid,
    ]);
    assert(c.t >= before - 5 && c.t <= Date.now() + 5, `t ${c.t}`);
    // Without GT_BENCH_CALLS it only execs.
    await new Deno.Command(`${dir}/bin/gt`, {
      args: ["x"],
      env: { GT_BENCH_CALLS: "" },
    })
      .output();
    assertEquals((await readCalls(log)).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseCalls() skips partial lines and countByTool() lists every tool", () => {
  const calls = parseCalls(
    "1000\t1\t2\ttmux\tls\n2000\t1\t3\tbd\tlist\nbroken\n3000\t1",
  );
  assertEquals(calls.map((c) => c.tool), ["tmux", "bd"]);
  assertEquals(countByTool(calls), { bd: 1, gt: 0, tmux: 1, git: 0 });
});

Deno.test("modelGoAvailability() is 1 without faults and lower when killed agents stay down", () => {
  const agents = [
    { name: "a", kind: "polecat-unreachable" as const },
    { name: "b", kind: "witness" as const },
  ];
  const base = {
    agents,
    seconds: 60,
    meanGapMs: 5_000,
    intervalMs: 180_000,
    restartMs: [1_000],
    runs: 200,
    seed: 1,
  };
  const none = modelGoAvailability({
    ...base,
    mix: { agentKill: 0, sessionKill: 0, hang: 1 },
  });
  assertEquals(none.availability, 1);
  const kills = modelGoAvailability({
    ...base,
    mix: { agentKill: 1, sessionKill: 0, hang: 0 },
  });
  assert(kills.availability < 0.6, `availability ${kills.availability}`);
  assertEquals(kills.perSecond.length, 60);
  assert(
    kills.perSecond[59]! < kills.perSecond[0]!,
    "availability falls over the run",
  );
});

function sample(): BenchResults {
  const s = (xs: number[]) => summarize(xs);
  const side = {
    subprocesses: [60, 62],
    byTool: { bd: 14, gt: 1, tmux: 46, git: 0 },
    withDescendants: [89, 89],
    ms: s([4000]),
  };
  return {
    version: RESULTS_VERSION,
    startedAt: "",
    finishedAt: "",
    durationS: 1,
    command: "deno task bench --vs-go",
    options: {},
    machine: {
      nproc: 2,
      cpuModel: "cpu",
      memTotalMb: 1,
      kernel: "",
      deno: "2.9.1",
      tmux: "",
      node: "",
      loadAvg: "",
    },
    notes: [],
    vsGo: {
      tools: { bd: "/bd", gt: "/gt", bdVersion: "bd 0.44.0", gtVersion: "gt" },
      heartbeat: [{
        rigs: 1,
        polecatsPerRig: 1,
        agents: 5,
        go: side,
        ours: {
          ...side,
          subprocesses: [3, 3],
          withDescendants: [23, 23],
          ms: s([1000]),
        },
      }],
      restart: {
        rigs: 5,
        polecatsPerRig: 10,
        ours: {
          kills: 3,
          lost: 0,
          late: 0,
          samplesMs: [80, 90, 300],
          latencyMs: s([80, 90, 300]),
          pathCalls: { tmux: 3 },
          pathExamples: [],
        },
        go: {
          kills: 2,
          restarted: 2,
          fromHeartbeatMs: [1500, 2900],
          model: s([90_000]),
          agentKills: 1,
          agentKillsRestarted: 0,
        },
      },
      status: {
        runs: 1,
        goMs: s([20]),
        oursMs: s([100]),
        emptyMs: s([80]),
        nodeBuiltinsMs: s([90]),
        oursOverEmpty: 1.25,
        oursOverGo: 5,
      },
      idle: null,
      chaos: null,
      failed: ["idle: the 50 ms daemon exited"],
    },
  };
}

Deno.test("sideRows() puts both daemons, the ratio and the goals in one table", () => {
  const rows = sideRows(sample());
  const subs = rows.find((r) => r.measure.startsWith("1×1 subprocesses"));
  assertEquals([subs?.go, subs?.ours, subs?.ratio], [
    "61 (bd 14, gt 1, tmux 46)",
    "3 (bd 14, gt 1, tmux 46)",
    "0.049×",
  ]);
  const restart = rows.find((r) => r.measure.startsWith("crash → live"));
  assertEquals(restart?.ok, false);
  const status = rows.find((r) => r.measure.startsWith("status over"));
  assertEquals([status?.ours, status?.ok], ["1.25×", true]);
  const table = renderSideTable(sample());
  assert(table.includes("gt daemon (Go)"));
  assert(table.endsWith("failed: idle: the 50 ms daemon exited"), table);
  const skipped: BenchResults = { ...sample(), vsGoSkipped: "no gt" };
  delete skipped.vsGo;
  assertEquals(
    renderSideTable(skipped),
    "side by side with gt daemon: skipped: no gt",
  );
});

Deno.test("renderFigures() draws SVG from a results file alone", async () => {
  assertEquals(Object.keys(figureSpecs(sample())), ["restart-latency.svg"]);
  const dir = await Deno.makeTempDir({ prefix: "gtd-fig-test-" });
  try {
    const written = await renderFigures(sample(), dir);
    assertEquals(written, [`${dir}/restart-latency.svg`]);
    const svg = await Deno.readTextFile(written[0]!);
    assert(svg.startsWith("<svg"), svg.slice(0, 50));
    assert(svg.includes("gt-daemon: kill"), "legend names the series");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
