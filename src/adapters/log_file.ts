/**
 * The daemon's log file: `<town>/daemon/daemon.log`, mode 0600 (an existing
 * file with a looser mode is tightened), appended one line per message in
 * Go's logger format, rotated by size (`daemon.log` → `daemon.log.1` → … →
 * `daemon.log.<keep>`).
 *
 * Every write opens the file by name, so a log that an operator deleted or
 * replaced is recreated instead of written into a lost inode; a symlink
 * planted at the log path is removed, never followed.
 *
 * @module
 */

import { formatLogLine, type Log } from "../log.ts";

/** Options for {@link FileLog}. */
export interface FileLogOptions {
  /** Rotate when the file would grow past this many bytes (default 10 MB). */
  maxBytes?: number;
  /** Rotated files kept besides the live one (default 3). */
  keep?: number;
  /** Clock for the line stamps. */
  now?: () => Date;
  /** Also copy each line here (foreground runs on a terminal). */
  mirror?: (line: string) => void;
}

/** A {@link Log} that appends to a file with size-based rotation. */
export class FileLog implements Log {
  readonly path: string;
  #maxBytes: number;
  #keep: number;
  #now: () => Date;
  #mirror: ((line: string) => void) | undefined;
  #failed = false;

  /** Creates the sink; nothing is opened until the first message. */
  constructor(path: string, options: FileLogOptions = {}) {
    this.path = path;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#keep = options.keep ?? 3;
    this.#now = options.now ?? (() => new Date());
    this.#mirror = options.mirror;
  }

  /** Appends one message; a write failure is reported once on stderr. */
  log(message: string): void {
    const line = formatLogLine(this.#now(), message);
    this.#mirror?.(line);
    const bytes = new TextEncoder().encode(line);
    try {
      this.#write(bytes);
      this.#failed = false;
    } catch (err) {
      if (!this.#failed) {
        this.#failed = true;
        try {
          Deno.stderr.writeSync(
            new TextEncoder().encode(
              `gt-daemon: cannot write log "${this.path}": ${
                err instanceof Error ? err.message : String(err)
              }\n`,
            ),
          );
        } catch {
          // nowhere left to report
        }
      }
    }
  }

  #write(bytes: Uint8Array): void {
    let size = 0;
    try {
      const info = Deno.lstatSync(this.path);
      if (info.isSymlink || !info.isFile) {
        Deno.removeSync(this.path);
      } else {
        size = info.size;
        // A log someone else created readable by others is made private.
        if (info.mode !== null && (info.mode & 0o077) !== 0) {
          Deno.chmodSync(this.path, 0o600);
        }
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (size > 0 && size + bytes.length > this.#maxBytes) this.#rotate();
    const file = Deno.openSync(this.path, {
      append: true,
      create: true,
      mode: 0o600,
    });
    try {
      file.writeSync(bytes);
    } finally {
      file.close();
    }
  }

  #rotate(): void {
    for (let i = this.#keep; i >= 1; i--) {
      const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
      const to = `${this.path}.${i}`;
      try {
        Deno.renameSync(from, to);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
    if (this.#keep === 0) Deno.removeSync(this.path);
  }
}
