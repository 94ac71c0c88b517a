/**
 * Too much data must not switch recovery off: a 9 MiB mail beside a valid
 * lifecycle request, an inbox over 8 MiB in all, and an agent bead with a
 * 9 MiB description beside a crashed polecat. Everything that parses is
 * acted on; what could not be read is reported in the log, every pass,
 * until it is gone.
 */

import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../helpers/assert.ts";
import { message, rigBeads, workingPolecat } from "../helpers/harness.ts";
import { alphaTown, linesWith, logSince, noStackTrace } from "./support.ts";

const MIB = 1024 * 1024;

Deno.test("a 9 MiB mail neither blocks the lifecycle request beside it nor is lost", async () => {
  const h = await alphaTown();
  try {
    await h.healthyRigs("alpha");
    await h.setBeads(rigBeads("alpha"));
    const refinery = (await h.sessions()).get("gt-alpha-refinery")!;
    await h.setInbox([
      message({
        id: "hq-huge1",
        from: "alpha/witness",
        body: "x".repeat(9 * MIB),
      }),
      message({ id: "hq-cycle1", from: "alpha/refinery" }),
    ]);
    for (let pass = 1; pass <= 2; pass++) {
      const skip = (await h.log()).length;
      const r = await h.heartbeat();
      noStackTrace(r.stderr);
      const log = await logSince(h, skip);
      const skipped = linesWith(log, "gt mail inbox: skipped an entry");
      assertEquals(skipped.length, 1, log);
      assertStringIncludes(skipped[0]!, 'id "hq-huge1", from "alpha/witness"');
      assertStringIncludes(skipped[0]!, "9.0 MiB");
      assertEquals(linesWith(log, "Error: gt mail").length, 0, log);
      if (pass === 1) {
        assertStringIncludes(
          log,
          "Processing lifecycle request from alpha/refinery: cycle",
        );
      }
    }
    const after = (await h.sessions()).get("gt-alpha-refinery");
    assert(after && after.id !== refinery.id, "refinery was not cycled");
    // The request was carried out and removed; the big mail is still there.
    const inbox = JSON.parse(await Deno.readTextFile(`${h.fake}/inbox.json`));
    assertEquals(inbox.map((m: { id: string }) => m.id), ["hq-huge1"]);
  } finally {
    await h.close();
  }
});

Deno.test("an inbox over 8 MiB of ordinary mail is read whole, and its lifecycle request runs", async () => {
  const h = await alphaTown();
  try {
    await h.healthyRigs("alpha");
    await h.setBeads(rigBeads("alpha"));
    const refinery = (await h.sessions()).get("gt-alpha-refinery")!;
    const filler = Array.from({ length: 2_000 }, (_, i) =>
      message({
        id: `hq-note${i}`,
        from: "mayor/",
        subject: "Status note",
        body: "y".repeat(4_800),
      }));
    await h.setInbox([
      ...filler,
      message({ id: "hq-cycle2", from: "alpha/refinery" }),
    ]);
    assert(
      (await Deno.stat(`${h.fake}/inbox.json`)).size > 9 * MIB,
      "the inbox is not over 9 MiB",
    );
    const skip = (await h.log()).length;
    noStackTrace((await h.heartbeat()).stderr);
    const log = await logSince(h, skip);
    assertEquals(linesWith(log, "gt mail").length, 0, log);
    assertStringIncludes(
      log,
      "Processing lifecycle request from alpha/refinery: cycle",
    );
    const after = (await h.sessions()).get("gt-alpha-refinery");
    assert(after && after.id !== refinery.id, "refinery was not cycled");
  } finally {
    await h.close();
  }
});

Deno.test("an agent bead with a 9 MiB description does not stop a crashed polecat's restart", async () => {
  const h = await alphaTown();
  try {
    await Deno.mkdir(`${h.town}/alpha/polecats/Toast`, { recursive: true });
    await h.healthyRigs("alpha");
    const huge = workingPolecat("alpha", "Huge");
    huge.description = `${huge.description}\n${"z".repeat(9 * MIB)}`;
    await h.setBeads([
      ...rigBeads("alpha"),
      huge,
      workingPolecat("alpha", "Toast"),
    ]);
    const skip = (await h.log()).length;
    noStackTrace((await h.heartbeat()).stderr);
    const log = await logSince(h, skip);
    const skipped = linesWith(log, "bd list: skipped an entry");
    assertEquals(skipped.length, 1, log);
    assertStringIncludes(skipped[0]!, 'id "gt-alpha-polecat-Huge"');
    assertEquals(linesWith(log, "Error: bd").length, 0, log);
    assertStringIncludes(
      log,
      "Successfully restarted crashed polecat alpha/Toast",
    );
    assert(
      (await h.sessions()).get("gt-alpha-Toast")?.commands.includes("claude"),
    );
  } finally {
    await h.close();
  }
});
