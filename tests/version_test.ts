import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "./helpers/assert.ts";
import { PINNED_DENO, runtimeWarning } from "../src/version.ts";

Deno.test("runtimeWarning() names the SIGUSR1 inspector risk for Deno newer than the pinned 2.9.1", () => {
  assertEquals(PINNED_DENO, "2.9.1");
  for (const v of ["2.9.1", "2.9.0", "2.8.9", "1.46.3"]) {
    assertEquals(runtimeWarning(v), null, v);
  }
  for (const v of ["2.9.2", "2.9.6", "2.10.0", "3.0.0"]) {
    const w = runtimeWarning(v);
    assert(w !== null, v);
    assertStringIncludes(w, "127.0.0.1:9229");
    assertStringIncludes(w, "SIGUSR1");
    assertStringIncludes(w, "gt-daemon poke");
  }
});
