/**
 * A runner for adapter tests that answers every call with one fixed result
 * and records the argv of each call.
 *
 * @module
 */

import type { Runner } from "../../src/adapters/process.ts";

/** A runner that answers every call with a fixed result. */
export function stubRunner(
  stdout: string,
  code = 0,
  stderr = "",
): Runner & { argv: string[][] } {
  const argv: string[][] = [];
  return {
    argv,
    run(a) {
      argv.push([...a]);
      return Promise.resolve({ code, stdout, stderr, ms: 1, truncated: false });
    },
  };
}
