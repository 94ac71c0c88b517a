import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { FileLog } from "../../src/adapters/log_file.ts";
import { followFile, tailLines } from "../../src/adapters/follow.ts";
import { waitFor } from "../helpers/cli.ts";

Deno.test("FileLog writes Go-format lines with mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new FileLog(`${dir}/daemon.log`, {
      now: () => new Date(2026, 0, 4, 15, 6, 7),
    });
    log.log("Daemon starting (PID 42)");
    log.log("two\nlines");
    assertEquals(
      await Deno.readTextFile(`${dir}/daemon.log`),
      "2026/01/04 15:06:07 Daemon starting (PID 42)\n2026/01/04 15:06:07 two\\nlines\n",
    );
    assertEquals((await Deno.stat(`${dir}/daemon.log`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileLog rotates by size and keeps the configured number of files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = new FileLog(`${dir}/daemon.log`, { maxBytes: 200, keep: 2 });
    for (let i = 0; i < 40; i++) log.log(`line ${i} ${"x".repeat(20)}`);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["daemon.log", "daemon.log.1", "daemon.log.2"]);
    for (const n of names) {
      assert((await Deno.stat(`${dir}/${n}`)).size <= 200, n);
    }
    assertMatch(await Deno.readTextFile(`${dir}/daemon.log`), /line 39 x+\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileLog recreates a deleted log and replaces a planted symlink instead of following it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/daemon.log`;
    const log = new FileLog(path);
    log.log("first");
    await Deno.remove(path);
    log.log("second");
    assertMatch(await Deno.readTextFile(path), /second\n$/);
    await Deno.writeTextFile(`${dir}/victim`, "precious\n");
    await Deno.remove(path);
    await Deno.symlink(`${dir}/victim`, path);
    log.log("third");
    assertEquals(await Deno.readTextFile(`${dir}/victim`), "precious\n");
    assert(!(await Deno.lstat(path)).isSymlink);
    assertMatch(await Deno.readTextFile(path), /third\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tailLines() returns the last N lines of a large file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    await Deno.writeTextFile(`${dir}/f`, lines.join("\n") + "\n");
    assertEquals(
      await tailLines(`${dir}/f`, 3),
      "line 19997\nline 19998\nline 19999\n",
    );
    assertEquals(await tailLines(`${dir}/f`, 0), "");
    await Deno.writeTextFile(`${dir}/g`, "a\nb");
    assertEquals(await tailLines(`${dir}/g`, 5), "a\nb\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followFile() keeps following across a rotation", async () => {
  const dir = await Deno.makeTempDir();
  const ac = new AbortController();
  try {
    const path = `${dir}/daemon.log`;
    await Deno.writeTextFile(path, "old\n");
    let seen = "";
    const done = followFile(path, (t) => (seen += t), {
      pollMs: 20,
      signal: ac.signal,
    });
    await Deno.writeTextFile(path, "one\n", { append: true });
    assert(await waitFor(() => seen.includes("one\n"), 3_000));
    await Deno.rename(path, `${path}.1`);
    await Deno.writeTextFile(path, "two\n");
    assert(await waitFor(() => seen.includes("two\n"), 3_000));
    assertEquals(seen, "one\ntwo\n");
    ac.abort();
    await done;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatLogLine() escapes control characters and cuts very long messages", async () => {
  const { formatLogLine, MAX_LOG_MESSAGE } = await import("../../src/log.ts");
  const d = new Date(2026, 0, 4, 15, 6, 7);
  assertEquals(
    formatLogLine(d, "a\rb\x1b[31mc\td"),
    "2026/01/04 15:06:07 a\\x0db\\x1b[31mc\td\n",
  );
  const long = formatLogLine(d, "x".repeat(MAX_LOG_MESSAGE + 10));
  assert(long.endsWith("… (10 more characters)\n"), long.slice(-40));
});
