import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import { join } from "node:path";
import {
  EVENTS_FILE,
  FEED_FILE,
  FeedStartError,
  startFeedCurator,
} from "../../src/adapters/feed_files.ts";
import { MemoryLog } from "../../src/log.ts";
import { eventLine } from "../fixtures/feed_events.ts";

function ev(
  type: string,
  actor: string,
  extra: Record<string, unknown> = {},
): string {
  return eventLine(type, actor, { visibility: "feed", ...extra });
}

async function feedLines(town: string): Promise<Record<string, unknown>[]> {
  try {
    const text = await Deno.readTextFile(join(town, FEED_FILE));
    return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

async function waitFor<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function append(path: string, text: string | Uint8Array): Promise<void> {
  const data = typeof text === "string" ? new TextEncoder().encode(text) : text;
  await Deno.writeFile(path, data, { append: true });
}

/**
 * A clock that counts a curator's polls: each poll over an existing events
 * file reads it at least once.
 */
function pollCounter(): { polls: number; now: () => number } {
  const c = {
    polls: 0,
    now: () => {
      c.polls++;
      return Date.now();
    },
  };
  return c;
}

async function withTown(fn: (town: string) => Promise<void>): Promise<void> {
  const town = await Deno.makeTempDir({ prefix: "gt-feed-" });
  try {
    await fn(town);
  } finally {
    await Deno.remove(town, { recursive: true });
  }
}

Deno.test("startFeedCurator() tails the events file into the feed", async (t) => {
  await t.step(
    "creates a missing events file with mode 0644 (FEED-12)",
    async () => {
      await withTown(async (town) => {
        const c = await startFeedCurator(town, new MemoryLog());
        await c.stop();
        const info = await Deno.stat(join(town, EVENTS_FILE));
        assert(info.isFile);
        assertEquals((info.mode ?? 0) & 0o777 & ~0o644, 0);
        assertEquals((info.mode ?? 0) & 0o600, 0o600);
      });
    },
  );

  await t.step(
    "curates only events appended after the start (FEED-12, E2E-28)",
    async () => {
      await withTown(async (town) => {
        const events = join(town, EVENTS_FILE);
        await Deno.writeTextFile(events, ev("handoff", "E0"));
        const clock = pollCounter();
        const c = await startFeedCurator(town, new MemoryLog(), {
          now: clock.now,
        });
        try {
          await append(
            events,
            ev("sling", "mayor", {
              payload: { bead: "gt-1", target: "gastown/a" },
            }) +
              ev("internal_check", "daemon", { visibility: "audit" }) +
              ev("done", "gastown/slit", { payload: { bead: "slit-1" } })
                .repeat(3) +
              "{malformed\n" +
              ev("handoff", "gastown/witness", { visibility: "both" }),
          );
          const lines = await waitFor(
            () => feedLines(town),
            (l) => l.length >= 3,
            1_000,
          );
          assertEquals(
            lines.map((l) => l.summary),
            [
              "mayor assigned gt-1 to gastown/a",
              "gastown/slit completed work on slit-1",
              "gastown/witness handed off to fresh session",
            ],
          );
          const info = await Deno.stat(join(town, FEED_FILE));
          assertEquals((info.mode ?? 0) & 0o777 & ~0o644, 0);
        } finally {
          await c.stop();
        }
        const pollsAtStop = clock.polls;
        await append(events, ev("handoff", "after-stop"));
        // A curator still running would have polled several times by the
        // time a second one, on the same interval, has.
        await withTown(async (other) => {
          const witness = pollCounter();
          const w = await startFeedCurator(other, new MemoryLog(), {
            now: witness.now,
          });
          try {
            await waitFor(() => Promise.resolve(witness.polls), (n) => n >= 3);
          } finally {
            await w.stop();
          }
          assert(witness.polls >= 3, `witness polled ${witness.polls} times`);
        });
        assertEquals(clock.polls, pollsAtStop);
        assertEquals((await feedLines(town)).length, 3);
      });
    },
  );

  await t.step("shows an appended event in the feed (FEED-01)", async () => {
    await withTown(async (town) => {
      const c = await startFeedCurator(town, new MemoryLog());
      try {
        await append(join(town, EVENTS_FILE), ev("hook", "a"));
        const lines = await waitFor(
          () => feedLines(town),
          (l) => l.length > 0,
        );
        assertEquals(lines.map((l) => l.actor), ["a"]);
      } finally {
        await c.stop();
      }
    });
  });

  await t.step(
    "stop() cancels the next poll instead of waiting for it (FEED-16)",
    async () => {
      await withTown(async (town) => {
        // The next poll is an hour away: stop() must not wait for it.
        const c = await startFeedCurator(town, new MemoryLog(), {
          pollMs: 3_600_000,
        });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stopped = await Promise.race([
          c.stop().then(() => true),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(false), 30_000);
          }),
        ]);
        clearTimeout(timer);
        assert(stopped, "stop() waited for the next poll");
      });
    },
  );

  await t.step(
    "restarts from the top after truncation and rotation",
    async () => {
      await withTown(async (town) => {
        const events = join(town, EVENTS_FILE);
        await Deno.writeTextFile(events, ev("hook", "old").repeat(20));
        const c = await startFeedCurator(town, new MemoryLog(), { pollMs: 10 });
        try {
          await Deno.writeTextFile(events, ev("hook", "after-truncate"));
          await waitFor(() => feedLines(town), (l) => l.length >= 1);
          await Deno.rename(events, events + ".1");
          await Deno.writeTextFile(events, ev("hook", "after-rotate"));
          const lines = await waitFor(
            () => feedLines(town),
            (l) => l.length >= 2,
          );
          assertEquals(
            lines.map((l) => l.actor),
            ["after-truncate", "after-rotate"],
          );
        } finally {
          await c.stop();
        }
      });
    },
  );

  await t.step("joins a line and a character split across polls", async () => {
    await withTown(async (town) => {
      const events = join(town, EVENTS_FILE);
      const c = await startFeedCurator(town, new MemoryLog(), { pollMs: 5 });
      try {
        const bytes = new TextEncoder().encode(ev("hook", "日本"));
        const cut = bytes.indexOf(0xe6) + 1; // inside the first 3-byte character
        await append(events, bytes.subarray(0, cut));
        await new Promise((r) => setTimeout(r, 60));
        assertEquals(await feedLines(town), []);
        await append(events, bytes.subarray(cut));
        const lines = await waitFor(() => feedLines(town), (l) => l.length > 0);
        assertEquals(lines.map((l) => l.actor), ["日本"]);
      } finally {
        await c.stop();
      }
    });
  });

  await t.step("delivers 1,000 events written in small pieces", async () => {
    await withTown(async (town) => {
      const events = join(town, EVENTS_FILE);
      const c = await startFeedCurator(town, new MemoryLog(), {
        pollMs: 5,
        now: () => 1_000_000,
      });
      try {
        let text = "";
        for (let i = 0; i < 1000; i++) {
          text += i % 100 === 0
            ? ev("done", "D", { payload: { bead: `b${i}` } })
            : ev("hook", `agent-${i}`, {
              payload: { note: `ünï → ${i} 日本語` },
            });
        }
        const bytes = new TextEncoder().encode(text);
        for (let i = 0, n = 0; i < bytes.length; i += 37, n++) {
          await append(events, bytes.subarray(i, i + 37));
          if (n % 150 === 0) await new Promise((r) => setTimeout(r, 8));
        }
        const want = 1000 - 9;
        const lines = await waitFor(
          () => feedLines(town),
          (l) => l.length >= want,
        );
        assertEquals(lines.length, want);
        assertEquals(lines.filter((l) => l.type === "done").length, 1);
        const notes = lines.filter((l) => l.type === "hook")
          .map((l) => (l.payload as { note: string }).note);
        assertEquals(notes[0], "ünï → 1 日本語");
        assert(notes.every((n) => /^ünï → \d+ 日本語$/.test(n)));
      } finally {
        await c.stop();
      }
    });
  });

  await t.step(
    "fails to start when the events file cannot be created",
    async () => {
      await assertRejects(
        () => startFeedCurator("/nonexistent/town/dir", new MemoryLog()),
        FeedStartError,
        "Cannot open events file",
      );
    },
  );
});
