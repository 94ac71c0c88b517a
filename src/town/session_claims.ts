/**
 * Which agent a shared session name belongs to. A polecat's session is
 * `gt-<rig>-<name>`, and rig and polecat names may both contain `-`: the
 * polecats `a/b-x` and `a-b/x` both map to `gt-a-b-x`, and the polecat `x`
 * of rig `a-crew` maps to crew member `x` of rig `a`'s `gt-a-crew-x`. Pure.
 *
 * @module
 */

import { parseSessionName } from "./identity.ts";
import { actorOf, polecatSession } from "./names.ts";

/**
 * Why polecat `rig/name` may not use its session name, or null when the
 * name is its own. The rule is deterministic and needs only the town's rigs:
 * the session goes to the agent whose rig name is longest, which is the one
 * `gt` finds when it reads the session name back; a polecat whose session
 * name reads back as a crew member (or Witness, Refinery) of a rig of this
 * town yields to that agent.
 */
export function polecatSessionConflict(
  rigs: readonly string[],
  rig: string,
  name: string,
): string | null {
  const session = polecatSession(rig, name);
  const suffix = `${rig}-${name}`;
  const longer = rigs
    .filter((r) => r.length > rig.length && suffix.startsWith(`${r}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (longer !== undefined) {
    return `its session ${session} is also polecat ${longer}/${
      suffix.slice(longer.length + 1)
    }'s, whose rig name is longer`;
  }
  const parsed = parseSessionName(session);
  if (
    parsed.ok && parsed.identity.roleType !== "polecat" &&
    rigs.includes(parsed.identity.rig)
  ) {
    return `its session ${session} is ${actorOf(parsed.identity)}'s`;
  }
  return null;
}
