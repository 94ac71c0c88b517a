import assert from "node:assert/strict";
import { join } from "node:path";
import { PERMISSION_FLAGS } from "../../src/adapters/tools.ts";

const FIXTURE = new URL("./tools_self_fixture.ts", import.meta.url).pathname;

Deno.test({
  name:
    "selfCommand() spawns a detached copy that has exactly PERMISSION_FLAGS",
  // The detached grandchild is not ours to await; it is waited for through
  // its output file and its PID is checked to be gone.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    let childPid: number | undefined;
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...PERMISSION_FLAGS,
          "--no-prompt",
          FIXTURE,
          "parent",
          dir,
        ],
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const parent = JSON.parse(new TextDecoder().decode(out.stdout));
      childPid = parent.pid;
      const file = join(dir, "child.json");
      const deadline = Date.now() + 20_000;
      let text: string | undefined;
      while (text === undefined && Date.now() < deadline) {
        try {
          text = await Deno.readTextFile(file);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.ok(text, "the detached child wrote no result within 20 s");
      const child = JSON.parse(text);
      assert.equal(child.ppid === parent.pid, false);
      assert.deepEqual(
        [child.read, child.write, child.run, child.env, child.sys],
        ["granted", "granted", "granted", "granted", "granted"],
      );
      assert.equal(child.procReadable, true);
      assert.equal(child.locked, true);
      assert.equal(child.ranTrue, 0);
      assert.equal(child.info.standalone, false);
      assert.equal(child.info.program, FIXTURE);
    } finally {
      if (childPid !== undefined) await waitGone(childPid);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function waitGone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      Deno.kill(pid, "SIGCONT");
    } catch {
      return;
    }
    if (await isZombie(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  Deno.kill(pid, "SIGKILL");
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
