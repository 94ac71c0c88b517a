/**
 * In-process `bd`, `gt mail` and subprocess runner: what the tick reads
 * from them is set by the test, and what it asks of them is recorded.
 *
 * @module
 */

import { toAgentBead } from "../../src/adapters/beads.ts";
import { toMailMessage } from "../../src/adapters/mail.ts";
import type { RunOptions, RunResult } from "../../src/adapters/process.ts";
import type { ActBeads, ActMail } from "../../src/heartbeat/act_ports.ts";
import type { AgentBead, MailMessage } from "../../src/heartbeat/types.ts";
import type { RoleConfig } from "../../src/town/bead_text.ts";

/** The beads database. */
export class FakeBeads implements ActBeads {
  /** Raw beads as `bd list --json` prints them. */
  raw: Record<string, unknown>[] = [];
  /** When set, listing fails with this message. */
  listError: string | null = null;
  /** When set, updates fail with this message. */
  updateError: string | null = null;
  readonly roleConfigs = new Map<string, RoleConfig>();
  readonly updates: { id: string; description: string }[] = [];
  readonly closed: string[] = [];
  /** How many times the agents were listed. */
  lists = 0;
  /** The ids `show` was asked for, in order. */
  readonly shown: string[] = [];
  readonly #now: () => number;

  /** `now` stamps updated beads (ms). */
  constructor(now: () => number = () => Date.now()) {
    this.#now = now;
  }

  listAgents(): Promise<AgentBead[]> {
    this.lists++;
    if (this.listError !== null) {
      return Promise.reject(new Error(this.listError));
    }
    return Promise.resolve(
      this.raw.map(toAgentBead).filter((b): b is AgentBead => b !== null),
    );
  }

  /** `bd show`: the raw bead, columns included; null when missing. */
  show(id: string): Promise<AgentBead | null> {
    this.shown.push(id);
    const raw = this.raw.find((b) => b.id === id);
    return Promise.resolve(raw === undefined ? null : toAgentBead(raw));
  }

  updateDescription(id: string, description: string): Promise<void> {
    if (this.updateError !== null) {
      return Promise.reject(new Error(this.updateError));
    }
    this.updates.push({ id, description });
    const bead = this.raw.find((b) => b.id === id);
    if (bead) {
      bead.description = description;
      bead.updated_at = new Date(this.#now()).toISOString();
    }
    return Promise.resolve();
  }

  getRoleConfig(role: string): Promise<RoleConfig | null> {
    return Promise.resolve(this.roleConfigs.get(role) ?? null);
  }

  closeMessage(id: string): Promise<void> {
    this.closed.push(id);
    return Promise.resolve();
  }
}

/** One mail that was sent. */
export interface SentMail {
  to: string;
  subject: string;
  body: string;
}

/** The deacon's inbox and the mail sent from it. */
export class FakeMail implements ActMail {
  /** Raw messages as `gt mail inbox --json` prints them. */
  raw: Record<string, unknown>[] = [];
  readonly sent: SentMail[] = [];
  readonly deleted: string[] = [];
  /** When set, sending fails with this message. */
  sendError: string | null = null;
  /** When set, reading the inbox fails with this message. */
  inboxError: string | null = null;

  inbox(): Promise<MailMessage[]> {
    if (this.inboxError !== null) {
      return Promise.reject(new Error(this.inboxError));
    }
    return Promise.resolve(
      this.raw.map(toMailMessage).filter((m): m is MailMessage => m !== null),
    );
  }

  delete(id: string): Promise<void> {
    this.deleted.push(id);
    this.raw = this.raw.filter((m) => m.id !== id);
    return Promise.resolve();
  }

  send(to: string, subject: string, body: string): Promise<void> {
    if (this.sendError !== null) {
      return Promise.reject(new Error(this.sendError));
    }
    this.sent.push({ to, subject, body });
    return Promise.resolve();
  }
}

/** A runner that runs nothing and records every argv (with its cwd). */
export class RecordingRunner {
  readonly calls: { argv: string[]; cwd: string | undefined }[] = [];
  /** Exit status per program name (default 0). */
  readonly codes = new Map<string, number>();

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv: [...argv], cwd: options.cwd });
    return Promise.resolve({
      code: this.codes.get(argv[0] ?? "") ?? 0,
      stdout: "",
      stderr: "",
      ms: 0,
      truncated: false,
    });
  }
}
