/**
 * The one-shot commands' read of town files: regular files only, the same
 * refusals and wording as the daemon's `O_NOFOLLOW | O_NONBLOCK` read, and
 * a file replaced between the check and the open is refused, read again, or
 * (a FIFO, which blocks the open) given up on at the deadline.
 */

import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { mkfifo } from "../adversarial/support.ts";
import { FakeClock } from "../fakes/clock.ts";
import {
  OPEN_TIMEOUT_MS,
  readChecked,
  readCheckedText,
} from "../../src/adapters/checked_read.ts";
import { readRegularFile } from "../../src/adapters/regular_file.ts";

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a rejection");
}

/** Runs `fn` with a fresh temp dir, removed afterwards. */
async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gtd-checked-read-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readChecked() reads a regular file, gives null for a missing one, and stops at the cap", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/f`, "12345");
    assertEquals(await readCheckedText(`${dir}/f`), "12345");
    assertEquals(await readCheckedText(`${dir}/f`, { maxBytes: 5 }), "12345");
    assertEquals(await readChecked(`${dir}/missing`), null);
    await Deno.writeTextFile(`${dir}/empty`, "");
    assertEquals(await readCheckedText(`${dir}/empty`), "");
    assertEquals(
      await messageOf(readChecked(`${dir}/f`, { maxBytes: 4 })),
      `File too large: "${dir}/f" is 5 bytes (limit 4)`,
    );
  });
});

Deno.test("readChecked() refuses a symlink, FIFO, socket, device and directory with the daemon read's very messages, without blocking", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/target`, "secret");
    await Deno.symlink(`${dir}/target`, `${dir}/link`);
    await Deno.symlink("/dev/zero", `${dir}/zero`);
    await mkfifo(`${dir}/fifo`);
    await Deno.mkdir(`${dir}/dir`);
    const listener = Deno.listen({ transport: "unix", path: `${dir}/sock` });
    try {
      const cases: [string, string][] = [
        [`${dir}/link`, "a symlink"],
        [`${dir}/zero`, "a symlink"],
        [`${dir}/fifo`, "a FIFO"],
        [`${dir}/dir`, "a directory"],
        [`${dir}/sock`, "a socket"],
        ["/dev/null", "a device"],
      ];
      for (const [path, kind] of cases) {
        const ours = await messageOf(readChecked(path));
        assertEquals(ours, `Not a regular file: "${path}" is ${kind}`);
        // open(2) of a socket fails (ENXIO) before the daemon's fstat can
        // name it; every other kind gets the same message from both.
        const daemons = await messageOf(readRegularFile(path));
        if (kind !== "a socket") assertEquals(daemons, ours, path);
      }
    } finally {
      listener.close();
    }
  });
});

Deno.test("a FIFO swapped in between the check and the open is given up on at the deadline, and its open is cleaned up", async () => {
  await inTemp(async (dir) => {
    const path = `${dir}/daemon.pid`;
    await Deno.writeTextFile(path, "42");
    const clock = new FakeClock();
    let abandoned: Promise<void> | null = null;
    const reading = readChecked(path, {
      clock,
      beforeOpen: async () => {
        await Deno.remove(path);
        await mkfifo(path);
      },
      onAbandoned: (settled) => abandoned = settled,
    });
    const failed = assertRejects(() => reading, Error, "Timed out opening");
    // The open blocks on the FIFO; only the deadline ends the read.
    const deadline = Date.now() + 10_000;
    while (clock.pending.length === 0) {
      assert(Date.now() < deadline, "the open's deadline was never armed");
      await new Promise((r) => setTimeout(r, 5));
    }
    await clock.advance(OPEN_TIMEOUT_MS - 1);
    assertEquals(abandoned, null, "given up before the deadline");
    await clock.advance(1);
    const err = await failed;
    assertStringIncludes(err.message, `"${path}" after ${OPEN_TIMEOUT_MS} ms`);
    assert(abandoned !== null);
    // A writer releases the blocked open; the file it opened is closed.
    const writer = await Deno.open(path, { write: true });
    writer.close();
    await abandoned;
  });
});

Deno.test("a symlink or device swapped in between the check and the open is refused unread", async () => {
  await inTemp(async (dir) => {
    const path = `${dir}/state.json`;
    await Deno.writeTextFile(`${dir}/elsewhere`, "not the town's");
    for (
      const [target, message] of [
        [`${dir}/elsewhere`, `Not a regular file: "${path}" is a symlink`],
        ["/dev/zero", `Not a regular file: "${path}" is a device`],
      ]
    ) {
      await Deno.writeTextFile(path, "{}");
      let swaps = 0;
      const got = await messageOf(readChecked(path, {
        beforeOpen: async () => {
          if (swaps++ > 0) return;
          await Deno.remove(path);
          await Deno.symlink(target!, path);
        },
      }));
      assertEquals(got, message);
      await Deno.remove(path);
    }
  });
});

Deno.test("a regular file renamed over the path between the check and the open is checked again and read", async () => {
  await inTemp(async (dir) => {
    const path = `${dir}/state.json`;
    await Deno.writeTextFile(path, "old");
    let swaps = 0;
    const text = await readCheckedText(path, {
      beforeOpen: async () => {
        if (swaps++ > 0) return;
        await Deno.writeTextFile(`${dir}/state.json.tmp`, "new");
        await Deno.rename(`${dir}/state.json.tmp`, path);
      },
    });
    assertEquals([text, swaps], ["new", 2]);
    // Replaced before every open: refused after three tries.
    let n = 0;
    const message = await messageOf(readChecked(path, {
      beforeOpen: async () => {
        await Deno.writeTextFile(`${dir}/state.json.tmp`, `v${n++}`);
        await Deno.rename(`${dir}/state.json.tmp`, path);
      },
    }));
    assertEquals(
      message,
      `File kept changing: "${path}" was replaced between its check and its open 3 times in a row`,
    );
    assertEquals(n, 3);
  });
});
