/**
 * `main.ts` loads each command's modules on demand by computed specifiers
 * (src/cli/lazy.ts): each one exists, is typed as the module it names, and
 * `main.ts` has no literal `import("…")`, which `deno run` would follow
 * before the program starts, whichever command runs.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { REPO } from "../helpers/cli.ts";
import { LAZY_MODULES } from "../../src/cli/lazy.ts";
import { join, normalize } from "../../src/posix_path.ts";

Deno.test("every on-demand module exists and is typed as the module it loads", async () => {
  const source = await Deno.readTextFile(`${REPO}/src/cli/lazy.ts`);
  const typed = new Map(
    [...source.matchAll(/^\s+(\w+): typeof import\("([^"]+)"\);$/gm)].map((
      m,
    ) => [m[1]!, normalize(join("src/cli", m[2]!))]),
  );
  assertEquals([...typed.keys()].sort(), Object.keys(LAZY_MODULES).sort());
  for (const [name, path] of Object.entries(LAZY_MODULES)) {
    assertEquals(normalize(path), typed.get(name), name);
    assert(Deno.statSync(join(REPO, path)).isFile, path);
  }
});

Deno.test("main.ts imports nothing by a literal dynamic specifier", async () => {
  const source = await Deno.readTextFile(`${REPO}/main.ts`);
  assertEquals(source.match(/import\(\s*["'`]/g), null);
  assert(source.includes('load("status")'), "status is loaded on demand");
});
