import { CampaignDefinition, DomainEventType } from "@regulars/contracts";
import { describe, expect, it } from "vitest";

const minimal = {
  name: "Welcome",
  audience: { kind: "none" },
  trigger: { type: "registered" },
  actions: [{ type: "issue_coupon", couponCampaignId: "cc_fries" }],
};

describe("CampaignDefinition", () => {
  it("fills the defaults: draft, immediately in the customer's zone, once per customer, no caps, no control group", () => {
    expect(CampaignDefinition.parse(minimal)).toEqual({
      ...minimal,
      schemaVersion: 1,
      status: "draft",
      delivery: { timing: { at: "immediately" }, zone: "customer", quietHours: null },
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [] },
      controlGroup: null,
    });
  });

  it("a broadcast or always-on campaign needs an audience", () => {
    const broadcast = { ...minimal, trigger: { type: "broadcast", schedule: { repeat: "daily", time: "18:00" } } };
    expect(CampaignDefinition.safeParse(broadcast).success).toBe(false);
    expect(
      CampaignDefinition.safeParse({ ...broadcast, audience: { kind: "segment", segmentId: "seg_1" } }).success,
    ).toBe(true);
    expect(CampaignDefinition.safeParse({ ...minimal, trigger: { type: "always_on" } }).success).toBe(false);
  });

  it("refuses a control group above half the audience, a bad local time, equal quiet hours, and no actions", () => {
    const bad = [
      { ...minimal, controlGroup: { share: 0.6 } },
      { ...minimal, delivery: { timing: { at: "local_time", time: "24:00" } } },
      { ...minimal, delivery: { quietHours: { start: "21:00", end: "21:00" } } },
      { ...minimal, actions: [] },
      { ...minimal, trigger: { type: "domain_event", eventType: "points.earnt" } },
      {
        ...minimal,
        trigger: {
          type: "domain_event",
          eventType: "points.earned",
          conditions: [{ field: "a..b", op: "eq", value: 1 }],
        },
      },
    ];
    for (const d of bad) expect(CampaignDefinition.safeParse(d).success, JSON.stringify(d)).toBe(false);
  });

  it("any domain event type can be listened to", () => {
    expect(DomainEventType.options).toEqual(
      expect.arrayContaining(["transaction.processed", "segment.entered", "points.expiring"]),
    );
  });
});
