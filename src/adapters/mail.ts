/**
 * Gas Town mail (`gt mail`) as the daemon uses it. Every call runs in the
 * town root through the runner, with a timeout (10 s by default).
 *
 * CLI contract relied on:
 * - `gt mail inbox --identity deacon/ --json` prints a JSON array of
 *   messages (`id`, `from`, `to`, `subject`, `body`, `timestamp`, `read`,
 *   `priority`, `type`; other keys ignored), newest first; an empty inbox
 *   prints `[]` or `null` (or nothing).
 * - `gt mail delete <id>` closes a message.
 * - `gt mail send <address> -s <subject> -m <body>` sends one.
 *
 * Difference from the reference, on purpose: a message with a field of the
 * wrong type (for example a numeric `priority`) is skipped and counted on
 * its own, where the reference failed to decode the whole inbox and dropped
 * the pass. A message also needs a string `id`, `from` and `subject`, and an
 * id that looks like a bead id (so it can never be read as a flag by
 * `gt mail delete`); missing optional fields read as "" (`read` as false).
 *
 * @module
 */

import { AppError, CommandNotFoundError } from "../errors.ts";
import type { MailMessage } from "../heartbeat/types.ts";
import type { Runner, RunResult } from "./process.ts";
import { isBeadId } from "./beads.ts";
import {
  type CliCallOptions,
  ExternalCommandError,
  runCli,
  runJsonArray,
} from "./cli_output.ts";
import { isRecord, stringFields } from "./cli_json.ts";

/** An id or address that must not be passed to `gt mail`. */
export class InvalidMailArgumentError extends AppError {}

/** Options for {@link Mail}. */
export interface MailOptions {
  /** Town root: the working directory of every call. */
  town: string;
  /** Timeout per call in milliseconds; 10 000 by default. */
  timeoutMs?: number;
  /** Variables added to every call's environment. */
  env?: Record<string, string>;
  /** Aborts calls in flight (daemon shutdown). */
  signal?: AbortSignal;
  /** Largest stdout kept per call; 8 MiB by default. */
  maxOutputBytes?: number;
  /** Largest inbox message read; 1 MiB by default. */
  maxItemBytes?: number;
}

/** Result of {@link Mail.inboxDetailed}. */
export interface Inbox {
  messages: MailMessage[];
  /** Messages skipped because they were malformed. */
  skipped: number;
  /** Messages that could not be read (too large), one line each. */
  unreadable: string[];
}

const ADDRESS_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
const TEXT_KEYS = [
  "id",
  "from",
  "to",
  "subject",
  "body",
  "timestamp",
  "priority",
  "type",
] as const;

/** Converts one inbox entry to a {@link MailMessage}; null when malformed. */
export function toMailMessage(entry: unknown): MailMessage | null {
  if (!isRecord(entry)) return null;
  const f = stringFields(entry, TEXT_KEYS);
  if (f === null) return null;
  for (const key of ["id", "from", "subject"] as const) {
    if (typeof entry[key] !== "string") return null;
  }
  if (!isBeadId(f.id)) return null;
  const read = entry.read;
  if (read !== undefined && read !== null && typeof read !== "boolean") {
    return null;
  }
  return {
    id: f.id,
    from: f.from,
    to: f.to,
    subject: f.subject,
    body: f.body,
    timestamp: f.timestamp,
    read: read === true,
    priority: f.priority,
    type: f.type,
  };
}

/** The `gt mail` adapter. */
export class Mail {
  readonly #runner: Runner;
  readonly #options: MailOptions;

  /** Creates the adapter; nothing runs until a method is called. */
  constructor(runner: Runner, options: MailOptions) {
    this.#runner = runner;
    this.#options = options;
  }

  #run(argv: string[]): Promise<RunResult> {
    return runCli(this.#runner, argv, this.#callOptions());
  }

  #callOptions(): CliCallOptions {
    const o = this.#options;
    return {
      cwd: o.town,
      timeoutMs: o.timeoutMs ?? 10_000,
      env: o.env,
      signal: o.signal,
      maxOutputBytes: o.maxOutputBytes,
      notInstalled: (program, cause) =>
        new CommandNotFoundError(
          `Gas Town CLI not installed: "${program}" was not found`,
          { cause },
        ),
    };
  }

  /** The deacon inbox (malformed messages dropped). */
  async inbox(): Promise<MailMessage[]> {
    return (await this.inboxDetailed()).messages;
  }

  /**
   * Runs `gt mail inbox --identity deacon/ --json` and reads its output as a
   * stream: a message over 1 MiB is skipped and reported in `unreadable`,
   * the others are read whatever the inbox's size. Empty output, `[]` and
   * `null` are an empty inbox. Throws {@link ExternalCommandError} on a
   * non-zero exit and {@link OutputParseError} when the output is not a
   * JSON array.
   */
  async inboxDetailed(): Promise<Inbox> {
    const argv = ["gt", "mail", "inbox", "--identity", "deacon/", "--json"];
    const o = this.#options;
    const data = await runJsonArray(this.#runner, argv, {
      ...this.#callOptions(),
      what: "gt mail inbox",
      ...(o.maxItemBytes === undefined ? {} : { maxItemBytes: o.maxItemBytes }),
    });
    const messages: MailMessage[] = [];
    let skipped = data.malformed;
    for (const entry of data.items) {
      const msg = toMailMessage(entry);
      if (msg === null) skipped++;
      else messages.push(msg);
    }
    return { messages, skipped, unreadable: data.unreadable };
  }

  /** Deletes (closes) a message: `gt mail delete <id>`. */
  async delete(id: string): Promise<void> {
    if (!isBeadId(id)) {
      throw new InvalidMailArgumentError(
        `Invalid message id: ${JSON.stringify(id)}`,
      );
    }
    const argv = ["gt", "mail", "delete", id];
    const res = await this.#run(argv);
    if (res.code !== 0) throw new ExternalCommandError(argv, res);
  }

  /** Sends a message: `gt mail send <to> -s <subject> -m <body>`. */
  async send(to: string, subject: string, body: string): Promise<void> {
    if (!ADDRESS_RE.test(to)) {
      throw new InvalidMailArgumentError(
        `Invalid mail address: ${JSON.stringify(to)}`,
      );
    }
    const argv = ["gt", "mail", "send", to, "-s", subject, "-m", body];
    const res = await this.#run(argv);
    if (res.code !== 0) throw new ExternalCommandError(argv, res);
  }
}
