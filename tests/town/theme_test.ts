import { assert, assertEquals } from "../helpers/assert.ts";
import {
  assignTheme,
  DEACON_THEME,
  DEFAULT_PALETTE,
  fnv1a32,
  MAYOR_THEME,
  roleEmoji,
  statusLeft,
  statusRight,
  themeByName,
  themeNames,
  themeStyle,
} from "../../src/town/theme.ts";

Deno.test("fnv1a32() and assignTheme() match the reference vectors (platform §3)", () => {
  const vectors: [string, number, string][] = [
    ["gastown", 0x48ca0d6a, "teal"],
    ["beads", 0xe7c3fcf2, "ocean"],
    ["myproject", 0xa8b57c10, "slate"],
    ["frontend", 0xe619377d, "ember"],
    ["backend", 0xa3edd44f, "forest"],
    ["api", 0x386aaa87, "wine"],
    ["web", 0x0fd9bc91, "ember"],
    ["mobile", 0x69fb8c77, "ember"],
    ["wyvern", 0x227eb3ac, "midnight"],
    ["sandbox", 0xda1fd924, "rust"],
    ["myrig", 0xdc37cf6b, "copper"],
    ["", 0x811c9dc5, "forest"],
  ];
  for (const [rig, hash, theme] of vectors) {
    assertEquals(fnv1a32(rig), hash, rig);
    assertEquals(assignTheme(rig).name, theme, rig);
  }
});

Deno.test("assignTheme() is deterministic and spreads rigs (THEME-01, THEME-02)", () => {
  assertEquals(assignTheme("gastown"), assignTheme("gastown"));
  const rigs = [
    "gastown",
    "beads",
    "myproject",
    "frontend",
    "backend",
    "api",
    "web",
    "mobile",
  ];
  const names = rigs.map((r) => assignTheme(r).name);
  assertEquals(names, [
    "teal",
    "ocean",
    "slate",
    "ember",
    "forest",
    "wine",
    "ember",
    "ember",
  ]);
  assertEquals(new Set(names).size, 6);
});

Deno.test("assignTheme() uses a custom palette and falls back to ocean (THEME-11, THEME-12)", () => {
  assertEquals(assignTheme("test", []).name, "ocean");
  const custom = [
    { name: "custom1", bg: "#111111", fg: "#eeeeee" },
    { name: "custom2", bg: "#222222", fg: "#dddddd" },
  ];
  assertEquals(assignTheme("test", custom).name, "custom2");
});

Deno.test("themeByName() finds palette themes only (THEME-03..06)", () => {
  assertEquals(themeByName("ocean")?.bg, "#1e3a5f");
  assertEquals(themeByName("forest")?.bg, "#2d5a3d");
  assertEquals(themeByName("nonexistent"), null);
  assertEquals(themeByName(""), null);
});

Deno.test("the palette and special themes match the reference (THEME-07..10, THEME-13)", () => {
  assertEquals(
    themeStyle({ bg: "#1e3a5f", fg: "#e0e0e0" }),
    "bg=#1e3a5f,fg=#e0e0e0",
  );
  assertEquals(MAYOR_THEME, { name: "mayor", bg: "#3d3200", fg: "#ffd700" });
  assertEquals(DEACON_THEME, { name: "deacon", bg: "#2d1f3d", fg: "#c0b0d0" });
  assertEquals(themeNames().length, 10);
  for (const n of ["ocean", "forest", "rust"]) assert(themeNames().includes(n));
  assertEquals(new Set(DEFAULT_PALETTE.map((t) => t.bg)).size, 10);
  assertEquals(
    DEFAULT_PALETTE.map((t) => `${t.name} ${t.bg} ${t.fg}`),
    [
      "ocean #1e3a5f #e0e0e0",
      "forest #2d5a3d #e0e0e0",
      "rust #8b4513 #f5f5dc",
      "plum #4a3050 #e0e0e0",
      "slate #4a5568 #e0e0e0",
      "ember #b33a00 #f5f5dc",
      "midnight #1a1a2e #c0c0c0",
      "wine #722f37 #f5f5dc",
      "teal #0d5c63 #e0e0e0",
      "copper #6d4c41 #f5f5dc",
    ],
  );
});

Deno.test("statusLeft() builds the status text with icons (TMUX-24)", () => {
  assertEquals(statusLeft("coordinator", "", "Mayor"), "🎩 Mayor ");
  assertEquals(statusLeft("crew", "gastown", "max"), "👷 gastown/crew/max ");
  assertEquals(statusLeft("polecat", "gastown", "Toast"), "😺 gastown/Toast ");
  assertEquals(
    statusLeft("refinery", "gastown", "refinery"),
    "🏭 gastown/refinery ",
  );
  assertEquals(
    statusLeft("witness", "gastown", "witness"),
    "🦉 gastown/witness ",
  );
  assertEquals(statusLeft("mayor", "", "Mayor"), "🎩 Mayor ");
  assertEquals(statusLeft("deacon", "", "Deacon"), "🐺 Deacon ");
  assertEquals(statusLeft("health-check", "", "Deacon"), "🐺 Deacon ");
  assertEquals(statusLeft("other", "r", "w"), " r/w ");
  assertEquals(statusLeft("toString", "", "w"), " w ");
});

Deno.test("roleEmoji() falls back to a question mark for unknown roles", () => {
  assertEquals(roleEmoji("polecat"), "😺");
  assertEquals(roleEmoji("deacon"), "🐺");
  assertEquals(roleEmoji("coordinator"), "❓");
  assertEquals(roleEmoji("nope"), "❓");
});

Deno.test("statusRight() embeds the session name", () => {
  assertEquals(
    statusRight("gt-gastown-Toast"),
    "#(gt status-line --session=gt-gastown-Toast 2>/dev/null) %H:%M",
  );
});
