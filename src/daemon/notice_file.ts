/**
 * `<town>/daemon/notifications.json`: the de-duplication state of warnings,
 * kept across daemon restarts so a restart does not repeat every warning.
 *
 * @module
 */

import { realFs } from "../adapters/fs.ts";
import { errorMessage } from "../errors.ts";
import { NoticeBook } from "../heartbeat/notify_slots.ts";
import type { Log } from "../log.ts";

/** Reads the saved notices; a missing or damaged file gives an empty book. */
export async function loadNotices(path: string): Promise<NoticeBook> {
  try {
    const text = await realFs.readText(path, 4 * 1024 * 1024);
    if (text) return NoticeBook.fromJSON(JSON.parse(text));
  } catch {
    // a damaged notifications file costs at most repeated warnings
  }
  return new NoticeBook();
}

/** Saves the notices; a failure is logged. */
export async function saveNotices(
  path: string,
  book: NoticeBook,
  log: Log,
): Promise<void> {
  try {
    await realFs.writeAtomic(
      path,
      JSON.stringify(book.toJSON(), null, 2),
      0o644,
    );
  } catch (err) {
    log.log(`Warning: failed to save notifications: ${errorMessage(err)}`);
  }
}
