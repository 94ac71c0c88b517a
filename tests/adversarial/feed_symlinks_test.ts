/**
 * Symlinks planted at the town's `.feed.jsonl` and `.events.jsonl`: the
 * feed curator neither appends to nor reads from a file outside the town.
 * It logs the refusal and goes on once a regular file is back.
 */

import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import { waitFor } from "../helpers/cli.ts";
import {
  EVENTS_FILE,
  FEED_FILE,
  FeedStartError,
  startFeedCurator,
} from "../../src/adapters/feed_files.ts";
import { MemoryLog } from "../../src/log.ts";
import { eventLine } from "../fixtures/feed_events.ts";

const EVENT = eventLine("sling", "alpha/Toast", {
  visibility: "feed",
  payload: {},
});

const RC = "# a shell rc file outside the town\nexport PS1='$ '\n";

async function withRoot(
  fn: (town: string, outside: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "gtd-feedlink-" });
  try {
    await Deno.mkdir(`${root}/town`);
    await Deno.writeTextFile(`${root}/bashrc`, RC);
    await fn(`${root}/town`, `${root}/bashrc`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a symlink at .feed.jsonl is never appended through; curated lines resume once it is a regular file", async () => {
  await withRoot(async (town, outside) => {
    await Deno.symlink(outside, `${town}/${FEED_FILE}`);
    const log = new MemoryLog();
    const c = await startFeedCurator(town, log, { pollMs: 10 });
    try {
      await Deno.writeTextFile(`${town}/${EVENTS_FILE}`, EVENT, {
        append: true,
      });
      assert(
        await waitFor(
          () => log.lines.some((l) => l.includes("Not a regular file")),
          5_000,
        ),
        log.lines.join("\n"),
      );
      assertEquals(await Deno.readTextFile(outside), RC);
      assert((await Deno.lstat(`${town}/${FEED_FILE}`)).isSymlink);
      const line = log.lines.find((l) => l.includes("Not a regular file"))!;
      assert(line.includes(FEED_FILE) && line.includes("symlink"), line);
      // Removed by its owner: the next event is curated into a regular file.
      await Deno.remove(`${town}/${FEED_FILE}`);
      await Deno.writeTextFile(
        `${town}/${EVENTS_FILE}`,
        EVENT.replace("alpha/Toast", "alpha/Nux"),
        { append: true },
      );
      assert(
        await waitFor(async () => {
          try {
            return (await Deno.readTextFile(`${town}/${FEED_FILE}`))
              .includes("alpha/Nux");
          } catch {
            return false;
          }
        }, 5_000),
      );
      assert((await Deno.lstat(`${town}/${FEED_FILE}`)).isFile);
    } finally {
      await c.stop();
    }
    assertEquals(await Deno.readTextFile(outside), RC);
  });
});

Deno.test("a symlink at .events.jsonl is neither created through nor read", async (t) => {
  await t.step("present at start: the curator refuses to start", async () => {
    await withRoot(async (town, outside) => {
      await Deno.symlink(outside, `${town}/${EVENTS_FILE}`);
      await assertRejects(
        () => startFeedCurator(town, new MemoryLog(), { pollMs: 10 }),
        FeedStartError,
        "Not a regular file",
      );
      assertEquals(await Deno.readTextFile(outside), RC);
    });
  });
  await t.step(
    "a dangling one at start: its target is not created",
    async () => {
      await withRoot(async (town, outside) => {
        const target = `${outside}.new`;
        await Deno.symlink(target, `${town}/${EVENTS_FILE}`);
        await assertRejects(
          () => startFeedCurator(town, new MemoryLog(), { pollMs: 10 }),
          FeedStartError,
        );
        await assertRejects(() => Deno.lstat(target), Deno.errors.NotFound);
      });
    },
  );
  await t.step("planted while running: its lines are not curated", async () => {
    await withRoot(async (town, outside) => {
      const log = new MemoryLog();
      const c = await startFeedCurator(town, log, { pollMs: 10 });
      try {
        await Deno.writeTextFile(outside, EVENT.repeat(3), { append: true });
        await Deno.remove(`${town}/${EVENTS_FILE}`);
        await Deno.symlink(outside, `${town}/${EVENTS_FILE}`);
        assert(
          await waitFor(
            () => log.lines.some((l) => l.includes("not a regular file")),
            5_000,
          ),
          log.lines.join("\n"),
        );
      } finally {
        await c.stop();
      }
      await assertRejects(
        () => Deno.lstat(`${town}/${FEED_FILE}`),
        Deno.errors.NotFound,
      );
    });
  });
});
