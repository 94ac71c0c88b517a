/**
 * Reading the end of a log file and following it, natively (no `tail`).
 * Following survives rotation: when the path names a new file (another
 * inode) or the file shrank, reading restarts from the new file's start.
 *
 * @module
 */

/** Returns the last `n` lines of `path` (without reading the whole file). */
export async function tailLines(path: string, n: number): Promise<string> {
  if (n <= 0) return "";
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const chunk = 64 * 1024;
    let pos = size;
    let buf = new Uint8Array(0);
    let newlines = 0;
    while (pos > 0 && newlines <= n) {
      const len = Math.min(chunk, pos);
      pos -= len;
      const part = new Uint8Array(len);
      await file.seek(pos, Deno.SeekMode.Start);
      let read = 0;
      while (read < len) {
        const r = await file.read(part.subarray(read));
        if (r === null) break;
        read += r;
      }
      const merged = new Uint8Array(part.length + buf.length);
      merged.set(part, 0);
      merged.set(buf, part.length);
      buf = merged;
      newlines = 0;
      for (const b of buf) if (b === 10) newlines++;
    }
    const text = new TextDecoder().decode(buf);
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n).map((l) => l + "\n").join("");
  } finally {
    file.close();
  }
}

/**
 * Writes whatever is appended to `path` from `offset` on, forever (until
 * `signal` aborts), following rotation and re-creation.
 */
export async function followFile(
  path: string,
  write: (text: string) => void,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 200;
  let ino: number | null = null;
  let offset = 0;
  try {
    const st = await Deno.stat(path);
    ino = st.ino;
    offset = st.size;
  } catch {
    // not there yet: start at 0 when it appears
  }
  const decoder = new TextDecoder();
  while (!options.signal?.aborted) {
    let st: Deno.FileInfo | null = null;
    try {
      st = await Deno.stat(path);
    } catch {
      st = null;
    }
    if (st) {
      if (st.ino !== ino || st.size < offset) {
        ino = st.ino;
        offset = 0;
      }
      if (st.size > offset) {
        const file = await Deno.open(path, { read: true });
        try {
          await file.seek(offset, Deno.SeekMode.Start);
          const buf = new Uint8Array(64 * 1024);
          while (true) {
            const r = await file.read(buf);
            if (r === null || r === 0) break;
            offset += r;
            write(decoder.decode(buf.subarray(0, r), { stream: true }));
          }
        } finally {
          file.close();
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
