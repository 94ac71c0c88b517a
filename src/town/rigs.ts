/**
 * The rig registry `mayor/rigs.json`: `{"version": 1, "rigs": {<name>: …}}`.
 * One reader for every check (the reference had two that disagreed, O16).
 * Only the rig names are used; entries are not validated. Pure: the caller
 * reads the file.
 *
 * @module
 */

import { goField, isJsonObject, parseJsonText } from "./go_json.ts";
import { validateName } from "./names.ts";

/** The newest `rigs.json` version this reader knows. */
export const RIGS_VERSION = 1;

/** Rig names found in `rigs.json`, and what was wrong with it. */
export interface RigsResult {
  /** Valid rig names, sorted. */
  rigs: string[];
  /** One sentence per problem; empty when the file is fine. */
  problems: string[];
}

/**
 * Reads the rig names from the text of `rigs.json`.
 *
 * - `null` (no file, as in a town without rigs) → no rigs, no problem.
 * - Not JSON, not an object, or `rigs` not an object → no rigs and a
 *   problem. A missing or null `rigs` is an empty registry.
 * - `version` above 1 or not an integer → a problem; the names are still
 *   read, as the reference's lightweight reader did.
 * - A name that fails {@link validateName} is left out, with a problem that
 *   names it.
 *
 * Keys match case-insensitively (`Rigs` works), as Go's decoder does.
 */
export function parseRigs(text: string | null): RigsResult {
  const problems: string[] = [];
  if (text === null) return { rigs: [], problems };
  const parsed = parseJsonText(text);
  if (!("value" in parsed)) {
    return { rigs: [], problems: [`Cannot parse rigs.json: ${parsed.error}`] };
  }
  if (!isJsonObject(parsed.value)) {
    return {
      rigs: [],
      problems: ["Cannot use rigs.json: the top level is not an object"],
    };
  }
  const version = goField(parsed.value, "version");
  if (version !== undefined && version !== null) {
    if (!Number.isInteger(version)) {
      problems.push(
        `Unexpected rigs.json version: ${JSON.stringify(version)}`,
      );
    } else if ((version as number) > RIGS_VERSION) {
      problems.push(
        `Unsupported rigs.json version: got ${version}, max supported ${RIGS_VERSION}`,
      );
    }
  }
  const rigsField = goField(parsed.value, "rigs");
  if (rigsField === undefined || rigsField === null) {
    return { rigs: [], problems };
  }
  if (!isJsonObject(rigsField)) {
    problems.push(`Cannot use rigs.json: "rigs" is not an object`);
    return { rigs: [], problems };
  }
  const rigs: string[] = [];
  for (const name of Object.keys(rigsField)) {
    const problem = validateName("rig", name);
    if (problem === null) {
      rigs.push(name);
    } else {
      problems.push(
        `Ignored a rig in rigs.json: ${problem[0]?.toLowerCase()}${
          problem.slice(1)
        }`,
      );
    }
  }
  rigs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { rigs, problems };
}
