/**
 * What both ways of reading town files share: the refusal of anything but
 * a regular file, its wording, and the capped read. `regular_file.ts` opens
 * with `O_NOFOLLOW | O_NONBLOCK` (the daemon); `checked_read.ts` checks
 * before and after a plain open (one-shot commands, without the Node layer).
 * Both refuse with the same messages.
 *
 * @module
 */

/** The default byte cap of a read. */
export const DEFAULT_MAX_READ = 64 * 1024 * 1024;

/** What a path is when it is not a regular file. */
export type SpecialKind =
  | "a symlink"
  | "a FIFO"
  | "a directory"
  | "a socket"
  | "a device";

/** The type bits of a stat, whichever API gave them. */
export interface KindBits {
  isDirectory: boolean;
  isFifo: boolean;
  isSocket: boolean;
  isSymlink: boolean;
}

/** Names what a non-regular file is. */
export function specialKind(bits: KindBits): SpecialKind {
  return bits.isSymlink
    ? "a symlink"
    : bits.isFifo
    ? "a FIFO"
    : bits.isDirectory
    ? "a directory"
    : bits.isSocket
    ? "a socket"
    : "a device";
}

/** The error for a path that is not a regular file. */
export function notRegularFile(
  path: string,
  kind: SpecialKind,
  cause?: unknown,
): Error {
  return new Error(
    `Not a regular file: "${path}" is ${kind}`,
    cause === undefined ? undefined : { cause },
  );
}

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for the error of opening a path that does not exist. */
export function isNotFound(err: unknown): boolean {
  return errCode(err) === "ENOENT" || err instanceof Deno.errors.NotFound;
}

/** True for the error of opening a symlink with `O_NOFOLLOW`. */
export function isSymlinkLoop(err: unknown): boolean {
  return errCode(err) === "ELOOP";
}

/**
 * Reads at most `maxBytes` through `read` (which fills `buf` from `offset`
 * and returns the count, 0 at the end) from an open file of `size` bytes.
 * Throws `File too large: …` when the file is, or grows, past the cap.
 */
export async function readCapped(
  path: string,
  size: number,
  maxBytes: number,
  read: (buf: Uint8Array, offset: number) => Promise<number>,
): Promise<Uint8Array> {
  const tooLarge = (n: number) =>
    new Error(
      `File too large: "${path}" is ${
        n === size ? "" : "at least "
      }${n} bytes (limit ${maxBytes})`,
    );
  if (size > maxBytes) throw tooLarge(size);
  // One byte past the cap tells a file that grew meanwhile.
  let buf = new Uint8Array(Math.min(size, maxBytes) + 1);
  let n = 0;
  while (true) {
    if (n === buf.length) {
      if (n > maxBytes) throw tooLarge(n);
      const bigger = new Uint8Array(
        Math.min(maxBytes + 1, Math.max(n * 2, 4096)),
      );
      bigger.set(buf);
      buf = bigger;
    }
    const got = await read(buf, n);
    if (got === 0) return buf.subarray(0, n);
    n += got;
  }
}
