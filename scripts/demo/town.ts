/**
 * The demo's throwaway town: a temp directory holding the town (rigs,
 * witness, refinery and polecat directories), a private HOME, the state of
 * the stand-in `gt`/`bd` (agent beads that give every polecat hooked work),
 * and the config and socket dir of a private tmux server.
 *
 * Contract with the stand-in `bd` (`tests/fixtures/bin/bd`): it lists the
 * beads of the current database (the town's or a rig's, placed by
 * `tests/fixtures/bead_dbs.ts` where `gt` puts them) for
 * `bd list --type=agent --json`; the stand-in `gt` prints
 * `$GT_FAKE_DIR/inbox.json` for `gt mail inbox`.
 *
 * @module
 */

import { join } from "node:path";
import { placeBeads } from "../../tests/fixtures/bead_dbs.ts";
import { TEST_TMUX_CONFIG } from "../../tests/fixtures/tmux_config.ts";
import { layTown } from "../../tests/fixtures/town_layout.ts";

/** The stand-in `gt`, `bd` and stub `claude`. */
export const FIXTURE_BIN = decodeURIComponent(
  new URL("../../tests/fixtures/bin", import.meta.url).pathname,
);

/** One agent the daemon keeps alive in the demo town. */
export interface DemoAgent {
  /** The rig. */
  rig: string;
  /** `witness`, `refinery` or `polecat`. */
  role: string;
  /** Short name shown in the table: `alpha/witness`, `alpha/Toast`. */
  label: string;
  /** The tmux session. */
  session: string;
  /** `BD_ACTOR` the daemon gives the agent (how the stub's records are matched). */
  actor: string;
}

/** The layout of a demo town. */
export interface DemoLayout {
  /** Rig name → polecat names. */
  rigs: Record<string, string[]>;
}

/** The default town: two rigs with three polecats each. */
export const DEFAULT_LAYOUT: DemoLayout = {
  rigs: {
    alpha: ["Toast", "Nux", "Furiosa"],
    beta: ["Slit", "Capable", "Ace"],
  },
};

/** A created demo town. */
export interface DemoTown {
  /** The temp dir holding everything. */
  root: string;
  /** The town root (has `mayor/town.json`). */
  town: string;
  /** The stand-ins' state dir (`GT_FAKE_DIR`). */
  fake: string;
  /** The agents, witnesses and refineries first, in table order. */
  agents: DemoAgent[];
  /** The environment for the daemon and for tmux calls. */
  env: Record<string, string>;
}

/** Lists the agents of a layout in table order. */
export function layoutAgents(layout: DemoLayout): DemoAgent[] {
  const out: DemoAgent[] = [
    {
      rig: "",
      role: "deacon",
      label: "deacon",
      session: "gt-deacon",
      actor: "deacon",
    },
    {
      rig: "",
      role: "boot",
      label: "boot",
      session: "gt-boot",
      actor: "deacon-boot",
    },
  ];
  for (const [rig, polecats] of Object.entries(layout.rigs)) {
    for (const role of ["witness", "refinery"]) {
      out.push({
        rig,
        role,
        label: `${rig}/${role}`,
        session: `gt-${rig}-${role}`,
        actor: `${rig}/${role}`,
      });
    }
    for (const name of polecats) {
      out.push({
        rig,
        role: "polecat",
        label: `${rig}/${name}`,
        session: `gt-${rig}-${name}`,
        actor: `${rig}/polecats/${name}`,
      });
    }
  }
  return out;
}

/** An agent bead as `bd list --type=agent --json` prints it. */
export function agentBead(spec: {
  id: string;
  role: string;
  rig: string;
  state: string;
  hook?: string;
}): Record<string, unknown> {
  const hook = spec.hook ?? "";
  const bead: Record<string, unknown> = {
    id: spec.id,
    title: spec.id,
    description:
      `${spec.id}\n\nrole_type: ${spec.role}\nrig: ${spec.rig}\nagent_state: ${spec.state}\nhook_bead: ${
        hook || "null"
      }\nrole_bead: null`,
    status: "open",
    issue_type: "agent",
    agent_state: spec.state,
    updated_at: new Date().toISOString(),
  };
  if (hook) bead.hook_bead = hook;
  return bead;
}

/**
 * The agent beads of a layout: a running Deacon, running witnesses and
 * refineries, working polecats with hooked work.
 */
export function layoutBeads(layout: DemoLayout): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    agentBead({
      id: "hq-deacon",
      role: "deacon",
      rig: "null",
      state: "running",
    }),
  ];
  for (const [rig, polecats] of Object.entries(layout.rigs)) {
    for (const role of ["witness", "refinery"]) {
      out.push(
        agentBead({ id: `gt-${rig}-${role}`, role, rig, state: "running" }),
      );
    }
    polecats.forEach((name, i) => {
      out.push(agentBead({
        id: `gt-${rig}-polecat-${name}`,
        role: "polecat",
        rig,
        state: "working",
        hook: `gt-${rig}-${101 + i}`,
      }));
    });
  }
  return out;
}

/**
 * Creates the town, the stand-ins' state and the private HOME under a new
 * temp dir. `baseEnv` is the caller's environment; `TMUX` must not be in it.
 */
export async function createTown(
  layout: DemoLayout,
  baseEnv: Record<string, string>,
): Promise<DemoTown> {
  const root = await Deno.makeTempDir({ prefix: "gtd-demo-" });
  try {
    return await fillTown(root, layout, baseEnv);
  } catch (err) {
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw err;
  }
}

async function fillTown(
  root: string,
  layout: DemoLayout,
  baseEnv: Record<string, string>,
): Promise<DemoTown> {
  const { town, fake } = await layTown(root, {
    name: "demo",
    rigs: Object.keys(layout.rigs),
    polecats: new Map(Object.entries(layout.rigs)),
    inbox: true,
  });
  // Each bead in the database gt puts it in (polecats in their rig's).
  await placeBeads(town, layoutBeads(layout));
  await Deno.writeTextFile(join(root, "tmux.conf"), TEST_TMUX_CONFIG);
  const env: Record<string, string> = {
    ...baseEnv,
    PATH: `${FIXTURE_BIN}:${baseEnv.PATH ?? "/usr/bin:/bin"}`,
    HOME: join(root, "home"),
    TMUX_TMPDIR: join(root, "tmux"),
    GT_FAKE_DIR: fake,
  };
  return { root, town, fake, agents: layoutAgents(layout), env };
}
