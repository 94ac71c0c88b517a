import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { findRealTool, realToolEnvVar } from "./find_tools.ts";

Deno.test("findRealTool() honours the environment override", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "gtd-find-tools-" });
  const envVar = realToolEnvVar("gt");
  const before = Deno.env.get(envVar);
  try {
    await t.step(
      "returns an executable named by GT_DAEMON_REAL_GT",
      async () => {
        const exe = `${dir}/gt`;
        await Deno.writeTextFile(exe, "#!/bin/sh\nexit 0\n");
        await Deno.chmod(exe, 0o755);
        Deno.env.set(envVar, exe);
        assertEquals(findRealTool("gt"), { name: "gt", path: exe, skip: null });
      },
    );
    await t.step("gives a one-line reason when the override is missing", () => {
      Deno.env.set(envVar, `${dir}/absent`);
      const found = findRealTool("gt");
      assertEquals(found.path, null);
      assertMatch(
        found.skip ?? "",
        /^real gt skipped: GT_DAEMON_REAL_GT="[^"\n]+" is not an executable file$/,
      );
    });
    await t.step(
      "gives a reason when the override is not executable",
      async () => {
        const plain = `${dir}/plain`;
        await Deno.writeTextFile(plain, "not a program\n");
        Deno.env.set(envVar, plain);
        assertEquals(findRealTool("gt").path, null);
      },
    );
  } finally {
    if (before === undefined) Deno.env.delete(envVar);
    else Deno.env.set(envVar, before);
    await Deno.remove(dir, { recursive: true });
  }
});
