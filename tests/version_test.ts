import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "./helpers/assert.ts";
import {
  allowUnsupportedEnv,
  denoProblem,
  PINNED_DENO,
  runtimeGate,
  runtimeWarning,
} from "../src/version.ts";

/** version → "ok" | "inspector" (affected by the SIGUSR1 inspector) | "other". */
const TABLE: [string, "ok" | "inspector" | "other"][] = [
  ["2.9.1", "ok"],
  ["2.9.2", "inspector"],
  ["2.9.6", "inspector"],
  ["2.10.0", "inspector"],
  ["3.0.0", "inspector"],
  ["2.9.2-rc.1", "inspector"],
  ["2.9.1+abc1234", "other"],
  ["2.9.0", "other"],
  ["2.8.9", "other"],
  ["1.46.3", "other"],
  ["", "other"],
  ["garbage", "other"],
];

Deno.test("denoProblem() accepts only the supported release and names the SIGUSR1 inspector for 2.9.2 and later", () => {
  assertEquals(PINNED_DENO, "2.9.1");
  for (const [v, want] of TABLE) {
    const p = denoProblem(v);
    if (want === "ok") {
      assertEquals(p, null, v);
      continue;
    }
    assert(p !== null, v);
    assertStringIncludes(p, `Deno ${v}`);
    assertEquals(p.includes("127.0.0.1:9229"), want === "inspector", p);
    assertEquals(p.includes("not a supported runtime"), want === "other", p);
  }
});

Deno.test("runtimeGate() refuses an unsupported Deno unless overridden, and then warns", () => {
  for (const [v, want] of TABLE) {
    const refused = runtimeGate(v, false);
    const allowed = runtimeGate(v, true);
    assertEquals(allowed.refusal, null, v);
    if (want === "ok") {
      assertEquals(refused, { refusal: null, warning: null }, v);
      assertEquals(allowed.warning, null, v);
      assertEquals(runtimeWarning(v), null, v);
      continue;
    }
    assert(refused.refusal !== null, v);
    assertEquals(refused.warning, null, v);
    assertStringIncludes(refused.refusal, "--allow-unsupported-deno");
    assertStringIncludes(refused.refusal, "GT_DAEMON_ALLOW_UNSUPPORTED_DENO=1");
    assertStringIncludes(refused.refusal, "npx -y deno@2.9.1");
    const w = allowed.warning;
    assert(w !== null, v);
    assertEquals(w, runtimeWarning(v));
    assertStringIncludes(w, "--allow-unsupported-deno in use");
    assertStringIncludes(w, "gt-daemon poke");
  }
});

Deno.test("allowUnsupportedEnv() takes 1, true and yes", () => {
  for (const v of ["1", "true", "TRUE", "yes", " 1 "]) {
    assertEquals(allowUnsupportedEnv(v), true, v);
  }
  for (const v of [undefined, "", "0", "false", "no", "2"]) {
    assertEquals(allowUnsupportedEnv(v), false, String(v));
  }
});
