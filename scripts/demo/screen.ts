/**
 * Output for the demo: on a terminal the frame is redrawn in place (ANSI
 * cursor movement, lines cut to the terminal width); otherwise each changed
 * frame is appended as a plain snapshot.
 *
 * @module
 */

import { writeStdout } from "../../src/adapters/os.ts";

// deno-lint-ignore no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The visible length of `text` (ANSI sequences do not count). */
export function visibleLength(text: string): number {
  return text.replace(ANSI_RE, "").length;
}

/** Cuts `line` to `cols` visible characters, keeping ANSI sequences whole. */
export function fitLine(line: string, cols: number): string {
  if (visibleLength(line) <= cols) return line;
  let out = "";
  let seen = 0;
  let i = 0;
  while (i < line.length && seen < cols - 1) {
    ANSI_RE.lastIndex = i;
    const m = line[i] === "\x1b" ? ANSI_RE.exec(line) : null;
    if (m && m.index === i) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    out += line[i];
    seen++;
    i++;
  }
  return out + "…\x1b[0m";
}

/** Where frames go. */
export class Screen {
  readonly tty: boolean;
  readonly #write: (text: string) => void;
  readonly #size: () => { columns: number; rows: number };
  #drawn = 0;
  #last = "";

  /** A screen on stdout; `tty` selects redrawing in place. */
  constructor(
    tty: boolean,
    write: (text: string) => void = writeStdout,
    size: () => { columns: number; rows: number } = terminalSize,
  ) {
    this.tty = tty;
    this.#write = write;
    this.#size = size;
    if (tty) this.#write("\x1b[?25l");
  }

  /** Prints lines once, above the frame. */
  say(lines: string[]): void {
    this.#clear();
    this.#write(lines.map((l) => l + "\n").join(""));
    this.#last = "";
  }

  /** Shows a frame: redrawn in place, or appended when it changed. */
  draw(lines: string[]): void {
    const text = lines.join("\n");
    if (text === this.#last) return;
    this.#last = text;
    if (!this.tty) {
      this.#write("\n" + lines.map((l) => l + "\n").join(""));
      return;
    }
    const cols = Math.max(20, this.#size().columns);
    this.#clear();
    this.#write(lines.map((l) => fitLine(l, cols) + "\n").join(""));
    this.#drawn = lines.length;
  }

  /** The most lines a frame may take, or undefined when there is no limit. */
  maxLines(): number | undefined {
    return this.tty ? Math.max(10, this.#size().rows - 1) : undefined;
  }

  /** Leaves the last frame on screen and shows the cursor again. */
  close(): void {
    this.#drawn = 0;
    if (this.tty) this.#write("\x1b[?25h");
  }

  #clear(): void {
    if (this.tty && this.#drawn > 0) {
      this.#write(`\x1b[${this.#drawn}F\x1b[J`);
    }
    this.#drawn = 0;
  }
}

/** The terminal's size; a size the terminal does not report is taken from `COLUMNS`/`LINES` or guessed. */
function terminalSize(): { columns: number; rows: number } {
  let size = { columns: 0, rows: 0 };
  try {
    size = Deno.consoleSize();
  } catch {
    // not a terminal
  }
  return {
    columns: size.columns || Number(Deno.env.get("COLUMNS")) || 100,
    rows: size.rows || Number(Deno.env.get("LINES")) || 40,
  };
}
