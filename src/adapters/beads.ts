/**
 * The beads CLI (`bd`) as the daemon uses it. Every call runs through the
 * runner with a timeout (10 s by default) and names its database with
 * `BEADS_DIR` (the town's `<town>/.beads` unless a call says otherwise), so
 * a `BEADS_DIR` inherited by the daemon never redirects it, and with
 * `BEADS_NO_DAEMON=1`, so bd never starts a background daemon of its own.
 *
 * CLI contract relied on (beads v0.44.0):
 * - `bd list --type=agent --json --limit=0` prints a JSON array of the open
 *   agent beads of the current database only; the keys read are `id`,
 *   `issue_type`, `title`, `description` and `updated_at`. It never prints
 *   the `hook_bead` and `agent_state` columns (read when present). Without
 *   `--limit=0` it stops at 50 beads (20 when `CLAUDE_CODE` is set).
 * - `bd show <id> --json` prints a JSON array with the bead, columns
 *   included (a bare object is accepted too). It routes the id by its
 *   prefix through `routes.jsonl`, then falls back to the current database.
 *   A missing bead exits 0 with nothing on stdout and `no issue found` on
 *   stderr; older versions exit non-zero with `not found`, or print `[]`.
 * - `bd --no-daemon show gt-<role>-role --json` is the role bead (then
 *   `hq-<role>-role`, where `gt install` puts them); a failure is classified
 *   from stderr, in order: `not a beads repository`, `No .beads directory`,
 *   `no beads database found` or (`.beads` and `not found`) → not a
 *   repository; `sync conflict` or `CONFLICT` → sync conflict; `not found`
 *   or `no issue found` → no config.
 * - `bd update <id> --description <text>` replaces a description in the
 *   current database only (it does not route), so it runs with the
 *   `BEADS_DIR` the bead was listed from.
 * - `bd close <id> [--session=<id>]` with `BEADS_DIR=<town>/.beads` marks a
 *   message read (`not found` or `no issue found` on stderr when it does
 *   not exist).
 * - `bd sync` in a work directory syncs its beads.
 *
 * Ids passed to `bd` must look like bead ids (`^[A-Za-z0-9][A-Za-z0-9._:-]*$`,
 * at most 200 characters), so an id taken from JSON can never be read as a
 * flag. List entries with such ids, non-object entries and entries with a
 * non-string field are skipped and counted.
 *
 * @module
 */

import { dirname, join } from "../posix_path.ts";
import type { AgentBead } from "../heartbeat/types.ts";
import { parseRoleConfig } from "../town/bead_text.ts";
import type { RoleConfig } from "../town/bead_text.ts";
import type { Runner, RunResult } from "./process.ts";
import {
  type CliCallOptions,
  ExternalCommandError,
  runCli,
  runJsonArray,
} from "./cli_output.ts";
import { OutputParseError, parseJsonOutput } from "./cli_json.ts";
import { firstShown, toAgentBead } from "./bead_json.ts";
import {
  BeadNotFoundError,
  BeadsNotInstalledError,
  checkId,
  missing,
  NotRoleBeadError,
  showFailure,
} from "./beads_errors.ts";

export {
  BeadNotFoundError,
  BeadsNotARepoError,
  BeadsNotInstalledError,
  BeadsSyncConflictError,
  InvalidBeadIdError,
  NotRoleBeadError,
} from "./beads_errors.ts";

/** Options for {@link Beads}. */
export interface BeadsOptions {
  /** Town root: the working directory of every call. */
  town: string;
  /** Timeout per call in milliseconds; 10 000 by default. */
  timeoutMs?: number;
  /** Variables added to every call's environment. */
  env?: Record<string, string>;
  /** Appended to `bd close` as `--session=<id>` (CLAUDE_SESSION_ID). */
  sessionId?: string;
  /** Aborts calls in flight (daemon shutdown). */
  signal?: AbortSignal;
  /** Largest stdout kept per call; 8 MiB by default. */
  maxOutputBytes?: number;
  /** Largest agent bead read from `bd list`; 1 MiB by default. */
  maxItemBytes?: number;
}

/** Result of {@link Beads.listAgentsDetailed}. */
export interface AgentList {
  agents: AgentBead[];
  /** Entries skipped because they were malformed. */
  skipped: number;
  /** Entries that could not be read (too large), one line each. */
  unreadable: string[];
}

export { isBeadId, toAgentBead } from "./bead_json.ts";

/** The `bd` adapter. */
export class Beads {
  readonly #runner: Runner;
  readonly #options: BeadsOptions;

  /** Creates the adapter; nothing runs until a method is called. */
  constructor(runner: Runner, options: BeadsOptions) {
    this.#runner = runner;
    this.#options = options;
  }

  /** The town database, `<town>/.beads`. */
  get townDb(): string {
    return join(this.#options.town, ".beads");
  }

  #run(
    argv: string[],
    cwd = this.#options.town,
    extraEnv: Record<string, string> = { BEADS_DIR: this.townDb },
  ): Promise<RunResult> {
    return runCli(this.#runner, argv, this.#callOptions(cwd, extraEnv));
  }

  /**
   * Options of a read (`list`, `show`) of database `db`: run inside `db`
   * with git discovery stopped at its parent. Inside a git repository bd
   * runs `git rev-parse` and then three more git processes per call for
   * its fork protection (which concerns only clones of the beads project);
   * with nothing to discover it runs the one, which makes a read about a
   * quarter faster. bd finds the database from `BEADS_DIR` and its routes
   * from the database's directory, never from git.
   */
  #readOptions(db: string): CliCallOptions {
    return this.#callOptions(db, {
      BEADS_DIR: db,
      GIT_CEILING_DIRECTORIES: dirname(db),
    });
  }

  #callOptions(cwd: string, extraEnv: Record<string, string>): CliCallOptions {
    const o = this.#options;
    return {
      cwd,
      timeoutMs: o.timeoutMs ?? 10_000,
      // bd v0.44.0 otherwise tries to start its own background daemon on
      // each database's first call (seconds) and, in a git-backed town,
      // leaves one running per database.
      env: { ...o.env, BEADS_NO_DAEMON: "1", ...extraEnv },
      signal: o.signal,
      maxOutputBytes: o.maxOutputBytes,
      notInstalled: (program, cause) =>
        new BeadsNotInstalledError(
          `Beads CLI not installed: "${program}" was not found`,
          { cause },
        ),
    };
  }

  /**
   * Agent beads of one database (the town's by default) from `bd list`;
   * malformed ones dropped.
   */
  async listAgents(db: string = this.townDb): Promise<AgentBead[]> {
    return (await this.listAgentsDetailed(db)).agents;
  }

  /**
   * Runs `bd list --type=agent --json --limit=0` on database `db` (a
   * `.beads` directory; `BEADS_DIR=db`, see {@link #readOptions}) and reads
   * its output as a stream: a bead over 1 MiB is skipped and reported in
   * `unreadable`, the others are read whatever the list's size. Each bead
   * records `db`. Empty output and `null` are an empty list. Throws
   * {@link ExternalCommandError} on a non-zero exit and
   * {@link OutputParseError} when the output is not a JSON array.
   */
  async listAgentsDetailed(db: string = this.townDb): Promise<AgentList> {
    const argv = ["bd", "list", "--type=agent", "--json", "--limit=0"];
    const o = this.#options;
    const data = await runJsonArray(this.#runner, argv, {
      ...this.#readOptions(db),
      what: "bd list",
      ...(o.maxItemBytes === undefined ? {} : { maxItemBytes: o.maxItemBytes }),
    });
    const agents: AgentBead[] = [];
    let skipped = data.malformed;
    for (const entry of data.items) {
      const bead = toAgentBead(entry);
      if (bead === null) skipped++;
      else agents.push({ ...bead, db });
    }
    return { agents, skipped, unreadable: data.unreadable };
  }

  /**
   * Runs `bd show <id> --json` on database `db` (the town's by default; bd
   * routes the id by prefix from there) and returns the bead (any issue
   * type; check `issueType`), or null when bd says it does not exist.
   */
  async show(id: string, db: string = this.townDb): Promise<AgentBead | null> {
    checkId(id);
    const argv = ["bd", "show", id, "--json"];
    const first = await this.#showFirst(argv, db);
    if (first === null) return null;
    const bead = toAgentBead(first);
    if (bead === null) {
      throw new OutputParseError(
        `Cannot parse "bd show" output: malformed bead for "${id}"`,
      );
    }
    return { ...bead, db };
  }

  /** First element of a `bd show` reply; null when not found. */
  async #showFirst(
    argv: string[],
    db: string = this.townDb,
  ): Promise<Record<string, unknown> | null> {
    const res = await runCli(this.#runner, argv, this.#readOptions(db));
    if (res.code !== 0) {
      const failure = showFailure(argv, res);
      if (failure === null) return null;
      throw failure;
    }
    return firstShown(parseJsonOutput("bd show", res));
  }

  /**
   * Reads the role config of `role` from bead `gt-<role>-role`, or when that
   * does not exist from `hq-<role>-role` in the town database
   * (`bd --no-daemon show … --json`). Returns null when neither exists or
   * the bead has no config lines; throws {@link NotRoleBeadError} when the
   * bead is not a role bead, and the classified errors of the module doc.
   */
  async getRoleConfig(role: string): Promise<RoleConfig | null> {
    const show = (id: string) =>
      this.#showFirst(["bd", "--no-daemon", "show", id, "--json"]);
    let id = `gt-${role}-role`;
    checkId(id);
    let first = await show(id);
    if (first === null) {
      id = `hq-${role}-role`;
      first = await show(id);
    }
    if (first === null) return null;
    const type = typeof first.issue_type === "string" ? first.issue_type : "";
    if (type !== "role") {
      throw new NotRoleBeadError(
        `Bead "${id}" is not a role bead: type "${type}"`,
      );
    }
    const desc = typeof first.description === "string" ? first.description : "";
    return parseRoleConfig(desc);
  }

  /**
   * Replaces a bead's description (`bd update <id> --description <text>`)
   * in database `db`, the one the bead was read from (the town's by
   * default): `bd update` does not route ids.
   */
  async updateDescription(
    id: string,
    description: string,
    db: string = this.townDb,
  ): Promise<void> {
    checkId(id);
    const argv = ["bd", "update", id, "--description", description];
    const res = await this.#run(argv, dirname(db), { BEADS_DIR: db });
    if (res.code !== 0) throw new ExternalCommandError(argv, res);
  }

  /**
   * Marks a message read: `bd close <id> [--session=<id>]` with
   * `BEADS_DIR=<town>/.beads`. Throws {@link BeadNotFoundError} when bd
   * says the message does not exist.
   */
  async closeMessage(id: string): Promise<void> {
    checkId(id);
    const argv = ["bd", "close", id];
    if (this.#options.sessionId) {
      argv.push(`--session=${this.#options.sessionId}`);
    }
    const res = await this.#run(argv, this.#options.town, {
      BEADS_DIR: this.townDb,
    });
    if (res.code === 0) return;
    if (missing(res.stderr)) {
      throw new BeadNotFoundError(`Message not found: "${id}"`);
    }
    throw new ExternalCommandError(argv, res);
  }
}
