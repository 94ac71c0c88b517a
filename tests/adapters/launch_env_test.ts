import assert from "node:assert/strict";
import {
  dropLaunchEnv,
  LAUNCH_ENV,
  LAUNCH_ENV_MARKER,
  launchEnv,
  launchEnvToDrop,
} from "../../src/adapters/launch_env.ts";

Deno.test("launchEnv() adds what the environment lacks and names it", async (t) => {
  await t.step("adds MALLOC_ARENA_MAX=2 and the marker by default", () => {
    assert.deepEqual(LAUNCH_ENV, { MALLOC_ARENA_MAX: "2" });
    assert.deepEqual(launchEnv({ PATH: "/bin" }), {
      MALLOC_ARENA_MAX: "2",
      [LAUNCH_ENV_MARKER]: "MALLOC_ARENA_MAX",
    });
  });

  await t.step("keeps an operator's value and names nothing", () => {
    assert.deepEqual(launchEnv({ MALLOC_ARENA_MAX: "4" }), {
      [LAUNCH_ENV_MARKER]: "",
    });
    assert.deepEqual(launchEnv({ MALLOC_ARENA_MAX: "2" }), {
      [LAUNCH_ENV_MARKER]: "",
    });
  });

  await t.step("replaces an inherited marker", () => {
    assert.deepEqual(
      launchEnv({ [LAUNCH_ENV_MARKER]: "HOME,PATH" }),
      { MALLOC_ARENA_MAX: "2", [LAUNCH_ENV_MARKER]: "MALLOC_ARENA_MAX" },
    );
  });
});

Deno.test("launchEnvToDrop() names only what the launch added", async (t) => {
  await t.step("drops nothing without a marker", () => {
    assert.deepEqual(launchEnvToDrop({ MALLOC_ARENA_MAX: "2" }), []);
  });

  await t.step("drops the added variable and the marker", () => {
    assert.deepEqual(
      launchEnvToDrop({
        MALLOC_ARENA_MAX: "2",
        [LAUNCH_ENV_MARKER]: "MALLOC_ARENA_MAX",
      }),
      ["MALLOC_ARENA_MAX", LAUNCH_ENV_MARKER],
    );
  });

  await t.step("keeps a value the operator changed after the launch", () => {
    assert.deepEqual(
      launchEnvToDrop({
        MALLOC_ARENA_MAX: "4",
        [LAUNCH_ENV_MARKER]: "MALLOC_ARENA_MAX",
      }),
      [LAUNCH_ENV_MARKER],
    );
  });

  await t.step("ignores names it did not add", () => {
    assert.deepEqual(
      launchEnvToDrop({
        HOME: "/h",
        MALLOC_ARENA_MAX: "2",
        [LAUNCH_ENV_MARKER]: "HOME,,MALLOC_ARENA_MAX,MALLOC_ARENA_MAX",
      }),
      ["MALLOC_ARENA_MAX", LAUNCH_ENV_MARKER],
    );
    assert.deepEqual(
      launchEnvToDrop({ MALLOC_ARENA_MAX: "2", [LAUNCH_ENV_MARKER]: "" }),
      [LAUNCH_ENV_MARKER],
    );
  });
});

Deno.test("dropLaunchEnv() hides the added variables from later children", async (t) => {
  const names = ["MALLOC_ARENA_MAX", LAUNCH_ENV_MARKER];
  const saved = names.map((n) => [n, Deno.env.get(n)] as const);
  const childEnv = async () => {
    const out = await new Deno.Command("/usr/bin/env", {
      stdin: "null",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).split("\n");
  };
  try {
    await t.step("removes what the launch added", async () => {
      Deno.env.set("MALLOC_ARENA_MAX", "2");
      Deno.env.set(LAUNCH_ENV_MARKER, "MALLOC_ARENA_MAX");
      assert.ok((await childEnv()).includes("MALLOC_ARENA_MAX=2"));
      assert.deepEqual(dropLaunchEnv(), ["MALLOC_ARENA_MAX"]);
      const env = await childEnv();
      assert.equal(env.some((l) => l.startsWith("MALLOC_ARENA_MAX=")), false);
      assert.equal(
        env.some((l) => l.startsWith(`${LAUNCH_ENV_MARKER}=`)),
        false,
      );
    });

    await t.step("passes an operator's value on unchanged", async () => {
      Deno.env.set("MALLOC_ARENA_MAX", "4");
      Deno.env.set(LAUNCH_ENV_MARKER, "");
      assert.deepEqual(dropLaunchEnv(), []);
      const env = await childEnv();
      assert.ok(env.includes("MALLOC_ARENA_MAX=4"));
      assert.equal(
        env.some((l) => l.startsWith(`${LAUNCH_ENV_MARKER}=`)),
        false,
      );
    });
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) Deno.env.delete(n);
      else Deno.env.set(n, v);
    }
  }
});
