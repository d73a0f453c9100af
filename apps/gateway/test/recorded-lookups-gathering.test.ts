import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type LookupAsk, RecordedLookups } from "../src/recorded-lookups.ts";

/**
 * How `RecordedLookups` gathers concurrent requests' look-ups into statements. The statement here answers each item
 * with its own text, so each request can be checked to get its own answers back; `statements` records what each
 * statement was asked. The real statement against Postgres is tested in `retry-past-duplicate-window.test.ts`.
 */
function gatherer(gatherMs: number) {
  const statements: string[][] = [];
  const lookups = new RecordedLookups<string, string>(
    async (asks: readonly LookupAsk<string>[]) => {
      statements.push(asks.flatMap((a) => a.items.map((item) => `${a.tenantId}:${item}`)));
      return asks.map((a) => a.items.map((item) => `found ${a.tenantId}:${item}`));
    },
    10_000,
    gatherMs,
  );
  return { lookups, statements };
}

/** Lets the event loop run a few turns (I/O polls and immediates) without any time passing to speak of. */
const nextTurns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("look-ups gathered into one statement", () => {
  it("sends the look-ups asked over several turns within the gathering time as one statement", async () => {
    const { lookups, statements } = gatherer(50);
    const first = lookups.recordedBefore("t1", ["a", "b"]);
    await nextTurns(3);
    const second = lookups.recordedBefore("t2", ["c"]);
    expect(statements).toEqual([]);
    expect(await Promise.all([first, second])).toEqual([["found t1:a", "found t1:b"], ["found t2:c"]]);
    expect(statements).toEqual([["t1:a", "t1:b", "t2:c"]]);
    expect(lookups.stats).toEqual({ lookups: 2, statements: 1 });
  });

  it("without a gathering time, sends one statement per event-loop turn", async () => {
    const { lookups, statements } = gatherer(0);
    const first = lookups.recordedBefore("t1", ["a"]);
    const same = lookups.recordedBefore("t1", ["b"]);
    await nextTurns(3);
    const later = lookups.recordedBefore("t1", ["c"]);
    await Promise.all([first, same, later]);
    expect(statements).toEqual([["t1:a", "t1:b"], ["t1:c"]]);
  });

  it("sends at once when the gathered items reach a thousand, and starts gathering anew after", async () => {
    const { lookups, statements } = gatherer(60_000);
    const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => `x${from + i}`);
    const big = lookups.recordedBefore("t1", items(0, 600));
    const fills = lookups.recordedBefore("t1", items(600, 400));
    // Sent without waiting out the minute: the two answer now.
    const answers = await Promise.race([Promise.all([big, fills]), sleep(5_000).then(() => "waited")]);
    expect(answers).not.toBe("waited");
    expect(statements.map((s) => s.length)).toEqual([1_000]);
    // The next ask gathers for a statement of its own, sent when the gathering time ends (a minute: not waited here).
    void lookups.recordedBefore("t1", ["y"]);
    await nextTurns(3);
    expect(statements.map((s) => s.length)).toEqual([1_000]);
  });
});
