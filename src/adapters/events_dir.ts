/**
 * The daemon's control channel without signals: `<town>/daemon/events/`.
 * Anyone may drop an empty file there (`gt-daemon poke`, tmux `pane-died`
 * hooks via `: > <dir>/pane-died.<session>`); the daemon watches the
 * directory (inotify through `Deno.watchFs`), takes the files and acts on
 * their names. Writers never block, and nothing is lost while the daemon is
 * down: files wait for the next start.
 *
 * @module
 */

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$/;

/**
 * Creates the directory (mode 0700). A symlink or file planted at its path
 * is removed first: taking events deletes files, and must never do that in
 * a directory the link points to.
 */
export async function ensureEventsDir(dir: string): Promise<void> {
  try {
    if (!(await Deno.lstat(dir)).isDirectory) await Deno.remove(dir);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Drops an event file named `name`. */
export async function postEvent(dir: string, name: string): Promise<void> {
  if (!NAME_RE.test(name)) {
    throw new Error(`Invalid event name: ${JSON.stringify(name)}`);
  }
  await ensureEventsDir(dir);
  const f = await Deno.open(`${dir}/${name}`, {
    write: true,
    create: true,
    truncate: true,
    mode: 0o600,
  });
  f.close();
}

/** Takes (removes and returns) the names of all pending event files. */
export async function takeEvents(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    // Only a real directory: never delete files behind a planted symlink.
    if (!(await Deno.lstat(dir)).isDirectory) return names;
    for await (const e of Deno.readDir(dir)) {
      if (!NAME_RE.test(e.name)) continue;
      try {
        await Deno.remove(`${dir}/${e.name}`);
        names.push(e.name);
      } catch {
        // taken by someone else, or not removable
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

/** Watches `dir` and calls `onEvent` (coalesced) when files appear. */
export function watchEvents(
  dir: string,
  onEvent: () => void,
): { close(): Promise<void> } {
  const watcher = Deno.watchFs(dir, { recursive: false });
  const done = (async () => {
    try {
      for await (const ev of watcher) {
        if (ev.kind === "create" || ev.kind === "modify") onEvent();
      }
    } catch {
      // closed
    }
  })();
  return {
    async close() {
      try {
        watcher.close();
      } catch {
        // already closed
      }
      await done;
    },
  };
}
