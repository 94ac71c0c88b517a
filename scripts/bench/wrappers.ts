/**
 * Call-counting wrappers: one small bash script per tool (`bd`, `gt`,
 * `tmux`, `git`) that appends a line to `$GT_BENCH_CALLS` (microsecond
 * wall clock, parent PID, own PID, tool, arguments) and then `exec`s the
 * real program by its absolute path, so the wrapper's PID becomes the
 * tool's. Without `GT_BENCH_CALLS` it only execs. A daemon that finds its
 * tools through `PATH` (both daemons do) gets the wrappers when their
 * directory comes first; the parent PID tells the daemon's own calls from
 * those of its grandchildren (`gt` running `bd`) and of tmux hooks.
 *
 * @module
 */

/** The tools the wrappers stand in front of. */
export const WRAPPED_TOOLS = ["bd", "gt", "tmux", "git"] as const;

/** One of {@link WRAPPED_TOOLS}. */
export type WrappedTool = typeof WRAPPED_TOOLS[number];

/** One logged call. */
export interface Call {
  /** Wall clock, ms since the epoch (fractional). */
  t: number;
  ppid: number;
  pid: number;
  tool: string;
  args: string;
}

/** The wrapper script for `tool`, exec'ing `realPath`. */
export function wrapperScript(tool: string, realPath: string): string {
  if (/['\n]/.test(realPath)) throw new Error(`unsafe path: ${realPath}`);
  return [
    "#!/bin/bash",
    'if [ -n "$GT_BENCH_CALLS" ]; then',
    '  a="$*"',
    `  printf '%s\\t%s\\t%s\\t%s\\t%s\\n' "\${EPOCHREALTIME/[.,]/}" "$PPID" "$$" ${tool} "\${a//$'\\n'/ }" >> "$GT_BENCH_CALLS"`,
    "fi",
    `exec '${realPath}' "$@"`,
    "",
  ].join("\n");
}

/** Writes one wrapper per entry of `real` (tool → absolute path) into `dir`. */
export async function writeWrappers(
  dir: string,
  real: Record<WrappedTool, string>,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const tool of WRAPPED_TOOLS) {
    await Deno.writeTextFile(
      `${dir}/${tool}`,
      wrapperScript(tool, real[tool]),
      {
        mode: 0o755,
      },
    );
  }
}

/** Parses the call log (partial or malformed lines are skipped). */
export function parseCalls(text: string): Call[] {
  const out: Call[] = [];
  for (const line of text.split("\n")) {
    const f = line.split("\t");
    if (f.length < 5) continue;
    const us = Number(f[0]);
    const ppid = Number(f[1]);
    const pid = Number(f[2]);
    if (!Number.isFinite(us) || !Number.isInteger(ppid)) continue;
    out.push({ t: us / 1000, ppid, pid, tool: f[3]!, args: f[4]! });
  }
  return out;
}

/** Reads the call log at `path` (empty when missing). */
export async function readCalls(path: string): Promise<Call[]> {
  try {
    return parseCalls(await Deno.readTextFile(path));
  } catch {
    return [];
  }
}

/** Calls per tool, every wrapped tool present (0 when unused). */
export function countByTool(calls: readonly Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of WRAPPED_TOOLS) out[t] = 0;
  for (const c of calls) out[c.tool] = (out[c.tool] ?? 0) + 1;
  return out;
}

/** Finds a program on `PATH` (the first executable file), or null. */
export function onPath(name: string, path: string): string | null {
  for (const dir of path.split(":")) {
    if (!dir.startsWith("/")) continue;
    try {
      const st = Deno.statSync(`${dir}/${name}`);
      if (st.isFile && st.mode !== null && (st.mode & 0o111) !== 0) {
        return `${dir}/${name}`;
      }
    } catch {
      // not here
    }
  }
  return null;
}
