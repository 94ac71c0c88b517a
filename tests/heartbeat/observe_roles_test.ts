import { assertEquals } from "../helpers/assert.ts";
import { readRoleConfigs } from "../../src/heartbeat/observe_roles.ts";
import type { RoleConfig } from "../../src/town/bead_text.ts";
import { mail, NOW } from "./snap.ts";

const CONFIG: RoleConfig = {
  sessionPattern: "",
  workDirPattern: "",
  needsPreSync: false,
  startCommand: "",
  envVars: {},
};

Deno.test("readRoleConfigs() reads one config per role that sent a lifecycle request, and none without requests", async () => {
  const asked: string[] = [];
  const beads = {
    getRoleConfig(role: string) {
      asked.push(role);
      if (role === "crew") return Promise.reject(new Error("bd: timeout"));
      return Promise.resolve(role === "witness" ? CONFIG : null);
    },
  };
  const problems: string[] = [];
  const configs = await readRoleConfigs(
    [
      mail("a", "gastown/witness"),
      mail("b", "beta/witness"),
      mail("c", "gastown/refinery"),
      mail("d", "gastown/crew/max"),
      mail("e", "deacon", { read: true }),
      mail("f", "mayor/", { subject: "hello" }),
      mail("g", "stranger"),
    ],
    beads,
    NOW,
    problems,
  );
  assertEquals(asked.sort(), ["crew", "refinery", "witness"]);
  assertEquals([...configs.entries()].sort(), [
    ["crew", null],
    ["refinery", null],
    ["witness", CONFIG],
  ]);
  assertEquals(problems, [
    "failed to get role config for gt-crew-role: bd: timeout",
  ]);
  asked.length = 0;
  assertEquals((await readRoleConfigs([], beads, NOW, problems)).size, 0);
  assertEquals((await readRoleConfigs(null, beads, NOW, problems)).size, 0);
  assertEquals(asked, []);
});
