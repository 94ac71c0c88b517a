/**
 * Assertions for tests, on top of `node:assert` (jsr:@std/assert is not
 * reachable here).
 *
 * @module
 */

import nodeAssert from "node:assert/strict";

/** Asserts that `cond` is truthy. */
export function assert(cond: unknown, message?: string): asserts cond {
  nodeAssert.ok(cond, message);
}

/** Asserts deep equality. */
export function assertEquals<T>(
  actual: T,
  expected: T,
  message?: string,
): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts deep inequality. */
export function assertNotEquals<T>(
  actual: T,
  expected: T,
  message?: string,
): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(
  text: string,
  part: string,
  message?: string,
): void {
  nodeAssert.ok(
    text.includes(part),
    message ??
      `expected ${JSON.stringify(text.slice(0, 2000))} to contain ${
        JSON.stringify(part)
      }`,
  );
}

/** Asserts that `text` matches `re`. */
export function assertMatch(text: string, re: RegExp, message?: string): void {
  nodeAssert.match(text, re, message);
}

/** Asserts that `fn` throws (optionally an instance of `cls` whose message includes `part`). */
export function assertThrows(
  fn: () => unknown,
  cls?: new (...args: never[]) => Error,
  part?: string,
): Error {
  try {
    fn();
  } catch (err) {
    if (cls) {
      nodeAssert.ok(err instanceof cls, `expected ${cls.name}, got ${err}`);
    }
    if (part) assertStringIncludes((err as Error).message, part);
    return err as Error;
  }
  throw new Error("expected function to throw");
}

/** Asserts that the promise rejects (optionally with `cls` and a message part). */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls?: new (...args: never[]) => Error,
  part?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (cls) {
      nodeAssert.ok(err instanceof cls, `expected ${cls.name}, got ${err}`);
    }
    if (part) assertStringIncludes((err as Error).message, part);
    return err as Error;
  }
  throw new Error("expected promise to reject");
}
