/**
 * A log writer for the follow tests: appends `count` numbered lines to a
 * {@link FileLog} with a small rotation size, in bursts of 1 to 200 lines
 * with short pauses, so that some polls of a follower see no rotation and
 * others several.
 *
 * Usage: follow_writer_fixture.ts <path> <count> <maxBytes>
 *
 * @module
 */

import { FileLog } from "../../src/adapters/log_file.ts";

const [path, count, maxBytes] = Deno.args;
const log = new FileLog(path!, { maxBytes: Number(maxBytes), keep: 200 });
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
let i = 0;
while (i < Number(count)) {
  const burst = 1 + rand(200);
  for (let k = 0; k < burst && i < Number(count); k++) log.log(`line ${i++}`);
  await new Promise((r) => setTimeout(r, rand(4) === 0 ? 0 : rand(30)));
}
