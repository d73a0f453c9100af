import { describe, expect, it } from "vitest";
import { causeChoseByBehaviour, readTargeting, segmentsUsingBehaviour } from "../src/index.ts";

// Saved definitions are read loosely, in one place, for what decides profiling: the planner judging a follow-up's
// cause and the sender's check must not disagree on what a definition says.

const causeOf = (definition: unknown) =>
  causeChoseByBehaviour({
    targeting: readTargeting(definition),
    segmentUsesBehaviour: segmentsUsingBehaviour([]),
    inherited: false,
  });

describe("readTargeting", () => {
  it("keeps the audience and trigger, whatever else a later release saved beside them", () => {
    const saved = {
      audience: { kind: "segment", segmentId: "seg_a", since: "later-release" },
      trigger: {
        type: "domain_event",
        eventType: "transaction.processed",
        conditions: [{ field: "total", op: "gte" }],
      },
      actions: [],
    };
    expect(readTargeting(saved)).toEqual({
      audience: { kind: "segment", segmentId: "seg_a" },
      trigger: { type: "domain_event", eventType: "transaction.processed", conditions: [{ field: "total" }] },
    });
  });

  it("reads nothing from a definition missing its audience or trigger, or holding them in another shape", () => {
    const trigger = { type: "registered" };
    for (const unreadable of [
      null,
      [],
      { trigger },
      { audience: { kind: "none" } },
      { audience: { kind: 1 }, trigger },
      { audience: { kind: "segment", segmentId: null }, trigger },
      { audience: { kind: "none" }, trigger: { type: "domain_event", conditions: [{ op: "eq" }] } },
    ])
      expect(readTargeting(unreadable)).toBeNull();
  });

  it("makes a cause it cannot read count as choosing by behaviour, one it can by what it says", () => {
    expect(causeOf({ audience: { kind: "none" } })).toBe(true);
    expect(causeOf({ audience: { kind: "none" }, trigger: { type: "registered" } })).toBe(false);
  });
});
