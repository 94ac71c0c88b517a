/**
 * Reading the end of a log file and following it, natively (no `tail`), with
 * `tail -F` semantics. The followed file stays open. On every poll it is read
 * to its end; when the path names another file (rotation or re-creation) the
 * old file is read to its end once more, then every file rotated after it
 * (`<path>.N` … `<path>.1`, which the log never writes again) is read in
 * order, and following goes on in the file now at the path. A file that
 * shrank in place (truncation) is read again from its start. Nothing written
 * is lost or repeated, even when several rotations happen between two polls,
 * as long as the rotated files are still there.
 *
 * @module
 */

import { systemClock } from "./clock.ts";

/** How many `<path>.N` names are probed for rotated files. */
const MAX_ROTATED = 1000;
const CHUNK = 64 * 1024;

interface Followed {
  file: Deno.FsFile;
  ino: number | null;
  offset: number;
  decoder: TextDecoder;
}

async function openFollowed(path: string): Promise<Followed | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return null;
  }
  try {
    const st = await file.stat();
    return { file, ino: st.ino, offset: 0, decoder: new TextDecoder() };
  } catch {
    file.close();
    return null;
  }
}

/** Opens `path` positioned at its current end; null when it is missing. */
function openFollowedSync(path: string): Followed | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch {
    return null;
  }
  try {
    const st = file.statSync();
    return { file, ino: st.ino, offset: st.size, decoder: new TextDecoder() };
  } catch {
    file.close();
    return null;
  }
}

/** Reads `f` from its offset to its end (from the start if it shrank). */
async function drain(f: Followed, write: (text: string) => void) {
  const size = (await f.file.stat()).size;
  if (size < f.offset) f.offset = 0;
  if (size === f.offset) return;
  await f.file.seek(f.offset, Deno.SeekMode.Start);
  const buf = new Uint8Array(CHUNK);
  while (true) {
    const r = await f.file.read(buf);
    if (r === null || r === 0) break;
    f.offset += r;
    write(f.decoder.decode(buf.subarray(0, r), { stream: true }));
  }
}

function finish(f: Followed, write: (text: string) => void): void {
  const rest = f.decoder.decode();
  if (rest) write(rest);
  f.file.close();
}

/** One probe of `path`, `path.1`, …: the files newer than inode `ino`. */
interface Probe {
  /** Newest first, open. */
  found: Followed[];
  /** Whether the file with inode `ino` was reached. */
  reached: boolean;
}

/**
 * Opens `path`, `path.1`, … newest first until the file with inode `ino`.
 * A rotation during the probe can show a file twice (kept once); a gap of
 * one name is a rename in progress.
 */
async function probe(path: string, ino: number | null): Promise<Probe> {
  const found: Followed[] = [];
  const seen = new Set<number | null>();
  let misses = 0;
  for (let i = 0; i <= MAX_ROTATED; i++) {
    const f = await openFollowed(i === 0 ? path : `${path}.${i}`);
    if (f === null) {
      if (i > 0 && ++misses >= 2) break;
      continue;
    }
    misses = 0;
    if (seen.has(f.ino)) {
      f.file.close();
      continue;
    }
    seen.add(f.ino);
    if (f.ino === ino) {
      f.file.close();
      return { found, reached: true };
    }
    found.push(f);
  }
  return { found, reached: false };
}

const inodes = (p: Probe) => [p.reached, ...p.found.map((f) => f.ino)].join();

function closeAll(p: Probe): void {
  for (const f of p.found) f.file.close();
}

/** How many probes may disagree before the last one is taken as it is. */
const MAX_PROBES = 50;

/**
 * The files rotated after the one with inode `ino`, oldest first, ending
 * with the file now at `path`. Rotation renames every file one name up, so
 * a probe that two or more rotations overtake can list a newer file after
 * an older one; a probe counts only when the next one lists the same
 * files. When `ino` is not among them (deleted), only the file at `path`
 * follows it.
 */
async function successors(
  path: string,
  ino: number | null,
): Promise<Followed[]> {
  let last = await probe(path, ino);
  for (let n = 1; n < MAX_PROBES; n++) {
    const next = await probe(path, ino);
    const same = inodes(next) === inodes(last);
    closeAll(same ? next : last);
    if (same) break;
    last = next;
  }
  const newer = last.reached ? last.found : last.found.slice(0, 1);
  for (const f of last.found) if (!newer.includes(f)) f.file.close();
  return newer.reverse();
}

/** The last `n` lines of the first `size` bytes of `file`. */
async function lastLines(
  file: Deno.FsFile,
  size: number,
  n: number,
): Promise<string> {
  if (n <= 0) return "";
  let pos = size;
  let buf = new Uint8Array(0);
  let newlines = 0;
  while (pos > 0 && newlines <= n) {
    const len = Math.min(CHUNK, pos);
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
  const lines = new TextDecoder().decode(buf).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-n).map((l) => l + "\n").join("");
}

/** Returns the last `n` lines of `path` (without reading the whole file). */
export async function tailLines(path: string, n: number): Promise<string> {
  if (n <= 0) return "";
  const file = await Deno.open(path, { read: true });
  try {
    return await lastLines(file, (await file.stat()).size, n);
  } finally {
    file.close();
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return systemClock.sleep(ms, signal);
}

/** Options for {@link followFile}. */
export interface FollowOptions {
  /** Poll period in ms (default 200). */
  pollMs?: number;
  /** Ends following. */
  signal?: AbortSignal;
  /**
   * First write the last `lines` lines, read through the same open file,
   * so nothing falls between them and what follows (default: none).
   */
  lines?: number;
}

/**
 * Writes whatever is appended to `path` from now on (after the last
 * `lines` lines), until `signal` aborts, following rotation, re-creation and
 * truncation. A path that does not exist yet is read from its start once it
 * appears.
 */
export async function followFile(
  path: string,
  write: (text: string) => void,
  options: FollowOptions = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 200;
  const signal = options.signal;
  // Opened synchronously: whatever is appended once this call has
  // returned is followed.
  let cur = openFollowedSync(path);
  if (cur) {
    if (options.lines) {
      write(await lastLines(cur.file, cur.offset, options.lines));
    }
  }
  try {
    while (!signal?.aborted) {
      if (cur === null) {
        cur = await openFollowed(path);
        if (cur) await drain(cur, write);
      } else {
        let ino: number | null | undefined;
        try {
          ino = (await Deno.stat(path)).ino;
        } catch {
          ino = undefined; // mid-rotation or deleted: keep the open file
        }
        // Everything written to the old file before the path moved on.
        await drain(cur, write);
        if (ino !== undefined && ino !== cur.ino) {
          const next = await successors(path, cur.ino);
          if (next.length > 0) {
            finish(cur, write);
            cur = next.pop()!;
            for (const f of next) {
              await drain(f, write);
              finish(f, write);
            }
            await drain(cur, write);
          }
        }
      }
      await pause(pollMs, signal);
    }
  } finally {
    cur?.file.close();
  }
}
