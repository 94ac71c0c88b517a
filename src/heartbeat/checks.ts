/**
 * The heartbeat's checks in the reference order, and the subsets run on a
 * lifecycle wake-up (SIGUSR1, `poke`) and on a crash notification.
 *
 * @module
 */

import type { Check } from "./engine.ts";
import {
  decideGupp,
  decideLifecycle,
  decideOrphans,
  decideStaleAgents,
} from "./decide/recovery.ts";
import { decidePendingSpawns } from "./decide/spawns.ts";
import {
  decideDeaconHeartbeat,
  decideRefineries,
  decideWitnesses,
  ensureDeaconUnlessTriage,
} from "./decide/supervision.ts";
import { decideBoot } from "./decide/boot.ts";
import { decidePolecatHealth } from "./decide/polecats.ts";

/** Every check, in the reference's heartbeat order. */
export const HEARTBEAT_CHECKS: readonly Check[] = [
  { name: "boot", decide: decideBoot },
  { name: "deacon-heartbeat", decide: decideDeaconHeartbeat },
  { name: "witnesses", decide: decideWitnesses },
  { name: "refineries", decide: decideRefineries },
  { name: "pending-spawns", decide: decidePendingSpawns },
  { name: "lifecycle", decide: decideLifecycle },
  { name: "stale-agents", decide: decideStaleAgents },
  { name: "gupp", decide: decideGupp },
  { name: "orphaned-work", decide: decideOrphans },
  { name: "polecat-health", decide: decidePolecatHealth },
];

/** What SIGUSR1 runs: lifecycle requests only. */
export const LIFECYCLE_CHECKS: readonly Check[] = [
  { name: "lifecycle", decide: decideLifecycle },
];

/** What a crash notification runs: the session-keeping checks. */
export const RECOVERY_CHECKS: readonly Check[] = [
  { name: "deacon", decide: ensureDeaconUnlessTriage },
  { name: "witnesses", decide: decideWitnesses },
  { name: "refineries", decide: decideRefineries },
  { name: "polecat-health", decide: decidePolecatHealth },
];
