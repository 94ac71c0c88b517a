/**
 * Lifecycle requests leave decide fully resolved: the spec to start (with
 * the role bead's config, as observed), or the refusal and where it is
 * mailed. No lookups are left for `act`.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import {
  decideLifecycle,
  resolveLifecycle,
} from "../../src/heartbeat/decide/lifecycle.ts";
import type { RoleConfig } from "../../src/town/bead_text.ts";
import { ctx, mail, snap } from "./snap.ts";

const CONFIG: RoleConfig = {
  sessionPattern: "",
  workDirPattern: "{town}/{rig}/witness/work",
  needsPreSync: true,
  startCommand: "",
  envVars: { EXTRA: "{rig}-x", "bad name": "1" },
};

Deno.test("resolveLifecycle() refuses unknown senders, replying only to mail addresses", () => {
  const s = snap({ rigs: ["gastown"] });
  assertEquals(resolveLifecycle(s, "stranger", null), {
    refused: "unknown agent identity: stranger",
    replyTo: "stranger",
  });
  assertEquals(resolveLifecycle(s, "../etc/passwd", null), {
    refused: "unknown agent identity: ../etc/passwd",
    replyTo: null,
  });
  assertEquals(
    resolveLifecycle(s, "gastown/witness", "rig is not this town's"),
    { refused: "rig is not this town's", replyTo: "gastown/witness" },
  );
});

Deno.test("resolveLifecycle() builds the spec from the observed role config and keeps its warnings for act", () => {
  const town = "/t";
  const s = snap({
    town,
    rigs: ["gastown"],
    roleConfigs: new Map([["witness", CONFIG]]),
  });
  const plan = resolveLifecycle(s, "gastown/witness", null);
  assert("spec" in plan, JSON.stringify(plan));
  assertEquals(plan.replyTo, "gastown/witness");
  assertEquals(plan.spec.session, "gt-gastown-witness");
  assertEquals(plan.spec.workDir, "/t/gastown/witness/work");
  assertEquals(plan.spec.preSync, true);
  assertEquals(
    plan.spec.env.find(([k]) => k === "EXTRA"),
    ["EXTRA", "gastown-x"],
  );
  assertEquals(plan.warnings, [
    'Warning: role bead gt-witness-role: ignoring env_var "bad name": not a variable name',
  ]);
  // Without a config bead: the role's defaults.
  const plain = resolveLifecycle(
    snap({ town, rigs: ["gastown"] }),
    "gastown/witness",
    null,
  );
  assert("spec" in plain);
  assertEquals(plain.spec.workDir, "/t/gastown/witness");
  assertEquals(plain.spec.preSync, false);
  assertEquals(plain.warnings, []);
});

Deno.test("decideLifecycle() emits a fully resolved lifecycle action", () => {
  const s = snap({
    town: "/t",
    rigs: ["gastown"],
    mail: [mail("hq-1", "gastown/witness"), mail("hq-2", "stranger")],
  });
  const actions = decideLifecycle(s, ctx());
  const runs = actions.filter((a) => a.kind === "lifecycle");
  assertEquals(runs.length, 2);
  const [own, stranger] = runs;
  assert(own?.kind === "lifecycle" && stranger?.kind === "lifecycle");
  assertEquals(own.spec?.session, "gt-gastown-witness");
  assertEquals(own.replyTo, "gastown/witness");
  assertEquals(own.refused, undefined);
  assertEquals(own.doneKey, "lifecycle-done:gt-gastown-witness");
  assertEquals(stranger.spec, undefined);
  assertEquals(stranger.refused, "unknown agent identity: stranger");
  assertEquals(stranger.replyTo, "stranger");
});
