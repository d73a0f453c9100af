import type { DomainEvent } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { matchesTrigger } from "../src/index.ts";
import { definition, events } from "./fixtures.ts";

// A merge whose survivor takes the merged customer's higher tier announces it (tier.changed, up, cause "merge"):
// the person reached that tier before, under the merged customer, so a "tier reached" campaign does not run again.

const gold = { trigger: { type: "tier_reached" as const, tierId: "gold" }, audience: definition().audience };

describe("tier_reached and a merge", () => {
  it("is not started by the tier a merge's survivor took over, but by a tier reached", () => {
    const reached = events.tierChanged("gold") as Extract<DomainEvent, { type: "tier.changed" }>;
    const merged: DomainEvent = { ...reached, id: "tier:cus_ada:merge:cus_till", cause: "merge" };
    expect(matchesTrigger(gold, reached)).toBe(true);
    expect(matchesTrigger(gold, merged)).toBe(false);
    expect(matchesTrigger({ ...gold, trigger: { type: "tier_reached" } }, merged)).toBe(false);
  });
});
