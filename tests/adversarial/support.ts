/**
 * Shared tools of the adversarial suite: a town with one rig, PATH
 * directories that hold only some programs, a `tmux` wrapper with fault
 * modes that counts its calls, a way to drop root's permission override,
 * and readers for log lines.
 *
 * Fault modes of the wrapper (`$GT_FAKE_DIR/mode/tmux.<sub>` or
 * `$GT_FAKE_DIR/mode/tmux`, where `<sub>` is the subcommand and
 * `list-panes-a` is `list-panes -a`): ok, fail, garbage, empty, huge, hang,
 * sigpipe, as for the `gt`/`bd` stand-ins. Every call appends its `<sub>` to
 * `$GT_FAKE_DIR/tmux_calls.log`.
 *
 * @module
 */

import { assert } from "../helpers/assert.ts";
import { FIXTURE_BIN } from "../helpers/cli.ts";
import { Harness } from "../helpers/harness.ts";

/** Absolute path of `name` on the test process's PATH; throws when missing. */
export function which(name: string): string {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    if (!dir.startsWith("/")) continue;
    try {
      const info = Deno.statSync(`${dir}/${name}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) {
        return `${dir}/${name}`;
      }
    } catch {
      // not here
    }
  }
  throw new Error(`Test needs "${name}" on PATH`);
}

/** Makes a FIFO at `path` with mkfifo(1). */
export async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command(which("mkfifo"), {
    args: [path],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
}

const STAND_INS = new Set(["gt", "bd", "git", "claude"]);
/** What the stand-ins and the tmux wrapper run besides the daemon's tools. */
const BASICS = ["node", "bash", "sh", "env", "mkdir", "yes", "head", "sleep"];

/**
 * Creates `<root>/<name>/` holding symlinks to `tools` (stand-ins for `gt`,
 * `bd`, `git`, `claude`; the real program otherwise) plus what the
 * stand-ins need to run, and returns the directory: use it as the whole
 * PATH to make every other daemon tool missing.
 */
export async function toolDir(
  root: string,
  name: string,
  tools: string[],
  overrides: Record<string, string> = {},
): Promise<string> {
  const dir = `${root}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  for (const t of [...BASICS, ...tools]) {
    const target = overrides[t] ??
      (STAND_INS.has(t) ? `${FIXTURE_BIN}/${t}` : which(t));
    await Deno.symlink(target, `${dir}/${t}`).catch((err) => {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    });
  }
  return dir;
}

/** Writes the fault-injecting `tmux` wrapper into `<root>/wrapbin/` and returns that dir. */
export async function tmuxWrapper(root: string): Promise<string> {
  const dir = `${root}/wrapbin`;
  await Deno.mkdir(dir, { recursive: true });
  const [tmux, yes, head, sleep] = ["tmux", "yes", "head", "sleep"].map(which);
  const script = `#!/bin/bash
dir=\${GT_FAKE_DIR-}
sub=\${1-}
[[ $sub == list-panes && \${2-} == -a ]] && sub=list-panes-a
if [[ -n $dir ]]; then
  printf '%s\\n' "$sub" >>"$dir/tmux_calls.log"
  mode=ok
  for key in "tmux.$sub" tmux; do
    if [[ -s $dir/mode/$key ]]; then
      IFS= read -r mode <"$dir/mode/$key" || true
      break
    fi
  done
  case $mode in
    fail) printf 'tmux stand-in: injected failure\\n' >&2; exit 1 ;;
    garbage) printf 'not tmux output {{{\\n\\x01\\x02\\n'; exit 0 ;;
    empty) exit 0 ;;
    huge) ${yes} 'gt-alpha-witness:%9:1:0:1:bash' | ${head} -c 52428800; exit 0 ;;
    hang) trap '' TERM INT HUP; while :; do ${sleep} 1; done ;;
    sigpipe) printf 'gt-alpha'; kill -PIPE $$; ${sleep} 1; exit 99 ;;
  esac
fi
exec ${tmux} "$@"
`;
  await Deno.writeTextFile(`${dir}/tmux`, script, { mode: 0o755 });
  await Deno.chmod(`${dir}/tmux`, 0o755);
  return dir;
}

/** Sets the fault mode of a stand-in or of the tmux wrapper. */
export async function setMode(
  h: Harness,
  key: string,
  mode: string,
): Promise<void> {
  await Deno.mkdir(`${h.fake}/mode`, { recursive: true });
  await Deno.writeTextFile(`${h.fake}/mode/${key}`, mode);
}

/** Removes every fault mode. */
export async function clearModes(h: Harness): Promise<void> {
  await Deno.remove(`${h.fake}/mode`, { recursive: true }).catch(() => {});
}

/** Subcommands the tmux wrapper saw, in order. */
export async function tmuxCalls(h: Harness): Promise<string[]> {
  try {
    return (await Deno.readTextFile(`${h.fake}/tmux_calls.log`)).split("\n")
      .filter((l) => l !== "");
  } catch {
    return [];
  }
}

/**
 * The argv prefix that runs a program without root's permission override
 * (`setpriv` drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so file modes
 * bind as they do for any user; empty when not root.
 */
export function asPlainUser(): string[] {
  if (Deno.uid() !== 0) return [];
  return [
    which("setpriv"),
    "--bounding-set",
    "-dac_override,-dac_read_search",
    "--",
  ];
}

/** The number of non-overlapping occurrences of `part` in `text`. */
export function count(text: string, part: string): number {
  return part === "" ? 0 : text.split(part).length - 1;
}

/** Log lines (without the time stamp) that contain `part`. */
export function linesWith(log: string, part: string): string[] {
  return log.split("\n").filter((l) => l.includes(part)).map((l) =>
    l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, "")
  );
}

/** The log text written after the first `skip` characters. */
export async function logSince(h: Harness, skip: number): Promise<string> {
  return (await h.log()).slice(skip);
}

/** A town with rig `alpha` and its Witness and Refinery directories. */
export async function alphaTown(): Promise<Harness> {
  const h = await Harness.create({ rigs: ["alpha"] });
  await Deno.mkdir(`${h.town}/alpha/witness`, { recursive: true });
  await Deno.mkdir(`${h.town}/alpha/refinery/rig`, { recursive: true });
  return h;
}

/** Asserts that a command printed no stack trace. */
export function noStackTrace(stderr: string): void {
  assert(!/^\s+at /m.test(stderr), `stack trace on stderr:\n${stderr}`);
}
