/**
 * The command-line flag parser of every command. It is ours rather than
 * `node:util`'s `parseArgs` because loading any `node:` module costs more
 * start-up time than `status` takes in all (docs/performance.md); it parses
 * the same way for what the commands use:
 *
 * - `--name value` and `--name=value` for a string option; `-n value`,
 *   `-nvalue` for one with a short name;
 * - `--name` for a boolean option, `-q` for its short name, and short
 *   booleans grouped (`-qf`); a boolean given a value (`--json=yes`) is an
 *   error;
 * - `--` ends the options; everything after it is positional;
 * - a string option's value may not look like an option (`--town --json`,
 *   `-n -5`): that is taken for a forgotten value; `--town=-x` passes one;
 * - an unknown option, a missing value, or a positional where the command
 *   takes none is an error; given twice, the last value wins.
 *
 * Errors are {@link FlagError}s with one-line messages; each command wraps
 * them as its usage error.
 *
 * @module
 */

/** One option: its type and an optional one-letter short name. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
}

/** The values parsed for `S`: strings and booleans, unset ones absent. */
export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean : string;
};

/** What {@link parseFlags} returns. */
export interface ParsedFlags<S extends Record<string, FlagSpec>> {
  values: FlagValues<S>;
  positionals: string[];
}

/** A command line that does not fit the command's options. */
export class FlagError extends Error {
  override name = "FlagError";
}

/** True for an argument that looks like an option rather than a value. */
function optionLike(arg: string): boolean {
  return arg.length > 1 && arg.startsWith("-");
}

/**
 * Parses `args` against `options`; positionals are an error unless
 * `allowPositionals` is true.
 */
export function parseFlags<S extends Record<string, FlagSpec>>(
  args: readonly string[],
  options: S,
  allowPositionals = false,
): ParsedFlags<S> {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.short !== undefined) byShort.set(spec.short, name);
  }
  const specOf = (name: string, shown: string): FlagSpec => {
    const spec = Object.hasOwn(options, name) ? options[name] : undefined;
    if (spec === undefined) throw new FlagError(`Unknown option "${shown}"`);
    return spec;
  };
  const positional = (arg: string) => {
    if (!allowPositionals) {
      throw new FlagError(
        `Unexpected argument "${arg}": this command takes options only`,
      );
    }
    positionals.push(arg);
  };
  /** The value of string option `shown`: the next argument. */
  const nextValue = (i: number, shown: string): string => {
    const next = args[i + 1];
    if (next === undefined || optionLike(next)) {
      throw new FlagError(
        next === undefined
          ? `Option "${shown}" needs a value`
          : `Option "${shown}" needs a value, got the option "${next}" (write ${shown}=${next} to pass it as the value)`,
      );
    }
    return next;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      for (const rest of args.slice(i + 1)) positional(rest);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const shown = `--${name}`;
      const spec = specOf(name, shown);
      if (spec.type === "boolean") {
        if (eq !== -1) {
          throw new FlagError(`Option "${shown}" takes no value`);
        }
        values[name] = true;
      } else if (eq !== -1) {
        values[name] = arg.slice(eq + 1);
      } else {
        values[name] = nextValue(i, shown);
        i++;
      }
      continue;
    }
    if (!optionLike(arg)) {
      positional(arg);
      continue;
    }
    // One or more short options: booleans grouped, a string one last or
    // followed by its value.
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      const shown = `-${letter}`;
      const name = byShort.get(letter);
      if (name === undefined) throw new FlagError(`Unknown option "${shown}"`);
      if (options[name]!.type === "boolean") {
        values[name] = true;
        continue;
      }
      if (j + 1 < arg.length) {
        values[name] = arg.slice(j + 1);
      } else {
        values[name] = nextValue(i, shown);
        i++;
      }
      break;
    }
  }
  return { values: values as FlagValues<S>, positionals };
}
