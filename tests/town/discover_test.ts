import { assertEquals } from "../helpers/assert.ts";
import { findTown, isTown } from "../../src/town/discover.ts";

const realFs = {
  async exists(p: string) {
    try {
      await Deno.stat(p);
      return true;
    } catch {
      return false;
    }
  },
  async isDir(p: string) {
    try {
      return (await Deno.stat(p)).isDirectory;
    } catch {
      return false;
    }
  },
};

async function tree(files: string[], dirs: string[] = []) {
  const root = await Deno.makeTempDir({ prefix: "gtd-ws-" });
  for (const d of dirs) await Deno.mkdir(`${root}/${d}`, { recursive: true });
  for (const f of files) {
    await Deno.mkdir(`${root}/${f}`.replace(/\/[^/]+$/, ""), {
      recursive: true,
    });
    await Deno.writeTextFile(`${root}/${f}`, "{}");
  }
  return root;
}

Deno.test("findTown() follows the reference's marker rules", async (t) => {
  await t.step("WS-01 primary marker above a deep path", async () => {
    const r = await tree(["mayor/town.json"], ["some/deep/path"]);
    assertEquals(await findTown(`${r}/some/deep/path`, realFs), r);
    await Deno.remove(r, { recursive: true });
  });
  await t.step("WS-02 secondary marker only", async () => {
    const r = await tree([], ["mayor", "rigs/test"]);
    assertEquals(await findTown(`${r}/rigs/test`, realFs), r);
    await Deno.remove(r, { recursive: true });
  });
  await t.step("WS-03 no markers gives null", async () => {
    const r = await tree([], ["x"]);
    assertEquals(await findTown(`${r}/x`, realFs), null);
    await Deno.remove(r, { recursive: true });
  });
  await t.step("WS-05 start at the root", async () => {
    const r = await tree(["mayor/town.json"]);
    assertEquals(await findTown(r, realFs), r);
    assertEquals(await isTown(r, realFs), true);
    await Deno.remove(r, { recursive: true });
  });
  await t.step(
    "nearest primary wins outside a worktree, after an inner secondary",
    async () => {
      const r = await tree(["mayor/town.json"], [
        "gastown/mayor",
        "gastown/witness",
      ]);
      assertEquals(await findTown(`${r}/gastown/witness`, realFs), r);
      await Deno.remove(r, { recursive: true });
    },
  );
  await t.step("WS-07/08 a symlinked path is kept, not resolved", async () => {
    const r = await tree(["actual/mayor/town.json"], [
      "actual/rigs/project/polecats/worker",
    ]);
    await Deno.symlink(`${r}/actual`, `${r}/linked`);
    assertEquals(
      await findTown(`${r}/linked/rigs/project/polecats/worker`, realFs),
      `${r}/linked`,
    );
    await Deno.remove(r, { recursive: true });
  });
  await t.step(
    "WS-09/10 nested towns inside polecats/ and crew/ are skipped",
    async () => {
      const r = await tree([
        "mayor/town.json",
        "myrig/polecats/worker/mayor/town.json",
        "myrig/crew/worker/mayor/town.json",
      ]);
      assertEquals(await findTown(`${r}/myrig/polecats/worker`, realFs), r);
      assertEquals(await findTown(`${r}/myrig/crew/worker`, realFs), r);
      await Deno.remove(r, { recursive: true });
    },
  );
  await t.step("relative start directories resolve against cwd", async () => {
    const r = await tree(["mayor/town.json"], ["a/b"]);
    assertEquals(await findTown("a/b/", realFs, r), r);
    await Deno.remove(r, { recursive: true });
  });
});
