/**
 * A town for whole-tick tests in one process: real town files in a temp
 * directory, and in-process tmux, `bd`, `gt mail`, runner and clock. A
 * test sets up the world, runs {@link TickWorld.tick} and checks what the
 * fakes were asked to do and what the log says.
 *
 * @module
 */

import { realFs } from "../../src/adapters/fs.ts";
import { BackoffBook } from "../../src/heartbeat/backoff.ts";
import { HEARTBEAT_CHECKS } from "../../src/heartbeat/checks.ts";
import type { Check } from "../../src/heartbeat/engine.ts";
import { NoticeBook } from "../../src/heartbeat/notify_slots.ts";
import {
  runTick,
  type TickOptions,
  type TickPorts,
  type TickResult,
} from "../../src/heartbeat/tick.ts";
import { MemoryLog } from "../../src/log.ts";
import { makeTown, type TempTown } from "../helpers/cli.ts";
import { bead as rawBead, message as rawMessage } from "../helpers/harness.ts";
import { FakeClock } from "./clock.ts";
import { FakeTmux } from "./tmux.ts";
import { FakeBeads, FakeMail, RecordingRunner } from "./town_tools.ts";

/** Options of {@link TickWorld.create}: the rigs, and whether Boot is quiet. */
export interface WorldOptions {
  rigs?: string[];
  quiet?: boolean;
}

/** Registers a test that runs `fn` on a fresh world and removes it after. */
export function worldTest(
  name: string,
  options: WorldOptions,
  fn: (w: TickWorld) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const w = await TickWorld.create(options);
    try {
      await fn(w);
    } finally {
      await w.close();
    }
  });
}

/** The world one tick sees, and everything it touched. */
export class TickWorld {
  readonly clock = new FakeClock(Date.now());
  readonly tmux = new FakeTmux(() => this.clock.now());
  readonly beads = new FakeBeads(() => this.clock.now());
  readonly mail = new FakeMail();
  readonly runner = new RecordingRunner();
  log = new MemoryLog();
  readonly backoff = new BackoffBook();
  readonly notices = new NoticeBook();
  readonly #t: TempTown;
  /** How many times the notices were saved. */
  saves = 0;
  /** Agent commands the resolver does not find (left bare, as for real). */
  readonly missingCommands = new Set<string>();

  private constructor(t: TempTown) {
    this.#t = t;
  }

  /** A temp town with `rigs` (Boot quiet unless `quiet` is false). */
  static async create(options: WorldOptions = {}): Promise<TickWorld> {
    return new TickWorld(await makeTown(options));
  }

  /** The town root. */
  get town(): string {
    return this.#t.town;
  }

  /**
   * Adds the running Witness and Refinery sessions of `rig` and returns its
   * agent beads ({@link rigBeads}).
   */
  runningRig(rig: string): Record<string, unknown>[] {
    this.tmux.add(`gt-${rig}-witness`);
    this.tmux.add(`gt-${rig}-refinery`);
    return this.rigBeads(rig);
  }

  /** Creates directories under the town. */
  async dirs(...paths: string[]): Promise<void> {
    for (const p of paths) {
      await Deno.mkdir(`${this.town}/${p}`, { recursive: true });
    }
  }

  /** An agent bead as `bd list` prints it, its times on this world's clock. */
  bead(spec: Parameters<typeof rawBead>[0]): Record<string, unknown> {
    return {
      ...rawBead(spec),
      updated_at: new Date(this.clock.now() - (spec.updatedAgoMs ?? 0))
        .toISOString(),
    };
  }

  /** The running Witness and Refinery beads of a rig. */
  rigBeads(rig: string): Record<string, unknown>[] {
    return (["witness", "refinery"] as const).map((role) =>
      this.bead({ id: `gt-${rig}-${role}`, role, rig, state: "running" })
    );
  }

  /** A polecat bead working on hooked work `gt-abc`. */
  workingPolecat(rig: string, name: string): Record<string, unknown> {
    return this.bead({
      id: `gt-${rig}-polecat-${name}`,
      role: "polecat",
      rig,
      state: "working",
      hook: "gt-abc",
    });
  }

  /** A deacon-inbox message, its time on this world's clock. */
  message(spec: Parameters<typeof rawMessage>[0]): Record<string, unknown> {
    return {
      ...rawMessage(spec),
      timestamp: new Date(this.clock.now() - (spec.agoMs ?? 0)).toISOString(),
    };
  }

  /** The ports of one tick. */
  ports(): TickPorts {
    return {
      town: this.town,
      log: this.log,
      clock: this.clock,
      signal: new AbortController().signal,
      observe: {
        tmux: this.tmux,
        beads: this.beads,
        mail: this.mail,
        fs: realFs,
        degradedEnv: false,
        // Agent commands are found, as the real resolver would, unless
        // listed as missing.
        resolveArgv: ([cmd = "", ...rest]) =>
          cmd.includes("/") || this.missingCommands.has(cmd)
            ? [cmd, ...rest]
            : [`/fake/bin/${cmd}`, ...rest],
      },
      act: {
        town: this.town,
        tmux: this.tmux,
        beads: this.beads,
        mail: this.mail,
        fs: realFs,
        runner: this.runner,
        eventsDir: `${this.town}/daemon/events`,
        agentWaitMs: 1_000,
      },
      backoff: this.backoff,
      notices: this.notices,
      isMissingTool: () => false,
      saveNotices: () => {
        this.saves++;
        return Promise.resolve();
      },
    };
  }

  /** Runs one tick (a full heartbeat by default) on the fake clock. */
  async tick(
    options: Partial<TickOptions> & { checks?: readonly Check[] } = {},
  ): Promise<TickResult> {
    return await this.clock.run(
      runTick(this.ports(), {
        checks: HEARTBEAT_CHECKS,
        sweep: true,
        ...options,
      }),
    );
  }

  /** Log lines since the last call (and forgets them). */
  takeLog(): string[] {
    const lines = this.log.lines;
    this.log = new MemoryLog();
    return lines;
  }

  /** Removes the town. */
  async close(): Promise<void> {
    await this.#t.close();
  }
}
