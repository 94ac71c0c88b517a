/**
 * Hostile payloads shared by the hostile-input tests, and the checks that
 * they did no harm. Each injection would create the canary file
 * `$GT_FAKE_DIR.CANARY` (next to the fake dir, a name without `/`) if it
 * ever reached a shell or a tmux format.
 *
 * @module
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import type { Harness, SessionView } from "../helpers/harness.ts";

/** Runs the canary command in any shell: `$GT_FAKE_DIR` is set in all of them. */
export const TOUCH = "touch $GT_FAKE_DIR.CANARY";
/** Payloads that would create the canary if they reached a shell or tmux format. */
export const INJECTIONS = [
  `$(${TOUCH})`,
  `\`${TOUCH}\``,
  `x;${TOUCH}`,
  `x&&${TOUCH}`,
  `x|${TOUCH}`,
  `x';${TOUCH};'`,
  `x";${TOUCH};"`,
  `#(${TOUCH})`,
];
/** Names that are not valid names, besides the injections. */
export const ODD_NAMES = [
  "two words",
  "line\nbreak",
  "tab\there",
  "rig:1",
  "rig.0",
  "=rig",
  "-rf",
  "--help",
  "gästown",
  "🚀",
  "A".repeat(200),
];

/** Asserts that no injection created the canary file. */
export function canaryGone(h: Harness): void {
  let found = false;
  try {
    Deno.statSync(`${h.t.root}/fake.CANARY`);
    found = true;
  } catch {
    // good: never created
  }
  assert(!found, "an injection reached a shell: the canary file exists");
}

/** Asserts that every log line is one stamped line (none split or forged). */
export function logIsClean(log: string): void {
  for (const line of log.split("\n").filter((l) => l !== "")) {
    assert(
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /.test(line),
      `a log line was split or forged: ${JSON.stringify(line.slice(0, 200))}`,
    );
  }
}

/** Asserts that the sessions `names` kept their session ids. */
export function sameIds(
  before: Map<string, SessionView>,
  after: Map<string, SessionView>,
  names: string[],
): void {
  for (const n of names) {
    assert(before.has(n), `decoy ${n} was not set up`);
    assertEquals(after.get(n)?.id, before.get(n)!.id, `${n} was replaced`);
  }
}
