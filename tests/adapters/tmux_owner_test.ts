import { assertEquals } from "../helpers/assert.ts";
import { createRunner } from "../../src/adapters/process.ts";
import { Tmux } from "../../src/adapters/tmux.ts";
import { escapeArg, formatLiteral } from "../../src/adapters/tmux_args.ts";
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
