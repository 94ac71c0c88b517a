import { assert, assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  referenceCount,
  referenceReplay,
} from "../../scripts/bench/formula.ts";
import { parseBenchArgs, parseSizes } from "../../scripts/bench/options.ts";
import {
  fmtMs,
  formatTable,
  renderReport,
  resultRows,
} from "../../scripts/bench/report.ts";
import {
  type BenchResults,
  checkResultsShape,
  RESULTS_VERSION,
} from "../../scripts/bench/results.ts";
import {
  heartbeatOnlyModel,
  lostEventModel,
  percentile,
  slope,
  summarize,
} from "../../scripts/bench/stats.ts";

Deno.test("percentile() uses the nearest rank", async (t) => {
  await t.step("p50 of 1..10 is 5 and p99 of 50 values is the largest", () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    assertEquals(percentile(ten, 50), 5);
    assertEquals(percentile(ten, 95), 10);
    const fifty = Array.from({ length: 50 }, (_, i) => i + 1);
    assertEquals(percentile(fifty, 99), 50);
    assertEquals(percentile(fifty, 95), 48);
  });
  await t.step("an empty sample gives NaN and a bad p throws", () => {
    assert(Number.isNaN(percentile([], 50)));
    assertThrows(() => percentile([1], 0));
    assertThrows(() => percentile([1], 101));
  });
});

Deno.test("summarize() and slope() describe a sample", () => {
  const s = summarize([3, 1, 2]);
  assertEquals([s.n, s.min, s.p50, s.max, s.mean], [3, 1, 2, 3, 2]);
  assertEquals(slope([0, 1, 2, 3], [5, 7, 9, 11]), 2);
  assertEquals(slope([1], [1]), 0);
});

Deno.test("heartbeatOnlyModel() adds a uniform wait over the cycle to the restart time", () => {
  const m = heartbeatOnlyModel(10_000, [500], { draws: 20_000, seed: 3 });
  assert(m.min >= 500 && m.max <= 10_500, JSON.stringify(m));
  assert(Math.abs(m.p50 - 5_500) < 200, `p50 ${m.p50}`);
  assert(Math.abs(m.p99 - 10_400) < 200, `p99 ${m.p99}`);
});

Deno.test("lostEventModel() is the delivered latency when nothing is lost and grows with losses", () => {
  const none = lostEventModel([100, 200], 0, 180_000, { draws: 5_000 });
  assertEquals([none.min, none.max], [100, 200]);
  const some = lostEventModel([100], 0.1, 180_000, { draws: 20_000 });
  assertEquals(some.p50, 100);
  assert(some.p99 > 100_000, `p99 ${some.p99}`);
});

Deno.test("referenceCount() follows spec §4 for a steady town", async (t) => {
  await t.step("18 + 5R + P when Boot is respawned every heartbeat", () => {
    assertEquals(referenceCount(1, 1).total, 24);
    assertEquals(referenceCount(5, 50).total, 93);
    assertEquals(referenceCount(20, 200).total, 318);
    assertEquals(referenceCount(5, 50).formula, "18 + 5R + P");
  });
  await t.step("10 + 5R + P with a fresh Boot marker", () => {
    const c = referenceCount(5, 50, { bootMarkerFresh: true });
    assertEquals([c.total, c.formula], [85, "10 + 5R + P"]);
  });
  await t.step("the replay issues exactly that many calls", () => {
    const polecats = new Map([["a", ["p1", "p2"]], ["b", ["p3"]]]);
    const calls = referenceReplay({
      town: "/t",
      rigs: ["a", "b"],
      polecats,
      bootSession: "x",
    });
    assertEquals(calls.length, referenceCount(2, 3).total);
    const bd = calls.filter((c) => c.argv[0] === "bd").length;
    assertEquals(bd, 9 + 5 * 2);
    assertEquals(
      calls.filter((c) => c.argv[1] === "has-session").length,
      1 + 3,
    );
  });
});

Deno.test("formatTable() pads columns under a rule", () => {
  const text = formatTable(["a", "bb"], [["xxx", "y"], ["z", ""]]);
  assertEquals(text.split("\n"), ["a    bb", "---  --", "xxx  y", "z"]);
  assertEquals(fmtMs(5.25), "5.3 ms");
  assertEquals(fmtMs(850), "850 ms");
  assertEquals(fmtMs(1240), "1.24 s");
  assertEquals(fmtMs(180_000), "3.0 min");
});

function sample(): BenchResults {
  const s = summarize([400, 500, 600]);
  return {
    version: RESULTS_VERSION,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
    durationS: 60,
    command: "deno task bench --quick",
    options: {},
    machine: {
      nproc: 2,
      cpuModel: "cpu",
      memTotalMb: 1000,
      kernel: "Linux",
      deno: "2.9.1",
      tmux: "tmux 3.3a",
      node: "v22",
      loadAvg: "0 0 0",
    },
    heartbeat: [{
      rigs: 5,
      polecatsPerRig: 10,
      agents: 62,
      steady: {
        runs: 2,
        subprocesses: [3, 3],
        byProgram: { tmux: 1, bd: 1, gt: 1 },
        ms: s,
      },
      reference: { ...referenceCount(5, 50) },
      replay: null,
    }],
    status: {
      runs: 3,
      statusMs: summarize([300]),
      emptyMs: summarize([200]),
      ratioMedian: 1.6,
      ratioP95: 1.6,
    },
    notes: ["a note"],
  };
}

Deno.test("resultRows() states each goal and whether it was met", () => {
  const rows = resultRows(sample());
  const subs = rows.find((r) => r.metric.startsWith("subprocesses"));
  assertEquals(subs?.value, "3");
  assertEquals(subs?.ok, true);
  const ratio = rows.find((r) => r.metric.startsWith("ratio"));
  assertEquals([ratio?.goal, ratio?.ok], ["≤ 1.5×", false]);
  const text = renderReport(sample());
  assert(text.includes("note: a note"), text);
  assert(text.includes("heartbeat 5×10"), text);
});

Deno.test("checkResultsShape() accepts a results file and names what is missing", () => {
  assertEquals(checkResultsShape(JSON.parse(JSON.stringify(sample()))), []);
  const broken = { ...sample() } as Partial<BenchResults>;
  delete broken.machine;
  assertEquals(checkResultsShape(broken), ['missing "machine"']);
  assertEquals(checkResultsShape(null), ["not an object"]);
});

Deno.test("parseBenchArgs() gives the full defaults, the quick ones, and rejects bad values", () => {
  const full = parseBenchArgs([]);
  assert(full !== "help");
  assertEquals(full.kills, 50);
  assertEquals(full.idleTicks, 10_000);
  assertEquals(full.sizes.length, 3);
  assertEquals(full.only, [
    "heartbeat",
    "recovery",
    "status",
    "idle",
    "chaos",
    "vs-go",
  ]);
  const vsGo = parseBenchArgs(["--vs-go", "--vs-go-parts", "status,heartbeat"]);
  assert(vsGo !== "help");
  assertEquals(vsGo.only, ["vs-go"]);
  assertEquals(vsGo.vsGoParts, ["heartbeat", "status"]);
  assertEquals(vsGo.vsGoIdleSeconds, 600);
  assertThrows(() => parseBenchArgs(["--vs-go-parts", "nope"]));
  const quick = parseBenchArgs(["--quick", "--only", "chaos,idle"]);
  assert(quick !== "help");
  assertEquals(quick.only, ["idle", "chaos"]);
  assert(quick.idleTicks < 10_000 && quick.chaosSeconds < 180);
  assertEquals(parseBenchArgs(["--help"]), "help");
  assertThrows(() => parseBenchArgs(["--only", "nope"]));
  assertThrows(() => parseBenchArgs(["--kills", "x"]));
  assertThrows(() => parseBenchArgs(["--short-interval", "soon"]));
  assertEquals(parseSizes("1x1, 20×10"), [
    { rigs: 1, polecatsPerRig: 1 },
    { rigs: 20, polecatsPerRig: 10 },
  ]);
  assertThrows(() => parseSizes("5by10"));
});
