import { assertEquals } from "../helpers/assert.ts";
import {
  LISTING_MAX_AGE_MS,
  ListingCache,
} from "../../src/daemon/listing_cache.ts";
import type { AgentBead } from "../../src/heartbeat/types.ts";
import { FakeClock } from "../fakes/clock.ts";

Deno.test("ListingCache gives the last listing while it is fresh, on the injected clock", async () => {
  const clock = new FakeClock();
  const cache = new ListingCache(clock);
  assertEquals(cache.fresh(), null);
  const beads = new Map<string, AgentBead>();
  cache.keep(beads);
  assertEquals(cache.fresh(), beads);
  await clock.advance(LISTING_MAX_AGE_MS);
  assertEquals(cache.fresh(), beads);
  await clock.advance(1);
  assertEquals(cache.fresh(), null);
  const newer = new Map<string, AgentBead>();
  cache.keep(newer);
  assertEquals(cache.fresh(), newer);
});
