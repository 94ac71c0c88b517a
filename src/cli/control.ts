/**
 * Commands that talk to a running daemon through `<town>/daemon/events/`
 * (no signals needed): `poke`, `clear-backoff`; and `heartbeat --once`, which
 * runs (or, with `--dry-run`, plans) one heartbeat in this process.
 *
 * @module
 */

import { postEvent } from "../adapters/events_dir.ts";
import { AppError, errorMessage, UsageError } from "../errors.ts";
import type { Action } from "../heartbeat/types.ts";
import { townPaths } from "../town/paths.ts";
import {
  clearBackoffEvent,
  HEARTBEAT_EVENT,
  LIFECYCLE_EVENT,
} from "../town/wake_events.ts";
import { type CliIo, resolveTown, styler } from "./common.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { probeDaemon } from "./probe.ts";

type Options = Record<string, FlagSpec>;

function parse(name: string, args: string[], options: Options) {
  try {
    const r = parseFlags(args, options, true);
    return {
      values: r.values as Record<string, string | boolean | undefined>,
      positionals: r.positionals,
    };
  } catch (err) {
    throw new UsageError(
      `Invalid arguments for "${name}": ${errorMessage(err)}`,
    );
  }
}

/** `poke [--heartbeat]`: ask the daemon for lifecycle processing (or a heartbeat) now. */
export async function runPoke(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse("poke", args, {
    town: { type: "string" },
    heartbeat: { type: "boolean" },
  });
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument for "poke": "${positionals[0]}"`);
  }
  const town = await resolveTown(io, values.town as string | undefined);
  const probe = await probeDaemon(town);
  if (!probe.running) {
    throw new AppError("Daemon is not running; nothing to poke");
  }
  const what = values.heartbeat ? HEARTBEAT_EVENT : LIFECYCLE_EVENT;
  await postEvent(townPaths(town).events, what);
  io.stdout(
    `${
      styler(io).ok(
        `Asked the daemon (PID ${probe.pid ?? "unknown"}) for ${
          what === HEARTBEAT_EVENT ? "a heartbeat" : "lifecycle processing"
        }`,
      )
    }\n`,
  );
  return 0;
}

const AGENT_RE =
  /^(deacon|boot|mayor|[A-Za-z0-9][A-Za-z0-9_-]{0,63}\/(witness|refinery|polecats\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}|crew\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}))$/;

/** `clear-backoff <agent>|--all`: forget an agent's restart backoff in the running daemon. */
export async function runClearBackoff(
  io: CliIo,
  args: string[],
): Promise<number> {
  const { values, positionals } = parse("clear-backoff", args, {
    town: { type: "string" },
    all: { type: "boolean" },
  });
  const agent = values.all ? "all" : positionals[0];
  if (
    agent === undefined || positionals.length > 1 ||
    (values.all && positionals.length > 0)
  ) {
    throw new UsageError(
      `Usage: gt-daemon clear-backoff <agent>|--all (agents look like "deacon", "gastown/witness", "gastown/polecats/Toast")`,
    );
  }
  if (agent !== "all" && !AGENT_RE.test(agent)) {
    throw new UsageError(
      `Invalid agent: "${agent}": use "deacon", "mayor", "boot", "<rig>/witness", "<rig>/refinery", "<rig>/polecats/<name>" or "<rig>/crew/<name>"`,
    );
  }
  const town = await resolveTown(io, values.town as string | undefined);
  const probe = await probeDaemon(town);
  if (!probe.running) {
    io.stdout(
      `${
        styler(io).stopped(
          "Daemon is not running; a new daemon keeps the backoff of the last one, so start it and run this again",
        )
      }\n`,
    );
    return 1;
  }
  await postEvent(townPaths(town).events, clearBackoffEvent(agent));
  io.stdout(
    `${
      styler(io).ok(
        `Asked the daemon (PID ${
          probe.pid ?? "unknown"
        }) to clear the restart backoff of ${
          agent === "all" ? "every agent" : agent
        }`,
      )
    }\n`,
  );
  return 0;
}

/** Something that can plan or run one heartbeat in this process. */
export interface HeartbeatRunner {
  plan(): Promise<{ check: string; actions: Action[] }[]>;
  runOnce(): Promise<void>;
}

/** `heartbeat --once [--dry-run] [--json]`. */
export async function runHeartbeatCmd(
  io: CliIo,
  args: string[],
  make: (town: string) => Promise<HeartbeatRunner>,
): Promise<number> {
  const { values, positionals } = parse("heartbeat", args, {
    town: { type: "string" },
    once: { type: "boolean" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (!values.once || positionals.length > 0) {
    throw new UsageError(
      `Usage: gt-daemon heartbeat --once [--dry-run] [--json]`,
    );
  }
  const town = await resolveTown(io, values.town as string | undefined);
  if (!values["dry-run"]) {
    const probe = await probeDaemon(town);
    if (probe.running) {
      await postEvent(townPaths(town).events, HEARTBEAT_EVENT);
      io.stdout(
        `${
          styler(io).ok(
            `Asked the running daemon (PID ${
              probe.pid ?? "unknown"
            }) for a heartbeat`,
          )
        }\n`,
      );
      return 0;
    }
    const runner = await make(town);
    await runner.runOnce();
    io.stdout(`${styler(io).ok("Heartbeat done")}\n`);
    return 0;
  }
  const plan = await (await make(town)).plan();
  if (values.json) {
    io.stdout(JSON.stringify({ town, checks: plan }, null, 2) + "\n");
    return 0;
  }
  let n = 0;
  for (const { check, actions } of plan) {
    const real = actions.filter((a) => a.kind !== "log");
    io.stdout(
      `${check}: ${
        real.length === 0 ? "nothing to do" : `${real.length} action(s)`
      }\n`,
    );
    for (const a of actions) {
      if (a.kind === "deleteMail" && a.log) io.stdout(`  log: ${a.log}\n`);
      io.stdout(`  ${describeAction(a)}\n`);
      if (a.kind !== "log") n++;
    }
  }
  io.stdout(`${n} action(s) planned; nothing was done (dry run)\n`);
  return 0;
}

/** One line describing an action, for dry runs. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case "log":
      return `log: ${a.message}`;
    case "startSession":
      return `${
        a.killFirst ? "restart" : "start"
      } session ${a.spec.session} in ${a.spec.workDir}: ${a.spec.command}`;
    case "killSession":
      return `kill session ${a.session}`;
    case "nudge":
      return `nudge ${a.session}: ${JSON.stringify(a.text)}`;
    case "sendMail":
      return `mail ${a.to}: ${a.subject}`;
    case "markDead":
      return `mark ${a.beadId} dead`;
    case "lifecycle":
      return `lifecycle ${a.action} for ${a.from} (message ${a.messageId})${
        a.refused === undefined ? "" : `: refused: ${a.refused}`
      }`;
    case "deleteMail":
      return `delete message ${a.messageId}`;
    case "bootStatus":
      return `write Boot status: ${a.status.last_action ?? ""}`;
    case "pendingSpawns":
      return `trigger ${a.entries.length} pending spawn(s)`;
  }
}
