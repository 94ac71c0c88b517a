import { assert, assertEquals } from "../helpers/assert.ts";
import { FileLog } from "../../src/adapters/log_file.ts";
import { followFile } from "../../src/adapters/follow.ts";
import { waitFor } from "../helpers/cli.ts";

/** Every log file of `path`, oldest first, concatenated. */
async function allLogFiles(path: string): Promise<string> {
  const dir = path.replace(/\/[^/]+$/, "");
  const base = path.slice(dir.length + 1);
  const rotated: number[] = [];
  for await (const e of Deno.readDir(dir)) {
    const m = e.name.match(/^(.+)\.(\d+)$/);
    if (m && m[1] === base) rotated.push(Number(m[2]));
  }
  rotated.sort((a, b) => b - a);
  let out = "";
  for (const n of rotated) out += await Deno.readTextFile(`${path}.${n}`);
  return out + await Deno.readTextFile(path);
}

/** The message part of Go-format log lines. */
const messages = (text: string) =>
  text.split("\n").filter((l) => l).map((l) => l.slice(20));

Deno.test("followFile() loses and repeats nothing while another process writes in bursts and rotates", async () => {
  const dir = await Deno.makeTempDir();
  const ac = new AbortController();
  const path = `${dir}/daemon.log`;
  const count = 3_000;
  await Deno.writeTextFile(path, "2026/01/01 00:00:00 before\n");
  let seen = "";
  const following = followFile(path, (t) => (seen += t), {
    pollMs: 40,
    signal: ac.signal,
  });
  const writer = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      new URL("./follow_writer_fixture.ts", import.meta.url).pathname,
      path,
      String(count),
      "1000",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    assertEquals((await writer.status).code, 0);
    const last = `line ${count - 1}\n`;
    assert(await waitFor(() => seen.endsWith(last), 10_000), seen.slice(-200));
    const files = await allLogFiles(path);
    // Dozens of rotations happened, some of them several between two polls.
    assert(files.length > 50 * 1000, `${files.length} bytes written`);
    const followed = messages(seen);
    assertEquals(followed.length, count);
    assertEquals(followed, messages(files).slice(1));
    assertEquals(
      followed,
      Array.from({ length: count }, (_, i) => `line ${i}`),
    );
  } finally {
    ac.abort();
    await following;
    try {
      writer.kill("SIGKILL");
    } catch {
      // already exited
    }
    await writer.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followFile() reads every file rotated between two polls, in order", async () => {
  const dir = await Deno.makeTempDir();
  const ac = new AbortController();
  try {
    const path = `${dir}/daemon.log`;
    const log = new FileLog(path, { maxBytes: 200, keep: 50 });
    log.log("first");
    let seen = "";
    const following = followFile(path, (t) => (seen += t), {
      pollMs: 30,
      signal: ac.signal,
      lines: 1,
    });
    assert(await waitFor(() => seen.includes("first"), 10_000));
    // Nine rotations at once, between two polls.
    const before = seen;
    for (let i = 0; i < 60; i++) log.log(`burst ${i}`);
    assert(
      await waitFor(() => seen.includes("burst 59\n"), 10_000),
      seen,
    );
    assertEquals(
      messages(seen.slice(before.length)),
      Array.from({ length: 60 }, (_, i) => `burst ${i}`),
    );
    assertEquals(messages(before), ["first"]);
    const rotated = [...Deno.readDirSync(dir)].length - 1;
    assert(rotated >= 5, `${rotated} rotations`);
    ac.abort();
    await following;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followFile() starts again from the top of a file truncated in place, and of a file re-created after deletion", async () => {
  const dir = await Deno.makeTempDir();
  const ac = new AbortController();
  try {
    const path = `${dir}/daemon.log`;
    await Deno.writeTextFile(path, "old old old old\n");
    let seen = "";
    const following = followFile(path, (t) => (seen += t), {
      pollMs: 20,
      signal: ac.signal,
    });
    await Deno.writeTextFile(path, "one\n", { append: true });
    assert(await waitFor(() => seen === "one\n", 10_000), seen);
    await Deno.truncate(path, 0);
    await Deno.writeTextFile(path, "two\n", { append: true });
    assert(await waitFor(() => seen === "one\ntwo\n", 10_000), seen);
    await Deno.remove(path);
    await Deno.writeTextFile(path, "three\n");
    assert(await waitFor(() => seen === "one\ntwo\nthree\n", 10_000), seen);
    ac.abort();
    await following;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followFile() with lines writes the last lines and then everything after them, from one open file", async () => {
  const dir = await Deno.makeTempDir();
  const ac = new AbortController();
  try {
    const path = `${dir}/daemon.log`;
    await Deno.writeTextFile(path, "a\nb\nc\n");
    let seen = "";
    const following = followFile(path, (t) => (seen += t), {
      pollMs: 20,
      signal: ac.signal,
      lines: 2,
    });
    await Deno.writeTextFile(path, "d\n", { append: true });
    assert(await waitFor(() => seen === "b\nc\nd\n", 10_000), seen);
    ac.abort();
    await following;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
