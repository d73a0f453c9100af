import type { CampaignAction } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { holdoutPosition, type PlanContext, type PlanCustomer, planActions, stepKey } from "../src/index.ts";
import { after, allGranted, campaign, context, customer, days, hours, NOW } from "./fixtures.ts";

const coupon: CampaignAction = { type: "issue_coupon", couponCampaignId: "cc_fries" };
const push: CampaignAction = { type: "send_message", channel: "push", templateId: "tpl_new_products" };
const points: CampaignAction = { type: "award_points", points: 50, reason: "Profile completed" };

describe("planActions: keys and order", () => {
  it("plans each action in order with its key, running now", () => {
    const steps = planActions(campaign({ actions: [coupon, points] }), customer(), context());
    expect(steps.map((s) => [s.index, s.action.type, s.status, s.reason, s.runAt])).toEqual([
      [0, "issue_coupon", "run", null, NOW],
      [1, "award_points", "run", null, NOW],
    ]);
    expect(steps[0]?.key).toBe(
      stepKey({ campaignId: "cmp_welcome", version: 1, customerId: "cus_ada", occurrence: "registered", stepIndex: 0 }),
    );
  });

  it("planning the same occurrence again (a redelivery, a crash, a second instance) gives the same keys", () => {
    const first = planActions(campaign(), customer(), context());
    const history = [{ occurrence: "registered", at: NOW }];
    const again = planActions(campaign(), customer(), context({ history, now: after(hours(1)) }));
    expect(again.map((s) => [s.key, s.status])).toEqual(first.map((s) => [s.key, "run"]));
  });

  it("every part of the key matters, and ids with separators cannot collide", () => {
    const parts = { campaignId: "c", version: 1, customerId: "k", occurrence: "o", stepIndex: 0 };
    const keys = new Set([
      stepKey(parts),
      stepKey({ ...parts, campaignId: "c2" }),
      stepKey({ ...parts, version: 2 }),
      stepKey({ ...parts, customerId: "k2" }),
      stepKey({ ...parts, occurrence: "o2" }),
      stepKey({ ...parts, stepIndex: 1 }),
      stepKey({ ...parts, campaignId: "c:k", customerId: "" }),
      stepKey({ ...parts, campaignId: "c", customerId: ":k" }),
    ]);
    expect(keys.size).toBe(8);
    expect(stepKey(parts)).toMatch(/^cst_[0-9a-f]{64}$/);
  });

  it("waits add up from the step before; days are local days across DST", () => {
    const steps = planActions(
      campaign({
        actions: [
          coupon,
          { ...points, wait: { amount: 2, unit: "hours" } },
          { ...coupon, wait: { amount: 3, unit: "days" } },
        ],
      }),
      customer(),
      context(),
    );
    // NOW is Friday 10:00 (UTC+1); three local days later is Monday 10:00 (UTC+2), 71 hours on.
    expect(steps.map((s) => s.runAt)).toEqual([NOW, after(hours(2)), after(hours(2 + 71))]);
  });

  it("an occurrence that fired in the past starts from now", () => {
    const steps = planActions(
      campaign(),
      customer(),
      context({ occurrence: { key: "registered", at: after(-days(2)) } }),
    );
    expect(steps[0]?.runAt).toEqual(NOW);
  });
});

describe("planActions: the whole occurrence refused", () => {
  it("a campaign that is not active runs nothing", () => {
    for (const status of ["draft", "scheduled", "paused", "archived"] as const) {
      const steps = planActions(campaign({ status }), customer(), context());
      expect(steps.map((s) => s.reason)).toEqual(["campaign_inactive"]);
    }
  });

  it("once per customer: another occurrence before means already_received", () => {
    const history = [{ occurrence: "milestone:100:1", at: after(-days(40)) }];
    const c = campaign({ trigger: { type: "points_milestone" }, actions: [coupon, push] });
    const steps = planActions(c, customer(), context({ occurrence: { key: "milestone:100:2", at: NOW }, history }));
    expect(steps.map((s) => [s.status, s.reason])).toEqual([
      ["skipped", "already_received"],
      ["skipped", "already_received"],
    ]);
  });

  it("repeatable with a minimum gap: too_soon inside it, run outside it", () => {
    const c = campaign({ limits: { perCustomer: { mode: "repeatable", minGapHours: 72 } } });
    const history = [{ occurrence: "seg:1", at: after(-hours(71)) }];
    const occurrence = { key: "seg:2", at: NOW };
    expect(planActions(c, customer(), context({ occurrence, history }))[0]?.reason).toBe("too_soon");
    const older = [{ occurrence: "seg:1", at: after(-hours(72)) }];
    expect(planActions(c, customer(), context({ occurrence, history: older }))[0]?.status).toBe("run");
  });

  it("a segment audience: a customer no longer in the segment is skipped", () => {
    const c = campaign({ audience: { kind: "segment", segmentId: "seg_veg" } });
    expect(planActions(c, customer({ segmentIds: ["seg_meat"] }), context())[0]?.reason).toBe("not_in_audience");
    expect(planActions(c, customer({ segmentIds: ["seg_veg"] }), context())[0]?.status).toBe("run");
  });

  it("the control group: every step skipped, keyed and timed like the others, for the same customers every time", () => {
    const c = campaign({ controlGroup: { share: 0.5 }, actions: [push] });
    const ids = Array.from({ length: 40 }, (_, i) => `cus_${i}`);
    const held = ids.filter((id) => holdoutPosition("cmp_welcome", id) < 0.5);
    expect(held.length).toBeGreaterThan(0);
    for (const id of ids) {
      const [step] = planActions(c, customer({ id }), context());
      expect(step?.reason === "control_group").toBe(held.includes(id));
      expect(step?.runAt).toEqual(NOW);
    }
  });

  it("the control group holds out only whom the campaign would reach, others keep a treated customer's reason", () => {
    const c = campaign({
      controlGroup: { share: 0.5 },
      actions: [push],
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    const id = Array.from({ length: 40 }, (_, i) => `cus_${i}`).find((i) => holdoutPosition("cmp_welcome", i) < 0.5)!;
    const held = (who: Partial<PlanCustomer>, ctx: Partial<PlanContext> = {}) =>
      planActions(c, customer({ id, ...who }), context(ctx)).map((s) => [s.status, s.reason]);
    expect(held({})).toEqual([["skipped", "control_group"]]);
    expect(held({ consents: [] })).toEqual([["skipped", "no_consent"]]);
    expect(held({ reachable: { push: false, sms: true, email: true } })).toEqual([["skipped", "no_address"]]);
    const previousSends = [{ channel: "push" as const, at: after(-hours(1)) }];
    expect(held({}, { previousSends })).toEqual([["skipped", "capped"]]);
    // A coupon would still have reached the customer without push consent: held out, every step.
    const couponFirst = planActions(
      campaign({ controlGroup: { share: 0.5 }, actions: [coupon, push] }),
      customer({ id, consents: [] }),
      context(),
    );
    expect(couponFirst.map((s) => s.reason)).toEqual(["control_group", "control_group"]);
  });
});

describe("planActions: messages", () => {
  it("no message without marketing consent on its channel; the coupon after it still runs", () => {
    const consents = allGranted().filter((c) => c.channel !== "push");
    const steps = planActions(campaign({ actions: [push, coupon] }), customer({ consents }), context());
    expect(steps.map((s) => [s.status, s.reason])).toEqual([
      ["skipped", "no_consent"],
      ["run", null],
    ]);
  });

  it("a withdrawn consent refuses, a consent to another channel does not help", () => {
    const withdrawn = [
      ...allGranted(),
      { channel: "push" as const, purpose: "marketing" as const, granted: false, occurredAt: after(-hours(1)) },
    ];
    expect(planActions(campaign({ actions: [push] }), customer({ consents: withdrawn }), context())[0]?.reason).toBe(
      "no_consent",
    );
  });

  it("no device to push to: no_address", () => {
    const c = customer({ reachable: { push: false, sms: true, email: true } });
    expect(planActions(campaign({ actions: [push] }), c, context())[0]?.reason).toBe("no_address");
  });

  it("frequency caps count other campaigns' sends and this plan's own", () => {
    const capped = { limits: { frequencyCaps: [{ channel: "push" as const, max: 1, windowHours: 24 }] } };
    const previousSends = [{ channel: "push" as const, at: after(-hours(3)) }];
    expect(
      planActions(campaign({ ...capped, actions: [push] }), customer(), context({ previousSends }))[0]?.reason,
    ).toBe("capped");
    const twice = planActions(campaign({ ...capped, actions: [push, coupon, push] }), customer(), context());
    expect(twice.map((s) => s.reason)).toEqual([null, null, "capped"]);
  });

  it("planned again, an occurrence's own queued message does not cap it", () => {
    const capped = { limits: { frequencyCaps: [{ channel: "push" as const, max: 1, windowHours: 24 }] } };
    const c = campaign({ ...capped, actions: [push] });
    const [first] = planActions(c, customer(), context());
    const previousSends = [{ channel: "push" as const, at: NOW, key: first?.key }];
    const history = [{ occurrence: "registered", at: NOW }];
    const [again] = planActions(c, customer(), context({ previousSends, history }));
    expect(again).toEqual(first);
    // Another occurrence's message does count.
    const other = [{ channel: "push" as const, at: NOW, key: "cst_other" }];
    expect(planActions(c, customer(), context({ previousSends: other }))[0]?.reason).toBe("capped");
  });

  it("the tenant's caps hold beside the campaign's own", () => {
    const tenantCaps = [{ max: 2, windowHours: 24 * 7 }];
    const previousSends = [
      { channel: "email" as const, at: after(-days(2)) },
      { channel: "sms" as const, at: after(-days(5)) },
    ];
    const [step] = planActions(campaign({ actions: [push] }), customer(), context({ previousSends, tenantCaps }));
    expect(step?.reason).toBe("capped");
  });

  it("18:00 that evening in the customer's zone; steps after the message follow it, steps before do not wait", () => {
    const c = campaign({
      actions: [coupon, push, points],
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "customer" },
    });
    const steps = planActions(c, customer(), context());
    const evening = new Date("2024-03-29T17:00:00Z");
    expect(steps.map((s) => s.runAt)).toEqual([NOW, evening, evening]);
    const newYork = planActions(c, customer({ zone: "America/New_York" }), context());
    expect(newYork[1]?.runAt).toEqual(new Date("2024-03-29T22:00:00Z"));
  });

  it("the tenant's zone when the customer has none", () => {
    const c = campaign({
      actions: [push],
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "customer" },
    });
    const steps = planActions(c, customer({ zone: null }), context({ zones: { tenant: "Europe/Lisbon" } }));
    expect(steps[0]?.runAt).toEqual(new Date("2024-03-29T18:00:00Z"));
  });

  it("quiet hours postpone a message and say so", () => {
    const c = campaign({ actions: [push], delivery: { quietHours: { start: "21:00", end: "08:00" } } });
    const night = after(hours(12)); // 22:00 in Warsaw
    const [step] = planActions(c, customer(), context({ now: night, occurrence: { key: "registered", at: night } }));
    expect(step).toMatchObject({
      status: "run",
      notes: ["quiet_hours_postponed"],
      runAt: new Date("2024-03-30T07:00:00Z"),
    });
  });

  it("caps are judged at the postponed time, not the trigger's", () => {
    const c = campaign({
      actions: [push],
      delivery: { quietHours: { start: "21:00", end: "08:00" } },
      limits: { frequencyCaps: [{ channel: "push", max: 1, windowHours: 12 }] },
    });
    const night = after(hours(12)); // 22:00; the push moves to 08:00 tomorrow
    // A push at 19:00 is 3 hours before the trigger but 13 hours before the postponed send.
    const previousSends = [{ channel: "push" as const, at: after(-hours(3), night) }];
    const [step] = planActions(
      c,
      customer(),
      context({ now: night, occurrence: { key: "r", at: night }, previousSends }),
    );
    expect(step?.status).toBe("run");
  });
});
