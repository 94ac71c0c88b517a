import { posix } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertEquals, assertThrows } from "./helpers/assert.ts";
import {
  dirname,
  fileUrlToPath,
  isAbsolute,
  join,
  normalize,
  resolve,
} from "../src/posix_path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "///a//b/",
  "a",
  "a/",
  "a/b",
  "/a",
  "/a/",
  "/a/b/c",
  "a/../b",
  "a/..",
  "a/../",
  "../../x/./y",
  "/../..",
  "/a/b/../../..",
  "./",
  "./a/./b/.",
  "a//b//",
  "/polecats/p1/../..",
  "..a/b..",
  ".../x",
];

Deno.test("normalize(), dirname() and isAbsolute() give what node:path's posix functions give", () => {
  for (const p of PATHS) {
    assertEquals(normalize(p), posix.normalize(p), `normalize(${p})`);
    // node:path keeps all but one slash of a repeated run before the name.
    if (!/.\/\//.test(p)) {
      assertEquals(dirname(p), posix.dirname(p), `dirname(${p})`);
    }
    assertEquals(isAbsolute(p), posix.isAbsolute(p), `isAbsolute(${p})`);
  }
});

Deno.test("join() and resolve() give what node:path's posix functions give", () => {
  const pairs: string[][] = [
    [],
    [""],
    ["", ""],
    ["/home/u", "gt"],
    ["/home/u/", "/gt/"],
    ["a", "", "b"],
    ["/a", "../.."],
    ["~/.local/bin".slice(1), "tmux"],
    ["/usr/local/bin", "bd"],
    ["rel", "../x/"],
  ];
  for (const p of [...pairs, ...PATHS.map((x) => ["/cwd/here", x])]) {
    assertEquals(join(...p), posix.join(...p), `join(${p.join(", ")})`);
    assertEquals(
      resolve("/base/dir", ...p),
      posix.resolve("/base/dir", ...p),
      `resolve(/base/dir, ${p.join(", ")})`,
    );
  }
  assertEquals(resolve("rel", "x"), "/rel/x");
});

Deno.test("dirname() drops every slash before the last segment", () => {
  assertEquals(dirname("///a//b/"), "///a");
  assertEquals(dirname("a//b"), "a");
  assertEquals(dirname("//"), "/");
});

Deno.test("fileUrlToPath() decodes local file URLs and refuses other URLs", () => {
  for (const p of ["/a/b.ts", "/with space/ü.ts", "/x%y/#h?q.ts", "/"]) {
    const url = pathToFileURL(p);
    assertEquals(fileUrlToPath(url), fileURLToPath(url), p);
    assertEquals(fileUrlToPath(url.href), p);
  }
  assertEquals(fileUrlToPath("file://localhost/etc/x"), "/etc/x");
  assertThrows(() => fileUrlToPath("https://example.com/a.ts"), TypeError);
  assertThrows(() => fileUrlToPath("file://server/share/a"), TypeError);
  assertThrows(() => fileUrlToPath("file:///a%2Fb"), TypeError);
});
