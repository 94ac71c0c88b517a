import { parseArgs } from "node:util";
import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { FlagError, type FlagSpec, parseFlags } from "../../src/cli/flags.ts";

const OPTS = {
  town: { type: "string" },
  lines: { type: "string", short: "n" },
  follow: { type: "boolean", short: "f" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
} as const satisfies Record<string, FlagSpec>;

Deno.test("parseFlags() reads the forms parseArgs reads, with the same values", () => {
  const lines: string[][] = [
    [],
    ["--town", "/t", "--json"],
    ["--town=/t"],
    ["--town="],
    ["--town=a=b"],
    ["--town", "-"],
    ["-n", "5", "-f"],
    ["-n5"],
    ["-qf"],
    ["-qfn", "7"],
    ["-qn7"],
    ["--town", "/a", "--town", "/b"],
    ["--town=-x"],
    ["--json", "--", "--town", "x"],
    ["pos", "--json", "more"],
  ];
  for (const args of lines) {
    const ours = parseFlags(args, OPTS, true);
    const node = parseArgs({
      args,
      options: OPTS,
      strict: true,
      allowPositionals: true,
    });
    assertEquals(
      { values: ours.values, positionals: ours.positionals },
      { values: { ...node.values }, positionals: node.positionals },
      args.join(" "),
    );
  }
});

Deno.test("parseFlags() refuses what parseArgs refuses, with one-line messages", () => {
  const bad: [string[], string][] = [
    [["--nope"], 'Unknown option "--nope"'],
    [["-x"], 'Unknown option "-x"'],
    [["-qx"], 'Unknown option "-x"'],
    [["--town"], 'Option "--town" needs a value'],
    [["-n"], 'Option "-n" needs a value'],
    [
      ["--town", "--json"],
      'Option "--town" needs a value, got the option "--json" (write --town=--json to pass it as the value)',
    ],
    [["-n", "-5"], 'Option "-n" needs a value, got the option "-5"'],
    [["--json=yes"], 'Option "--json" takes no value'],
    [["--__proto__"], 'Unknown option "--__proto__"'],
    [["--toString"], 'Unknown option "--toString"'],
  ];
  for (const [args, message] of bad) {
    const err = assertThrows(() => parseFlags(args, OPTS, true), FlagError);
    assertEquals(err.message.startsWith(message), true, err.message);
    assertEquals(err.message.includes("\n"), false, err.message);
    assertThrows(() =>
      parseArgs({ args, options: OPTS, strict: true, allowPositionals: true })
    );
  }
});

Deno.test("parseFlags() refuses positionals unless the command takes them", () => {
  const err = assertThrows(() => parseFlags(["stray"], OPTS), FlagError);
  assertEquals(
    err.message,
    'Unexpected argument "stray": this command takes options only',
  );
  assertThrows(() => parseFlags(["--", "x"], OPTS), FlagError);
  assertEquals(parseFlags(["--json"], OPTS), {
    values: { json: true },
    positionals: [],
  });
});
