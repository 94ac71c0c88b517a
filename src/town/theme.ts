/**
 * tmux status-bar themes (the reference's `internal/tmux/theme.go`): a fixed
 * palette indexed by the 32-bit FNV-1a hash of the rig name, the Mayor and
 * Deacon themes, the role icons and the `status-left` text. Pure.
 *
 * @module
 */

/** A status-bar colour pair. */
export interface Theme {
  /** Palette name (`ocean`, …, `mayor`, `deacon`). */
  name: string;
  /** Background colour, `#rrggbb`. */
  bg: string;
  /** Foreground colour, `#rrggbb`. */
  fg: string;
}

/** The default palette, in hash-index order. */
export const DEFAULT_PALETTE: readonly Theme[] = Object.freeze([
  { name: "ocean", bg: "#1e3a5f", fg: "#e0e0e0" },
  { name: "forest", bg: "#2d5a3d", fg: "#e0e0e0" },
  { name: "rust", bg: "#8b4513", fg: "#f5f5dc" },
  { name: "plum", bg: "#4a3050", fg: "#e0e0e0" },
  { name: "slate", bg: "#4a5568", fg: "#e0e0e0" },
  { name: "ember", bg: "#b33a00", fg: "#f5f5dc" },
  { name: "midnight", bg: "#1a1a2e", fg: "#c0c0c0" },
  { name: "wine", bg: "#722f37", fg: "#f5f5dc" },
  { name: "teal", bg: "#0d5c63", fg: "#e0e0e0" },
  { name: "copper", bg: "#6d4c41", fg: "#f5f5dc" },
]);

/** The Mayor's theme (not in the palette). */
export const MAYOR_THEME: Theme = Object.freeze({
  name: "mayor",
  bg: "#3d3200",
  fg: "#ffd700",
});

/** The Deacon's theme (not in the palette). */
export const DEACON_THEME: Theme = Object.freeze({
  name: "deacon",
  bg: "#2d1f3d",
  fg: "#c0b0d0",
});

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The unsigned 32-bit FNV-1a hash of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/**
 * The theme of a rig: `palette[fnv1a32(rig) % palette.length]`; the first
 * default theme (`ocean`) when the palette is empty.
 */
export function assignTheme(
  rig: string,
  palette: readonly Theme[] = DEFAULT_PALETTE,
): Theme {
  const fallback = DEFAULT_PALETTE[0] as Theme;
  if (palette.length === 0) return fallback;
  return palette[fnv1a32(rig) % palette.length] ?? fallback;
}

/** The palette theme called `name`, or null. */
export function themeByName(name: string): Theme | null {
  return DEFAULT_PALETTE.find((t) => t.name === name) ?? null;
}

/** Names of the palette themes, in order. */
export function themeNames(): string[] {
  return DEFAULT_PALETTE.map((t) => t.name);
}

/** The tmux style string of a theme: `bg=<BG>,fg=<FG>`. */
export function themeStyle(theme: { bg: string; fg: string }): string {
  return `bg=${theme.bg},fg=${theme.fg}`;
}

/** Status-bar icons by role; unknown roles get no icon. */
export const ROLE_ICONS: Readonly<Record<string, string>> = Object.freeze({
  mayor: "🎩",
  deacon: "🐺",
  witness: "🦉",
  refinery: "🏭",
  crew: "👷",
  polecat: "😺",
  coordinator: "🎩",
  "health-check": "🐺",
});

/** The role emoji of `gt` output (`RoleEmoji`); `❓` for an unknown role. */
export function roleEmoji(role: string): string {
  const roles = ["mayor", "deacon", "witness", "refinery", "crew", "polecat"];
  return roles.includes(role) ? ROLE_ICONS[role] ?? "❓" : "❓";
}

/**
 * The `status-left` text, always with one trailing space:
 * `<icon> <worker> ` without a rig, `<icon> <rig>/crew/<worker> ` for crew,
 * `<icon> <rig>/<worker> ` otherwise. An unknown role gives a leading space.
 */
export function statusLeft(role: string, rig: string, worker: string): string {
  const icon = Object.hasOwn(ROLE_ICONS, role) ? ROLE_ICONS[role] ?? "" : "";
  if (rig === "") return `${icon} ${worker} `;
  if (role === "crew") return `${icon} ${rig}/crew/${worker} `;
  return `${icon} ${rig}/${worker} `;
}

/** The `status-right` value: `#(gt status-line --session=<s> 2>/dev/null) %H:%M`. */
export function statusRight(session: string): string {
  return `#(gt status-line --session=${session} 2>/dev/null) %H:%M`;
}
