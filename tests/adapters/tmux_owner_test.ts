import { assertEquals } from "../helpers/assert.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { Tmux } from "../../src/adapters/tmux.ts";
import { escapeArg, formatLiteral } from "../../src/adapters/tmux_args.ts";
import { TmuxSessionExistsError } from "../../src/adapters/tmux_errors.ts";
import { startPrivateTmux } from "../helpers/tmux_server.ts";

Deno.test("escapeArg() protects only a final ';' and formatLiteral() doubles '#'", () => {
  assertEquals(escapeArg("a;"), "a\\;");
  assertEquals(escapeArg(";"), "\\;");
  assertEquals(escapeArg("a\\;"), "a\\\\;");
  assertEquals(escapeArg("a;b"), "a;b");
  assertEquals(formatLiteral("/t/#(x)#{y}##"), "/t/##(x)##{y}####");
});

Deno.test("a town's Tmux tags the sessions it creates and tells whose each session is", async () => {
  const srv = await startPrivateTmux();
  try {
    // Characters that mean something in formats, patterns and shells.
    const town = `${srv.dir}/to,wn}#{x}*[a]?:é`;
    const other = `${srv.dir}/to,wn}#{x}*[a]?:é2`;
    for (const d of [town, `${town}/deacon`, other]) {
      await Deno.mkdir(d, { recursive: true });
    }
    const runner = createRunner();
    const ours = new Tmux(runner, { env: srv.env, town });
    const theirs = new Tmux(runner, { env: srv.env, town: other });
    const plain = new Tmux(runner, { env: srv.env });
    await ours.newSession("gt-mayor", { dir: town, command: "sleep 60" });
    await theirs.newSession("gt-deacon", { dir: other, command: "sleep 60" });
    await plain.newSession("gt-boot", {
      dir: `${town}/deacon`,
      command: "sleep 60",
    });
    await plain.newSession("gt-a-witness", {
      dir: other,
      command: "sleep 60",
    });
    assertEquals(
      await srv.run(["show-options", "-v", "-t", "=gt-mayor:", "@gt_town"]),
      town,
    );
    const panes = await ours.listPanes();
    const owner = (s: string) => panes.get(s)?.map((p) => p.owner);
    assertEquals(owner("gt-mayor"), ["town"]);
    assertEquals(owner("gt-deacon"), ["other-town"]);
    assertEquals(owner("gt-boot"), ["untagged-in-town"]);
    assertEquals(owner("gt-a-witness"), ["untagged"]);
    assertEquals(owner("keepalive"), ["untagged"]);
    assertEquals((await ours.panes("gt-deacon"))[0]?.owner, "other-town");
    assertEquals((await ours.panes("gt-mayor"))[0]?.owner, "town");
    assertEquals((await ours.panes("gt-mayor"))[0]?.command, "sleep");
    const untold = await plain.listPanes();
    assertEquals(untold.get("gt-mayor")?.[0]?.owner, undefined);
  } finally {
    await srv.close();
  }
});

Deno.test("replaceOwnSession() kills and recreates a town's session in one tmux call, creates a missing one, and keeps another town's", async () => {
  const srv = await startPrivateTmux();
  try {
    const town = `${srv.dir}/town`;
    const other = `${srv.dir}/other`;
    for (const d of [town, other]) await Deno.mkdir(d, { recursive: true });
    const calls: string[][] = [];
    const base = createRunner();
    const runner: typeof base = {
      ...base,
      run: (argv, opts) => {
        if (argv[0] === "tmux") calls.push([...argv]);
        return base.run(argv, opts);
      },
    };
    const ours = new Tmux(runner, { env: srv.env, town });
    const theirs = new Tmux(createRunner(), { env: srv.env, town: other });
    const pid = async (s: string) =>
      await srv.run(["display-message", "-p", "-t", `=${s}:`, "#{pane_pid}"]);
    await ours.newSession("gt-a-p1", {
      dir: town,
      command: "sleep 60",
      remainOnExit: true,
    });
    const before = await pid("gt-a-p1");
    calls.length = 0;
    assertEquals(
      await ours.replaceOwnSession("gt-a-p1", {
        dir: town,
        command: "sleep 61",
        remainOnExit: true,
      }),
      true,
    );
    assertEquals(calls.length, 1);
    const after = await pid("gt-a-p1");
    assertEquals(after !== before, true);
    assertEquals(
      await srv.run([
        "display-message",
        "-p",
        "-t",
        "=gt-a-p1:",
        "#{@gt_town}",
      ]),
      town,
    );

    calls.length = 0;
    assertEquals(
      await ours.replaceOwnSession("gt-a-p2", {
        dir: town,
        command: "sleep 60",
      }),
      false,
    );
    assertEquals(calls.length, 1);
    assertEquals((await ours.panes("gt-a-p2"))[0]?.owner, "town");

    await theirs.newSession("gt-b-p1", { dir: other, command: "sleep 60" });
    const foreign = await pid("gt-b-p1");
    const err = await ours.replaceOwnSession("gt-b-p1", {
      dir: town,
      command: "sleep 62",
    }).then(() => null, (e) => e);
    assertEquals(err instanceof TmuxSessionExistsError, true);
    assertEquals(await pid("gt-b-p1"), foreign);
    assertEquals((await ours.panes("gt-b-p1"))[0]?.owner, "other-town");
  } finally {
    await srv.close();
  }
});
