/**
 * The role bead configs a lifecycle request may need: one `bd show
 * gt-<role>-role` for each role that sent a lifecycle request, and none when
 * the inbox holds no request.
 *
 * @module
 */

import type { Beads } from "../adapters/beads.ts";
import { errorMessage } from "../errors.ts";
import type { RoleConfig } from "../town/bead_text.ts";
import { parseIdentity } from "../town/identity.ts";
import { parseLifecycleRequest } from "./lifecycle_parse.ts";
import type { MailMessage } from "./types.ts";

/**
 * Reads the configs of the roles of the senders of lifecycle requests in
 * `mail`; a failed read is a problem (and the role's default is used).
 */
export async function readRoleConfigs(
  mail: readonly MailMessage[] | null,
  beads: Pick<Beads, "getRoleConfig">,
  now: Date,
  problems: string[],
): Promise<Map<string, RoleConfig | null>> {
  const roles = new Set<string>();
  const quiet = { log() {} };
  for (const msg of mail ?? []) {
    if (msg.read || parseLifecycleRequest(msg, quiet, now) === null) continue;
    const who = parseIdentity(msg.from);
    if (who !== null) roles.add(who.roleType);
  }
  const out = new Map<string, RoleConfig | null>();
  await Promise.all(
    [...roles].sort().map(async (role) => {
      try {
        out.set(role, await beads.getRoleConfig(role));
      } catch (err) {
        out.set(role, null);
        problems.push(
          `failed to get role config for gt-${role}-role: ${errorMessage(err)}`,
        );
      }
    }),
  );
  return out;
}
