import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import {
  alive,
  baseEnv,
  MAIN,
  makeTown,
  readPid,
  runCli,
  type TempTown,
  waitFor,
} from "../helpers/cli.ts";
import { LAUNCH_ENV_MARKER } from "../../src/adapters/launch_env.ts";
import { v8FlagsArg } from "../../src/adapters/tools.ts";

/** `bd` and `gt` that record their environment and print an empty list. */
const RECORDER = `#!/bin/sh
env > "$GT_FAKE_DIR/child-env.$$"
mv "$GT_FAKE_DIR/child-env.$$" "$GT_FAKE_DIR/child-env"
echo '[]'
`;

async function recorderEnv(
  t: TempTown,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const bin = `${t.root}/recorder-bin`;
  await Deno.mkdir(bin);
  for (const p of ["bd", "gt"]) {
    await Deno.writeTextFile(`${bin}/${p}`, RECORDER, { mode: 0o755 });
  }
  const env = baseEnv(t.root, extra);
  env.PATH = `${bin}:${env.PATH}`;
  return env;
}

function procList(pid: number, file: "cmdline" | "environ"): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/${file}`).split("\0")
    .filter((s) => s !== "");
}

/** Starts a daemon; returns its PID and the environment a child of it saw. */
async function startAndWatch(
  t: TempTown,
  env: Record<string, string>,
): Promise<{ pid: number; child: string[] }> {
  const start = await runCli(["start", "--interval", "200ms"], {
    cwd: t.town,
    env,
  });
  assertEquals(start.code, 0, start.stderr);
  const pid = await readPid(t.town);
  assert(pid !== null && alive(pid), "the PID file names a live daemon");
  const file = `${t.root}/fake/child-env`;
  assert(
    await waitFor(async () => {
      try {
        return (await Deno.readTextFile(file)).length > 0;
      } catch {
        return false;
      }
    }),
    "a bd or gt the daemon ran recorded its environment",
  );
  const child = (await Deno.readTextFile(file)).split("\n");
  assert(child.includes(`GT_FAKE_DIR=${t.root}/fake`), child.join("\n"));
  return { pid, child };
}

async function stop(t: TempTown, env: Record<string, string>, pid: number) {
  const r = await runCli(["stop"], { cwd: t.town, env });
  assertEquals(r.code, 0, r.stderr);
  assert(await waitFor(() => !alive(pid), 5_000));
}

Deno.test("start runs the daemon with the V8 flags and MALLOC_ARENA_MAX that its children do not get", async (t) => {
  await t.step(
    "adds MALLOC_ARENA_MAX=2 when the environment lacks it",
    async () => {
      const town = await makeTown();
      try {
        const env = await recorderEnv(town);
        const { pid, child } = await startAndWatch(town, env);
        const argv = procList(pid, "cmdline");
        const flag = argv.indexOf(v8FlagsArg());
        assert(flag > 0 && flag < argv.indexOf(MAIN), argv.join(" "));
        assertEquals(argv.slice(argv.indexOf(MAIN) + 1, -2), [
          "run",
          "--town",
          town.town,
        ]);
        const environ = procList(pid, "environ");
        assert(environ.includes("MALLOC_ARENA_MAX=2"), environ.join("\n"));
        assert(environ.includes(`${LAUNCH_ENV_MARKER}=MALLOC_ARENA_MAX`));
        const leaked = child.filter((l) =>
          l.startsWith("MALLOC_ARENA_MAX=") ||
          l.startsWith(`${LAUNCH_ENV_MARKER}=`)
        );
        assertEquals(leaked, []);
        await stop(town, env, pid);
      } finally {
        await town.close();
      }
    },
  );

  await t.step(
    "passes an operator's MALLOC_ARENA_MAX on unchanged",
    async () => {
      const town = await makeTown();
      try {
        const env = await recorderEnv(town, { MALLOC_ARENA_MAX: "4" });
        const { pid, child } = await startAndWatch(town, env);
        const environ = procList(pid, "environ");
        assert(environ.includes("MALLOC_ARENA_MAX=4"), environ.join("\n"));
        assert(environ.includes(`${LAUNCH_ENV_MARKER}=`));
        assertStringIncludes(child.join("\n"), "\nMALLOC_ARENA_MAX=4\n");
        assertEquals(
          child.filter((l) => l.startsWith(`${LAUNCH_ENV_MARKER}=`)),
          [],
        );
        await stop(town, env, pid);
      } finally {
        await town.close();
      }
    },
  );
});
