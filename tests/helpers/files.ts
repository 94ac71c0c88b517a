/**
 * File checks for tests.
 *
 * @module
 */

/** Whether the path names something `stat` can reach (a link is followed). */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
