import { describe, expect, it } from "vitest";
import {
  choosesByBehaviour,
  consentAllows,
  consentAllowsGranted,
  consentInForce,
  consentRefusal,
  requiredPurposes,
  segmentsUsingBehaviour,
  targetedSegmentIds,
} from "../src/index.ts";
import { after, days, hours } from "./fixtures.ts";

const choice = (
  channel: "push" | "sms" | "email",
  granted: boolean,
  at: Date,
  purpose: "marketing" | "profiling" = "marketing",
) => ({
  channel,
  purpose,
  granted,
  occurredAt: at,
});

describe("consentAllows", () => {
  it("needs a marketing grant on the message's channel", () => {
    expect(consentAllows("push", [choice("push", true, after(-days(1)))])).toBe(true);
    expect(consentAllows("sms", [choice("push", true, after(-days(1)))])).toBe(false);
    expect(consentAllows("push", [])).toBe(false);
  });

  it("profiling consent never stands in for marketing", () => {
    expect(consentAllows("push", [{ ...choice("push", true, after(-days(1))), purpose: "profiling" }])).toBe(false);
  });

  it("the latest choice wins, by when the customer made it, whatever order the history comes in", () => {
    const granted = choice("push", true, after(-days(10)));
    const withdrawn = choice("push", false, after(-days(2)));
    expect(consentAllows("push", [granted, withdrawn])).toBe(false);
    expect(consentAllows("push", [withdrawn, granted])).toBe(false);
    const regranted = choice("push", true, after(-hours(1)));
    expect(consentAllows("push", [withdrawn, regranted, granted])).toBe(true);
  });

  it("choices made at the same instant: the one recorded last wins", () => {
    const at = after(-days(1));
    const a = { ...choice("email", true, at), recordedAt: after(-hours(2)) };
    const b = { ...choice("email", false, at), recordedAt: after(-hours(1)) };
    expect(consentInForce([b, a], "email", "marketing")).toBe(b);
    expect(consentAllows("email", [a, b])).toBe(false);
  });

  it("a grant stamped ahead of when it was recorded (a fast clock) ranks as recorded: a later withdrawal wins", () => {
    const grantedAhead = { ...choice("email", true, after(hours(4) / 60)), recordedAt: after(0) };
    const withdrawn = { ...choice("email", false, after(hours(1) / 60)), recordedAt: after(hours(1) / 60) };
    expect(consentInForce([grantedAhead, withdrawn], "email", "marketing")).toBe(withdrawn);
    expect(consentAllows("email", [withdrawn, grantedAhead])).toBe(false);
    // An old grant uploaded late still ranks by its own, earlier time.
    const lateOldGrant = { ...choice("email", true, after(-hours(1))), recordedAt: after(hours(2)) };
    expect(consentAllows("email", [withdrawn, lateOldGrant])).toBe(false);
  });

  it("reads ISO strings as the store returns them", () => {
    expect(consentAllows("sms", [{ ...choice("sms", true, after(0)), occurredAt: after(0).toISOString() }])).toBe(true);
  });

  it("from a snapshot's granted consents", () => {
    expect(consentAllowsGranted("push", ["email:marketing", "push:marketing"])).toBe(true);
    expect(consentAllowsGranted("sms", ["push:marketing", "sms:profiling"])).toBe(false);
    expect(consentAllowsGranted("push", ["push:marketing"], ["marketing", "profiling"])).toBe(false);
    expect(consentAllowsGranted("push", ["push:marketing", "push:profiling"], ["marketing", "profiling"])).toBe(true);
  });
});

describe("profiling consent", () => {
  const targeting = (audience: string, trigger: string) => ({
    audience: { kind: audience },
    trigger: { type: trigger },
  });
  const onEvent = (eventType: string, conditions: { field: string; op: string; value: unknown }[] = []) => ({
    audience: { kind: "none" },
    trigger: { type: "domain_event", eventType, conditions },
  });

  it("is needed by campaigns that choose their audience from behaviour: a segment, entering one, inactivity", () => {
    expect(choosesByBehaviour(targeting("segment", "broadcast"))).toBe(true);
    expect(choosesByBehaviour(targeting("segment", "always_on"))).toBe(true);
    expect(choosesByBehaviour(targeting("none", "segment_entered"))).toBe(true);
    expect(choosesByBehaviour(targeting("none", "inactive"))).toBe(true);
    expect(requiredPurposes(targeting("segment", "broadcast"))).toEqual(["marketing", "profiling"]);
  });

  it("is not needed by campaigns that answer the customer's own act or their account in the programme", () => {
    for (const trigger of ["registered", "first_purchase", "birthday", "points_expiring", "tier_reached"])
      expect(requiredPurposes(targeting("none", trigger))).toEqual(["marketing"]);
    expect(requiredPurposes(targeting("all_members", "broadcast"))).toEqual(["marketing"]);
  });

  it("follows what the audience's or the trigger's segment reads, when planning knows it", () => {
    const saved = segmentsUsingBehaviour([
      {
        id: "seg_no_dob",
        kind: "definition",
        definition: { all: [{ type: "has_field", field: "date_of_birth", present: false }] },
      },
      { id: "seg_gold", kind: "definition", definition: { all: [{ type: "tier_in", tiers: ["gold"] }] } },
      {
        id: "seg_regulars",
        kind: "definition",
        definition: { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] },
      },
      { id: "seg_sql", kind: "sql", definition: null },
    ]);
    const toSegment = (segmentId: string, trigger: object = { type: "broadcast" }) => ({
      audience: { kind: "segment", segmentId },
      trigger: trigger as { type: string },
    });
    expect(requiredPurposes(toSegment("seg_no_dob"), saved)).toEqual(["marketing"]);
    expect(requiredPurposes(toSegment("seg_gold"), saved)).toEqual(["marketing"]);
    expect(requiredPurposes(toSegment("seg_regulars"), saved)).toEqual(["marketing", "profiling"]);
    expect(requiredPurposes(toSegment("seg_sql"), saved)).toEqual(["marketing", "profiling"]);
    expect(requiredPurposes(toSegment("seg_unknown"), saved)).toEqual(["marketing", "profiling"]);
    const entering = (segmentId: string) => ({
      audience: { kind: "none" },
      trigger: { type: "segment_entered", segmentId },
    });
    expect(requiredPurposes(entering("seg_gold"), saved)).toEqual(["marketing"]);
    expect(requiredPurposes(entering("seg_regulars"), saved)).toEqual(["marketing", "profiling"]);
    // Either segment reading behaviour is enough; inactivity is behaviour whatever the segments.
    expect(choosesByBehaviour(toSegment("seg_gold", entering("seg_regulars").trigger), saved)).toBe(true);
    expect(choosesByBehaviour(toSegment("seg_gold", { type: "inactive" }), saved)).toBe(true);
    expect(targetedSegmentIds(toSegment("seg_gold", entering("seg_regulars").trigger))).toEqual([
      "seg_gold",
      "seg_regulars",
    ]);
    expect(targetedSegmentIds(toSegment("seg_gold", entering("seg_gold").trigger))).toEqual(["seg_gold"]);
  });

  it("is needed by a domain_event trigger whose conditions read what the customer did, as a segment reading it is", () => {
    const vegan = { field: "lines.0.tags", op: "contains", value: "vegan" };
    expect(requiredPurposes(onEvent("transaction.processed", [vegan]))).toEqual(["marketing", "profiling"]);
    expect(requiredPurposes(onEvent("transaction.processed", [{ field: "total", op: "gte", value: 5_000 }]))).toEqual([
      "marketing",
      "profiling",
    ]);
    const saleOfVegan = [{ field: "kind", op: "eq", value: "sale" }, vegan];
    expect(requiredPurposes(onEvent("transaction.processed", saleOfVegan))).toEqual(["marketing", "profiling"]);
    const feedback = { field: "properties.rating", op: "gte", value: 4 };
    expect(requiredPurposes(onEvent("event.recorded", [feedback]))).toEqual(["marketing", "profiling"]);
    expect(requiredPurposes(onEvent("event.recorded", [{ field: "eventType", op: "eq", value: "app_open" }]))).toEqual([
      "marketing",
      "profiling",
    ]);
    for (const eventType of ["coupon.redeemed", "points.earned", "points.redeemed", "message.clicked"])
      expect(choosesByBehaviour(onEvent(eventType, [{ field: "points", op: "gte", value: 1 }]))).toBe(true);
    // The same facts, whatever the audience: an attribute-only segment does not make the conditions innocent.
    const gold = segmentsUsingBehaviour([
      { id: "seg_gold", kind: "definition", definition: { all: [{ type: "tier_in", tiers: ["gold"] }] } },
    ]);
    const toGold = {
      ...onEvent("transaction.processed", [vegan]),
      audience: { kind: "segment", segmentId: "seg_gold" },
    };
    expect(requiredPurposes(toGold, gold)).toEqual(["marketing", "profiling"]);
  });

  it("is not needed by a domain_event trigger that answers every act of a kind, or the programme's own news", () => {
    // A thank-you after every purchase, and after every sale (not refunds): the act, not what was in it.
    expect(requiredPurposes(onEvent("transaction.processed"))).toEqual(["marketing"]);
    expect(requiredPurposes(onEvent("transaction.processed", [{ field: "kind", op: "eq", value: "sale" }]))).toEqual([
      "marketing",
    ]);
    expect(requiredPurposes(onEvent("event.recorded"))).toEqual(["marketing"]);
    // "You got 50 bonus points": a movement of the programme's own, by its kind or the campaign that gave it.
    for (const [eventType, field, value] of [
      ["points.earned", "movementKind", "bonus"],
      ["points.earned", "causedByCampaignId", "cmp_welcome"],
      ["points.earned", "pending", false],
      ["points.reversed", "movementKind", "adjust"],
    ] as const)
      expect(requiredPurposes(onEvent(eventType, [{ field, op: "eq", value }]))).toEqual(["marketing"]);
    // What the programme announces and the customer is told: a tier, a milestone, points expiring, a coupon given.
    const programme = ["tier.changed", "points.milestone", "points.expiring", "coupon.issued", "consent.changed"];
    for (const eventType of programme)
      expect(requiredPurposes(onEvent(eventType, [{ field: "customerId", op: "exists", value: true }]))).toEqual([
        "marketing",
      ]);
    // A trigger read loosely, with neither an event type nor conditions, picks nobody by behaviour.
    expect(requiredPurposes({ audience: { kind: "none" }, trigger: { type: "domain_event" } })).toEqual(["marketing"]);
  });

  it("is needed by a domain_event trigger on entering or leaving segments: what they read is not looked at", () => {
    for (const eventType of ["segment.entered", "segment.left"])
      expect(requiredPurposes(onEvent(eventType))).toEqual(["marketing", "profiling"]);
  });

  it("refuses with its own reason, after marketing, on the message's channel only", () => {
    const both = ["marketing", "profiling"] as const;
    const marketingOnly = [choice("push", true, after(-days(1)))];
    expect(consentRefusal("push", both, marketingOnly)).toBe("no_profiling_consent");
    expect(consentRefusal("push", ["marketing"], marketingOnly)).toBeNull();
    expect(consentRefusal("push", both, [])).toBe("no_consent");
    const refused = [...marketingOnly, choice("push", false, after(-hours(1)), "profiling")];
    expect(consentRefusal("push", both, refused)).toBe("no_profiling_consent");
    const otherChannel = [...marketingOnly, choice("sms", true, after(-hours(1)), "profiling")];
    expect(consentRefusal("push", both, otherChannel)).toBe("no_profiling_consent");
    const granted = [...marketingOnly, choice("push", true, after(-hours(1)), "profiling")];
    expect(consentRefusal("push", both, granted)).toBeNull();
  });
});
