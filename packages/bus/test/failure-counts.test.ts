import type { JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { FailureCounts } from "../src/failure-counts.ts";

/** A message as the counts see it: only its stream sequence, and how often `info` was read. */
function message(streamSequence: number) {
  const reads = { count: 0 };
  const m = {
    get info() {
      reads.count++;
      return { streamSequence };
    },
  } as unknown as JsMsg;
  return { m, reads };
}

describe("FailureCounts", () => {
  it("counts failures per stream sequence and forgets a settled message", () => {
    const counts = new FailureCounts();
    const a = message(7);
    const b = message(8);
    expect(counts.add(a.m)).toBe(1);
    expect(counts.add(a.m)).toBe(2);
    expect(counts.add(b.m)).toBe(1);
    expect(counts.of(a.m)).toBe(2);
    counts.forget(a.m);
    expect(counts.of(a.m)).toBe(0);
    expect(counts.of(b.m)).toBe(1);
  });

  it("drops the oldest count beyond its capacity", () => {
    const counts = new FailureCounts(2);
    const [a, b, c] = [message(1), message(2), message(3)];
    counts.add(a.m);
    counts.add(b.m);
    counts.add(c.m);
    expect([counts.of(a.m), counts.of(b.m), counts.of(c.m)]).toEqual([0, 1, 1]);
  });

  it("settling a message while nothing failed does not parse its delivery info", () => {
    const counts = new FailureCounts();
    const settled = message(42);
    counts.forget(settled.m);
    expect(settled.reads.count).toBe(0);
    const failed = message(43);
    counts.add(failed.m);
    counts.forget(settled.m);
    expect(settled.reads.count).toBe(1);
  });
});
