import { assert, assertEquals } from "../helpers/assert.ts";
import {
  actorOf,
  agentBeadId,
  BOOT_SESSION,
  crewBeadId,
  crewSession,
  DEACON_BEAD,
  deaconSession,
  dogBeadId,
  isAgentSessionBead,
  isValidName,
  MAYOR_BEAD,
  mayorSession,
  parseAgentBeadId,
  polecatBeadId,
  polecatSession,
  refineryBeadId,
  refinerySession,
  roleBeadId,
  type RoleType,
  SESSION_PREFIX,
  sessionOf,
  townRoleBeadId,
  validateName,
  witnessBeadId,
  witnessSession,
} from "../../src/town/names.ts";
import {
  identityAddress,
  identityToAgentBeadId,
  identityToBdActor,
  identityToSession,
  parseIdentity,
  parseSessionName,
} from "../../src/town/identity.ts";
import { HOSTILE_NAMES } from "../fixtures/hostile_names.ts";

const HOSTILE = [
  ...HOSTILE_NAMES,
  "a b",
  "a=b",
  "-lead",
  "_lead",
  ".hidden",
];

Deno.test("validateName() accepts plain names and rejects hostile ones", async (t) => {
  await t.step("accepts letters, digits, _ and - up to 64 chars", () => {
    for (
      const n of ["gastown", "my-rig", "foo-bar", "Toast", "worker_1", "9"]
    ) {
      for (const kind of ["rig", "polecat", "crew"] as const) {
        assertEquals(validateName(kind, n), null, `${kind} ${n}`);
      }
    }
    assertEquals(validateName("rig", "a".repeat(64)), null);
  });
  await t.step("rejects every hostile name with a quoted message", () => {
    for (const n of HOSTILE) {
      const msg = validateName("polecat", n);
      assert(msg !== null, `accepted ${JSON.stringify(n)}`);
      assert(msg.startsWith("Invalid polecat name"), msg);
      assert(!msg.includes("\n"), "message must stay on one line");
    }
    assertEquals(isValidName("rig", "a".repeat(65)), false);
  });
});

Deno.test("session name builders give the reference names (SNAME-01..07)", () => {
  assertEquals(SESSION_PREFIX, "gt-");
  assertEquals(mayorSession(), "gt-mayor");
  assertEquals(deaconSession(), "gt-deacon");
  assertEquals(BOOT_SESSION, "gt-boot");
  assertEquals(
    ["gastown", "beads", "foo"].map(witnessSession),
    ["gt-gastown-witness", "gt-beads-witness", "gt-foo-witness"],
  );
  assertEquals(
    ["gastown", "beads", "foo"].map(refinerySession),
    ["gt-gastown-refinery", "gt-beads-refinery", "gt-foo-refinery"],
  );
  assertEquals(crewSession("gastown", "max"), "gt-gastown-crew-max");
  assertEquals(crewSession("beads", "alice"), "gt-beads-crew-alice");
  assertEquals(crewSession("foo", "bar"), "gt-foo-crew-bar");
  assertEquals(polecatSession("gastown", "Toast"), "gt-gastown-Toast");
  assertEquals(polecatSession("gastown", "Furiosa"), "gt-gastown-Furiosa");
  assertEquals(polecatSession("beads", "worker1"), "gt-beads-worker1");
});

Deno.test("bead id helpers build the reference ids (BID-01..08, BID-17)", () => {
  assertEquals(MAYOR_BEAD, "hq-mayor");
  assertEquals(DEACON_BEAD, "hq-deacon");
  assertEquals(["alpha", "rex", "spot"].map(dogBeadId), [
    "hq-dog-alpha",
    "hq-dog-rex",
    "hq-dog-spot",
  ]);
  assertEquals(["mayor", "deacon", "dog", "witness"].map(townRoleBeadId), [
    "hq-mayor-role",
    "hq-deacon-role",
    "hq-dog-role",
    "hq-witness-role",
  ]);
  assertEquals(
    ["mayor", "deacon", "witness", "refinery", "crew", "polecat"].map(
      roleBeadId,
    ),
    [
      "gt-mayor-role",
      "gt-deacon-role",
      "gt-witness-role",
      "gt-refinery-role",
      "gt-crew-role",
      "gt-polecat-role",
    ],
  );
  assertEquals(witnessBeadId("gastown"), "gt-gastown-witness");
  assertEquals(refineryBeadId("gastown"), "gt-gastown-refinery");
  assertEquals(crewBeadId("gastown", "max"), "gt-gastown-crew-max");
  assertEquals(polecatBeadId("gastown", "Toast"), "gt-gastown-polecat-Toast");
  assertEquals(agentBeadId("bd", "", "mayor", ""), "bd-mayor");
  assertEquals(agentBeadId("bd", "beads", "witness", ""), "bd-beads-witness");
  assertEquals(
    agentBeadId("bd", "beads", "polecat", "p"),
    "bd-beads-polecat-p",
  );
});

Deno.test("parseAgentBeadId() splits ids like ParseAgentBeadID (BID-09..16)", () => {
  const ok: [string, string, string, string][] = [
    ["gt-mayor", "", "mayor", ""],
    ["gt-deacon", "", "deacon", ""],
    ["hq-mayor", "", "mayor", ""],
    ["bd-mayor", "", "mayor", ""],
    ["gt-gastown-witness", "gastown", "witness", ""],
    ["gt-gastown-refinery", "gastown", "refinery", ""],
    ["bd-beads-witness", "beads", "witness", ""],
    ["gt-gastown-crew-joe", "gastown", "crew", "joe"],
    ["gt-gastown-crew-max", "gastown", "crew", "max"],
    ["gt-gastown-polecat-capable", "gastown", "polecat", "capable"],
    ["bd-beads-polecat-pearl", "beads", "polecat", "pearl"],
    ["gt-gastown-polecat-my-agent", "gastown", "polecat", "my-agent"],
    ["gt-abc123", "", "abc123", ""],
    ["hq-dog-alpha", "", "dog", "alpha"],
    ["hq-dog-a-b-c", "", "dog", "a-b-c"],
  ];
  for (const [id, rig, role, name] of ok) {
    assertEquals(parseAgentBeadId(id), { rig, role, name }, id);
  }
  for (const id of ["x-mayor", "abcd-mayor", ""]) {
    assertEquals(parseAgentBeadId(id), null, id);
  }
  for (
    const id of [
      "gt-mayor",
      "gt-deacon",
      "gt-gastown-witness",
      "gt-gastown-refinery",
      "gt-gastown-crew-joe",
      "gt-gastown-polecat-capable",
      "bd-mayor",
      "bd-deacon",
      "bd-beads-witness",
      "bd-beads-refinery",
      "bd-beads-crew-joe",
      "bd-beads-polecat-pearl",
    ]
  ) assert(isAgentSessionBead(id), id);
  for (const id of ["gt-abc123", "gt-sb6m4", "gt-u7dxq", "bd-abc123", ""]) {
    assert(!isAgentSessionBead(id), id);
  }
});

Deno.test("identityToSession() maps legacy identities like the reference (IDS-01..12, IDS-14)", () => {
  const cases: [string, string][] = [
    ["mayor", "gt-mayor"],
    ["gastown-witness", "gt-gastown-witness"],
    ["myrig-witness", "gt-myrig-witness"],
    ["my-rig-name-witness", "gt-my-rig-name-witness"],
    ["unknown", ""],
    ["polecat", ""],
    ["refinery", ""],
    ["gastown", ""],
    ["", ""],
    ["deacon", "gt-deacon"],
    ["gastown-refinery", "gt-gastown-refinery"],
    ["gastown-crew-max", "gt-gastown-crew-max"],
    ["gastown-polecat-Toast", "gt-gastown-Toast"],
    ["gastown/polecats/Toast", "gt-gastown-Toast"],
    ["a-crew-witness", "gt-a-crew-witness"],
    ["x-polecat-y-refinery", "gt-x-polecat-y-refinery"],
  ];
  for (const [identity, session] of cases) {
    assertEquals(identityToSession(identity), session, identity);
  }
  assertEquals(parseIdentity("x-polecat-y-refinery"), {
    roleType: "refinery",
    rig: "x-polecat-y",
    name: "",
  });
  assertEquals(parseIdentity("gastown-crew-my-worker"), {
    roleType: "crew",
    rig: "gastown",
    name: "my-worker",
  });
});

Deno.test("parseIdentity() also accepts mail addresses, a deliberate change from IDS-13 (O12)", () => {
  const cases: [string, string][] = [
    ["mayor/", "gt-mayor"],
    ["deacon/", "gt-deacon"],
    ["gastown/witness", "gt-gastown-witness"],
    ["gastown/witness/", "gt-gastown-witness"],
    ["gastown/refinery", "gt-gastown-refinery"],
    ["gastown/crew/max", "gt-gastown-crew-max"],
    ["gastown/polecats/Toast", "gt-gastown-Toast"],
    ["gastown/Toast", "gt-gastown-Toast"],
    ["gastown-witness/", "gt-gastown-witness"],
  ];
  for (const [identity, session] of cases) {
    assertEquals(identityToSession(identity), session, identity);
  }
  const rejected = [
    "mayor//",
    "/",
    "gastown/",
    "gastown/crew",
    "gastown/polecats",
    "gastown/crew/max/x",
    "gastown/witness/x",
    "a/b/c/d",
    "/witness",
    "-witness",
    "gastown/polecats/",
    "gastown/polecats/a/polecats/b",
  ];
  for (const identity of rejected) {
    assertEquals(parseIdentity(identity), null, identity);
  }
});

Deno.test("parseIdentity() rejects hostile rig and agent names", () => {
  for (const bad of HOSTILE.filter((n) => n !== "")) {
    for (
      const identity of [
        `${bad}-witness`,
        `${bad}/refinery`,
        `gastown-crew-${bad}`,
        `gastown-polecat-${bad}`,
        `gastown/polecats/${bad}`,
        `gastown/${bad}`,
        `${bad}/crew/max`,
      ]
    ) {
      const parsed = parseIdentity(identity);
      if (parsed === null) continue;
      // Only names made of the allowed characters may come out.
      assert(
        isValidName("rig", parsed.rig) &&
          (parsed.name === "" || isValidName("polecat", parsed.name)),
        `${JSON.stringify(identity)} gave ${JSON.stringify(parsed)}`,
      );
    }
    assertEquals(identityToSession(`gastown/${bad}`), "", bad);
  }
});

Deno.test("identityToAgentBeadId() gives town and rig bead ids (IDS-16)", () => {
  const cases: [string, string][] = [
    ["deacon", "hq-deacon"],
    ["mayor", "hq-mayor"],
    ["gastown-witness", "gt-gastown-witness"],
    ["gastown-refinery", "gt-gastown-refinery"],
    ["gastown-crew-max", "gt-gastown-crew-max"],
    ["gastown-polecat-Toast", "gt-gastown-polecat-Toast"],
    ["gastown/polecats/Toast", "gt-gastown-polecat-Toast"],
    ["junk", ""],
    ["deacon/", "hq-deacon"],
    ["gastown/Toast", "gt-gastown-polecat-Toast"],
  ];
  for (const [identity, id] of cases) {
    assertEquals(identityToAgentBeadId(identity), id, identity);
  }
});

Deno.test("identityToBdActor() gives the slash form, or the input when unparsable (IDS-17)", () => {
  const cases: [string, string][] = [
    ["mayor", "mayor"],
    ["deacon", "deacon"],
    ["gastown-witness", "gastown/witness"],
    ["gastown-refinery", "gastown/refinery"],
    ["gastown-crew-max", "gastown/crew/max"],
    ["gastown-polecat-Toast", "gastown/polecats/Toast"],
    ["gastown/polecats/Toast", "gastown/polecats/Toast"],
    ["x/witness", "x/witness"],
    ["junk", "junk"],
    ["mayor/", "mayor"],
    ["gastown/Toast", "gastown/polecats/Toast"],
  ];
  for (const [identity, actor] of cases) {
    assertEquals(identityToBdActor(identity), actor, identity);
  }
});

Deno.test("identityAddress() gives the mail address to reply to", () => {
  const cases: [string, string][] = [
    ["mayor", "mayor/"],
    ["deacon/", "deacon/"],
    ["gastown-witness", "gastown/witness"],
    ["gastown/refinery", "gastown/refinery"],
    ["gastown-crew-max", "gastown/crew/max"],
    ["gastown/Toast", "gastown/polecats/Toast"],
    ["junk", ""],
  ];
  for (const [identity, address] of cases) {
    assertEquals(identityAddress(identity), address, identity);
  }
});

Deno.test("parseSessionName() inverts the session names (SID-01..18)", async (t) => {
  const ok: [string, RoleType, string, string][] = [
    ["gt-mayor", "mayor", "", ""],
    ["gt-deacon", "deacon", "", ""],
    ["gt-gastown-witness", "witness", "gastown", ""],
    ["gt-foo-bar-witness", "witness", "foo-bar", ""],
    ["gt-gastown-refinery", "refinery", "gastown", ""],
    ["gt-my-project-refinery", "refinery", "my-project", ""],
    ["gt-gastown-crew-max", "crew", "gastown", "max"],
    ["gt-foo-bar-crew-alice", "crew", "foo-bar", "alice"],
    ["gt-gastown-crew-my-worker", "crew", "gastown", "my-worker"],
    ["gt-gastown-morsov", "polecat", "gastown", "morsov"],
    ["gt-foo-bar-Toast", "polecat", "foo-bar", "Toast"],
    ["gt-crew-x", "polecat", "crew", "x"],
    ["gt-a-crew", "polecat", "a", "crew"],
  ];
  await t.step("parses valid names", () => {
    for (const [s, roleType, rig, name] of ok) {
      assertEquals(parseSessionName(s), {
        ok: true,
        identity: { roleType, rig, name },
      }, s);
    }
  });
  await t.step("reports errors for malformed names", () => {
    const bad: [string, string][] = [
      ["gastown-witness", 'missing "gt-" prefix'],
      ["gt-", "empty after prefix"],
      ["gt-x", "expected rig-role format"],
      ["gt-boot", "expected rig-role format"],
      ["gt-a.b-witness", 'invalid rig name "a.b"'],
      ["gt-rig-na:me", 'invalid polecat name "na:me"'],
    ];
    for (const [s, detail] of bad) {
      const r = parseSessionName(s);
      assert(!r.ok, s);
      assertEquals(
        r.error.startsWith(
          `Invalid session name ${JSON.stringify(s)}: ${detail}`,
        ),
        true,
        r.error,
      );
    }
  });
  await t.step(
    "sessionOf() round-trips and actorOf() gives Address() (SID-15..17)",
    () => {
      for (
        const s of [
          "gt-mayor",
          "gt-deacon",
          "gt-gastown-witness",
          "gt-foo-bar-refinery",
          "gt-gastown-crew-max",
          "gt-gastown-morsov",
        ]
      ) {
        const r = parseSessionName(s);
        assert(r.ok, s);
        assertEquals(sessionOf(r.identity), s);
      }
      const address = (s: string) => {
        const r = parseSessionName(s);
        assert(r.ok, s);
        return actorOf(r.identity);
      };
      assertEquals(address("gt-mayor"), "mayor");
      assertEquals(address("gt-deacon"), "deacon");
      assertEquals(address("gt-gastown-witness"), "gastown/witness");
      assertEquals(address("gt-my-project-refinery"), "my-project/refinery");
      assertEquals(address("gt-gastown-crew-max"), "gastown/crew/max");
      assertEquals(address("gt-gastown-Toast"), "gastown/polecats/Toast");
    },
  );
});

Deno.test("validateName() rejects polecat names whose session would be another agent's", () => {
  for (
    const name of ["witness", "refinery", "b-witness", "x-refinery", "crew-x"]
  ) {
    const err = validateName("polecat", name);
    if (err === null || !err.includes("another agent's")) {
      throw new Error(`${name}: ${err}`);
    }
  }
  for (const name of ["Toast", "witnessed", "crewman", "my-worker"]) {
    if (validateName("polecat", name) !== null) {
      throw new Error(`${name} rejected`);
    }
  }
  if (validateName("rig", "witness") !== null) {
    throw new Error("rig names are not restricted this way");
  }
});
