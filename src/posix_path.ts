/**
 * POSIX path helpers with the results of `node:path`'s `posix` functions of
 * the same names. Loading any `node:` module starts Deno's Node layer, which
 * costs more than `status` does itself (see docs/performance.md), so the
 * CLI's fast paths use these instead.
 *
 * @module
 */

/** True when `path` starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * Folds `.` and `..` segments and repeated slashes; keeps one trailing slash
 * when there was one; `""` becomes `"."`.
 */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = isAbsolute(path);
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  let body = out.join("/");
  if (body === "" && !absolute) body = ".";
  if (trailing && body !== "") body += "/";
  return absolute ? `/${body}` : body;
}

/** Joins the non-empty segments with `/` and normalizes; none gives `"."`. */
export function join(...segments: string[]): string {
  const parts = segments.filter((s) => s !== "");
  return parts.length === 0 ? "." : normalize(parts.join("/"));
}

/**
 * The path without its last segment (`"/"` for the root, `"."` for a bare
 * name). Unlike `node:path`, the slashes before the last segment are all
 * dropped (`node:path` keeps all but one of a repeated run).
 */
export function dirname(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  const cut = trimmed.lastIndexOf("/");
  if (cut === -1) return ".";
  const dir = trimmed.slice(0, cut).replace(/\/+$/, "");
  // Only an absolute path has nothing before its first slash.
  return dir === "" ? "/" : dir;
}

/**
 * Resolves the segments right to left until one is absolute; when none is,
 * the root comes first (unlike `node:path`, which takes the process's
 * directory: callers pass their own directory first). The result is
 * normalized, without a trailing slash.
 */
export function resolve(...segments: string[]): string {
  let out = "";
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    if (seg === "") continue;
    out = out === "" ? seg : `${seg}/${out}`;
    if (isAbsolute(seg)) break;
  }
  if (!isAbsolute(out)) out = `/${out}`;
  const n = normalize(out);
  return n.length > 1 ? n.replace(/\/+$/, "") : n;
}

/** The path of a `file:` URL, percent-decoded; throws for any other URL or a host. */
export function fileUrlToPath(url: string | URL): string {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "file:") {
    throw new TypeError(`Not a file URL: ${u.href}`);
  }
  if (u.hostname !== "" && u.hostname !== "localhost") {
    throw new TypeError(
      `A file URL with a host is not a local path: ${u.href}`,
    );
  }
  if (/%2f/i.test(u.pathname)) {
    throw new TypeError(`A file URL path must not encode "/": ${u.href}`);
  }
  return decodeURIComponent(u.pathname);
}
