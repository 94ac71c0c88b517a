import { assertEquals } from "../helpers/assert.ts";
import { realFs } from "../../src/adapters/fs.ts";
import type { Beads } from "../../src/adapters/beads.ts";
import {
  beadDatabases,
  listAllAgents,
  parseRouteLines,
  polecatBeadsToShow,
  showColumns,
} from "../../src/heartbeat/observe_beads.ts";
import type { AgentBead } from "../../src/heartbeat/types.ts";
import { agent, MIN, NOW } from "./snap.ts";

Deno.test("beadDatabases() finds the town's and each rig's database the way gt lays them out", async (t) => {
  const town = await Deno.makeTempDir({ prefix: "gtd-dbs-" });
  try {
    for (
      const d of [
        ".beads",
        "plain/.beads",
        "tracked/.beads",
        "tracked/mayor/rig/.beads",
        "routed/deep/.beads",
        "gone",
      ]
    ) {
      await Deno.mkdir(`${town}/${d}`, { recursive: true });
    }
    await t.step(
      "routes first (town-relative, safe paths, listed rigs), then the layout",
      async () => {
        const routes = parseRouteLines(
          [
            '{"prefix":"hq-","path":"."}',
            '{"prefix":"rd-","path":"routed/deep"}',
            '{"prefix":"ev-","path":"../evil"}',
            '{"prefix":"un-","path":"unlisted"}',
            "# a comment",
            "not json",
          ].join("\n"),
        );
        assertEquals(routes.length, 4);
        const dbs = await beadDatabases(town, {
          rigs: ["plain", "tracked", "routed", "gone"],
          routes,
          fs: realFs,
        });
        assertEquals(
          dbs,
          [
            `${town}/.beads`,
            `${town}/routed/deep/.beads`,
            `${town}/plain/.beads`,
            // A rig whose source repository tracks .beads: mayor/rig/.beads.
            `${town}/tracked/mayor/rig/.beads`,
          ],
        );
      },
    );
  } finally {
    await Deno.remove(town, { recursive: true });
  }
});

function fakeBeads(
  byDb: Record<string, AgentBead[] | Error>,
): Pick<Beads, "listAgents"> {
  return {
    listAgents: (db?: string) => {
      const got = byDb[db ?? ""];
      if (got === undefined) return Promise.resolve([]);
      return got instanceof Error ? Promise.reject(got) : Promise.resolve(got);
    },
  };
}

Deno.test("listAllAgents() merges every database, town first, and reports a failed one", async () => {
  const polecat = { ...agent("ap-alpha-polecat-toast"), db: "/t/alpha/.beads" };
  const read = await listAllAgents(
    ["/t/.beads", "/t/alpha/.beads", "/t/beta/.beads"],
    fakeBeads({
      "/t/.beads": [{ ...agent("hq-deacon"), db: "/t/.beads" }],
      "/t/alpha/.beads": [polecat, {
        ...agent("hq-deacon"),
        db: "/t/alpha/.beads",
      }],
      "/t/beta/.beads": new Error("Command timed out"),
    }),
  );
  assertEquals([...read.beads?.keys() ?? []], [
    "hq-deacon",
    "ap-alpha-polecat-toast",
  ]);
  assertEquals(read.beads?.get("hq-deacon")?.db, "/t/.beads");
  assertEquals(read.error, "bd: /t/beta/.beads: Command timed out");
  const none = await listAllAgents(
    ["/t/.beads"],
    fakeBeads({ "/t/.beads": new Error("x") }),
  );
  assertEquals([none.beads, none.error], [null, "bd: /t/.beads: x"]);
});

Deno.test("polecatBeadsToShow() picks listed polecat beads whose session is down or that sat idle past the GUPP timeout", async (t) => {
  const listed = (id: string, agoMs = 0) => agent(id, { agoMs });
  const beads = new Map<string, AgentBead>(
    [
      listed("ap-alpha-polecat-up"),
      listed("ap-alpha-polecat-down"),
      listed("ap-alpha-polecat-idle", 31 * MIN),
      listed("hq-deacon"),
      { ...listed("ap-alpha-polecat-shown"), agentState: "working" },
    ].map((b) => [b.id, b]),
  );
  const scope = {
    beads,
    sessions: new Map([["gt-alpha-up", []], ["gt-alpha-idle", []]]),
    healthy: (s: string) => s === "gt-alpha-up" || s === "gt-alpha-idle",
    polecatOf: (id: string) => {
      const m = /^ap-alpha-polecat-(.+)$/.exec(id);
      return m ? { rig: "alpha", name: m[1] as string } : null;
    },
    now: NOW,
    idleMs: 30 * MIN,
  };
  await t.step("down and idle polecats only", () => {
    assertEquals(polecatBeadsToShow(scope).map((b) => b.id), [
      "ap-alpha-polecat-down",
      "ap-alpha-polecat-idle",
    ]);
  });
  await t.step("tmux unreadable: only idle ones", () => {
    assertEquals(
      polecatBeadsToShow({ ...scope, sessions: null }).map((b) => b.id),
      ["ap-alpha-polecat-idle"],
    );
  });
  await t.step(
    "showColumns() replaces them from their own database; a failure keeps the listed form",
    async () => {
      const asked: [string, string | undefined][] = [];
      const map = new Map(beads);
      const down = {
        ...listed("ap-alpha-polecat-down"),
        db: "/t/alpha/.beads",
      };
      map.set(down.id, down);
      const problems = await showColumns(map, [
        down,
        listed("ap-alpha-polecat-idle"),
      ], {
        show: (id: string, db?: string) => {
          asked.push([id, db]);
          if (id.endsWith("idle")) return Promise.reject(new Error("boom"));
          return Promise.resolve({
            ...down,
            hookBead: "ap-w1",
            agentState: "working",
          });
        },
      });
      assertEquals(asked, [["ap-alpha-polecat-down", "/t/alpha/.beads"], [
        "ap-alpha-polecat-idle",
        undefined,
      ]]);
      assertEquals(map.get("ap-alpha-polecat-down")?.hookBead, "ap-w1");
      assertEquals(map.get("ap-alpha-polecat-idle")?.hookBead, "");
      assertEquals(problems, [
        'Cannot show bead "ap-alpha-polecat-idle": boom',
      ]);
    },
  );
});
