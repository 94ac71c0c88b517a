/**
 * Test program for tools_test.ts. `parent <dir>` re-spawns this program
 * through selfCommand(), detached, and prints the child's PID. `child <dir>`
 * records what its permissions allow into `<dir>/child.json`.
 *
 * @module
 */

import {
  PERMISSION_FLAGS,
  runtimeInfo,
  selfCommand,
} from "../../src/adapters/tools.ts";

const [mode, dir] = Deno.args;
if (dir === undefined) throw new Error("Usage: parent|child <dir>");

if (mode === "parent") {
  const [program, ...rest] = selfCommand();
  const child = new Deno.Command(program!, {
    args: [...rest, "child", dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  console.log(JSON.stringify({ pid: child.pid, self: selfCommand() }));
} else {
  const state = (name: Deno.PermissionName) =>
    Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state;
  const lockFile = await Deno.open(`${dir}/child.lock`, {
    read: true,
    write: true,
    create: true,
  });
  const locked = await lockFile.tryLock(true);
  const ran = await new Deno.Command("true").output();
  // Deno lets a program read /proc only with every permission.
  const procReadable = ["/proc/locks", `/proc/${Deno.pid}/stat`].every((f) => {
    try {
      return Deno.readTextFileSync(f).length > 0;
    } catch {
      return false;
    }
  });
  const result = {
    flags: PERMISSION_FLAGS,
    info: runtimeInfo(),
    ppid: Deno.ppid,
    home: Deno.env.get("HOME") ?? null,
    read: state("read"),
    write: state("write"),
    run: state("run"),
    env: state("env"),
    net: state("net"),
    ffi: state("ffi"),
    sys: state("sys"),
    locked,
    ranTrue: ran.code,
    procReadable,
  };
  lockFile.close();
  await Deno.writeTextFile(`${dir}/child.json.tmp`, JSON.stringify(result));
  await Deno.rename(`${dir}/child.json.tmp`, `${dir}/child.json`);
}
