import { CampaignTrigger, type DomainEvent } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  causeDepthAfter,
  causingCampaignOf,
  hearsCause,
  MAX_CAUSE_DEPTH,
  matchesTrigger,
  matchTrigger,
} from "../src/index.ts";
import { days, definition, events, NOW } from "./fixtures.ts";

const on = (trigger: CampaignTrigger, audience = definition().audience) => ({ trigger, audience });

describe("matchTrigger: event triggers", () => {
  it("registered: customer.created, once in a customer's life", () => {
    expect(matchTrigger(on({ type: "registered" }), events.customerCreated())).toEqual({
      customerId: "cus_ada",
      occurrence: "registered",
      at: NOW,
    });
    expect(matchesTrigger(on({ type: "registered" }), events.sale())).toBe(false);
  });

  it("registered: also a till's customer signing up in the app, with the same occurrence; other updates are not", () => {
    const updated = (cause: "registration" | "profile" | "merge"): DomainEvent => ({
      tenantId: "ten_1",
      customerId: "cus_ada",
      occurredAt: NOW.toISOString(),
      type: "customer.updated",
      id: `customer.updated:cus_ada:${cause}`,
      cause,
      changed: ["name"],
      mergedCustomerId: null,
    });
    expect(matchTrigger(on({ type: "registered" }), updated("registration"))).toEqual({
      customerId: "cus_ada",
      occurrence: "registered",
      at: NOW,
    });
    expect(matchesTrigger(on({ type: "registered" }), updated("profile"))).toBe(false);
    expect(matchesTrigger(on({ type: "registered" }), updated("merge"))).toBe(false);
  });

  it("registered: not a customer a till's first sale created, whom an always-on campaign for all members enrols", () => {
    const byTill: DomainEvent = {
      tenantId: "ten_1",
      customerId: "cus_ada",
      occurredAt: NOW.toISOString(),
      type: "customer.created",
      id: "customer.created:cus_ada",
      via: "pos",
      cause: "sale",
      identity: "phone",
      fields: ["phone"],
    };
    expect(matchTrigger(on({ type: "registered" }), byTill)).toBeNull();
    expect(matchTrigger(on({ type: "registered" }), { ...byTill, via: "app", cause: "registration" })).toEqual({
      customerId: "cus_ada",
      occurrence: "registered",
      at: NOW,
    });
    expect(matchTrigger(on({ type: "always_on" }, { kind: "all_members" }), byTill)).toEqual({
      customerId: "cus_ada",
      occurrence: "customer.created:cus_ada",
      at: NOW,
    });
  });

  describe("registered: via", () => {
    const created = (cause?: "registration" | "sale" | "enrolment"): DomainEvent => ({
      tenantId: "ten_1",
      customerId: "cus_ada",
      occurredAt: NOW.toISOString(),
      type: "customer.created",
      id: "customer.created:cus_ada",
      via: cause === "registration" || cause === undefined ? "app" : "pos",
      fields: ["phone"],
      ...(cause ? { cause } : {}),
    });
    const signedUp: DomainEvent = {
      tenantId: "ten_1",
      customerId: "cus_ada",
      occurredAt: NOW.toISOString(),
      type: "customer.updated",
      id: "customer.updated:cus_ada:registration",
      cause: "registration",
      changed: ["name"],
      mergedCustomerId: null,
    };
    const all = [created("registration"), created(), signedUp, created("sale"), created("enrolment")];
    const matching = (via?: ("app" | "till")[]) =>
      all.map((event) => matchTrigger(on(via ? { type: "registered", via } : { type: "registered" }), event));

    it("the schema takes one or both sources, each once", () => {
      const parses = (via: unknown) => CampaignTrigger.safeParse({ type: "registered", via }).success;
      expect([["app"], ["till"], ["till", "app"], undefined].map(parses)).toEqual([true, true, true, true]);
      expect([[], ["app", "app"], ["pos"], "till"].map(parses)).toEqual([false, false, false, false]);
    });

    it("absent means app sign-ups only: never a customer a till created, by sale or enrolment", () => {
      expect(matching().map((m) => m !== null)).toEqual([true, true, true, false, false]);
      expect(matching(["app"])).toEqual(matching());
    });

    it("till: customers a till's first sale or a phone enrolment created, not app sign-ups", () => {
      expect(matching(["till"]).map((m) => m !== null)).toEqual([false, false, false, true, true]);
    });

    it("both: every new customer, each with the one occurrence, so a till's customer signing up later runs once", () => {
      const matches = matching(["app", "till"]);
      expect(matches.map((m) => m?.occurrence)).toEqual(Array(all.length).fill("registered"));
      expect(matches[4]).toEqual({ customerId: "cus_ada", occurrence: "registered", at: NOW });
    });
  });

  it("first_purchase: a sale when the worker says it is the customer's first", () => {
    const t = on({ type: "first_purchase" });
    expect(matchTrigger(t, events.sale(), { customerSales: 1 })?.occurrence).toBe("first_purchase");
    expect(matchesTrigger(t, events.sale(), { customerSales: 2 })).toBe(false);
    // Without the count the matcher cannot know, and does not guess.
    expect(matchesTrigger(t, events.sale())).toBe(false);
    // Anonymous sales have nobody to reach.
    expect(matchesTrigger(t, events.sale(null), { customerSales: 1 })).toBe(false);
  });

  it("profile_completed: the app's profile_completed event, with a constant occurrence", () => {
    const t = on({ type: "profile_completed" });
    expect(matchTrigger(t, events.recorded("profile_completed"))?.occurrence).toBe("profile_completed");
    expect(matchesTrigger(t, events.recorded("form_submitted"))).toBe(false);
  });

  it("tier_reached: upgrades to the named tier, or to any tier when none is named; never a downgrade", () => {
    const gold = on({ type: "tier_reached", tierId: "gold" });
    expect(matchTrigger(gold, events.tierChanged("gold"))?.occurrence).toBe("tier:gold:tier:cus_ada:gold:1");
    expect(matchesTrigger(gold, events.tierChanged("silver"))).toBe(false);
    expect(matchesTrigger(gold, events.tierChanged("gold", "down"))).toBe(false);
    expect(matchesTrigger(on({ type: "tier_reached" }), events.tierChanged("silver"))).toBe(true);
  });

  it("points_milestone: the chosen thresholds, once per crossing", () => {
    const t = on({ type: "points_milestone", thresholds: [100] });
    expect(matchTrigger(t, events.milestone(100, 1))?.occurrence).toBe("milestone:100:1");
    expect(matchTrigger(t, events.milestone(100, 2))?.occurrence).toBe("milestone:100:2");
    expect(matchesTrigger(t, events.milestone(480))).toBe(false);
    expect(matchesTrigger(on({ type: "points_milestone" }), events.milestone(480))).toBe(true);
  });

  it("points_expiring: acts daysBefore the expiry, at once when the notice comes later", () => {
    const expiresAt = new Date(NOW.getTime() + days(30)).toISOString();
    const t = on({ type: "points_expiring", daysBefore: 14 });
    const m = matchTrigger(t, events.expiring(80, expiresAt));
    expect(m).toEqual({
      customerId: "cus_ada",
      occurrence: `expiring:${expiresAt}`,
      at: new Date(NOW.getTime() + days(16)),
    });
    const late = on({ type: "points_expiring", daysBefore: 45 });
    expect(matchTrigger(late, events.expiring(80, expiresAt))?.at).toEqual(NOW);
  });

  it("points_expiring: below minPoints, or after the points expired, nothing", () => {
    const soon = new Date(NOW.getTime() + days(14)).toISOString();
    expect(
      matchesTrigger(on({ type: "points_expiring", daysBefore: 14, minPoints: 100 }), events.expiring(80, soon)),
    ).toBe(false);
    const past = new Date(NOW.getTime() - 1).toISOString();
    expect(matchesTrigger(on({ type: "points_expiring", daysBefore: 14 }), events.expiring(80, past))).toBe(false);
  });

  it("segment_entered: that segment only, each entry its own occurrence", () => {
    const t = on({ type: "segment_entered", segmentId: "seg_veg" });
    expect(matchTrigger(t, events.segmentEntered("seg_veg", 7))?.occurrence).toBe("segment.entered:seg_veg:cus_ada:7");
    expect(matchesTrigger(t, events.segmentEntered("seg_meat"))).toBe(false);
  });

  it("domain_event: the type, and every condition on its fields", () => {
    const bigSale = on({
      type: "domain_event",
      eventType: "transaction.processed",
      conditions: [
        { field: "total", op: "gte", value: 5_000 },
        { field: "channel", op: "in", value: ["app", "web"] },
      ],
    });
    const sale = (total: number, channel: string) => ({ ...events.sale("cus_ada", total), channel }) as never;
    expect(matchTrigger(bigSale, sale(6_000, "app"))?.occurrence).toBe("tx:t1");
    expect(matchesTrigger(bigSale, sale(4_999, "app"))).toBe(false);
    expect(matchesTrigger(bigSale, sale(6_000, "pos"))).toBe(false);
    expect(matchesTrigger(bigSale, events.customerCreated())).toBe(false);
    const form = on({
      type: "domain_event",
      eventType: "event.recorded",
      conditions: [
        { field: "eventType", op: "eq", value: "form_submitted" },
        { field: "properties.formId", op: "eq", value: "dob" },
      ],
    });
    expect(matchesTrigger(form, events.recorded("form_submitted", { formId: "dob" }))).toBe(true);
    expect(matchesTrigger(form, events.recorded("form_submitted", { formId: "survey" }))).toBe(false);
  });

  it("always_on: whoever joins the audience segment, or any new customer for all members", () => {
    const seg = on({ type: "always_on" }, { kind: "segment", segmentId: "seg_no_dob" });
    expect(matchesTrigger(seg, events.segmentEntered("seg_no_dob"))).toBe(true);
    expect(matchesTrigger(seg, events.segmentEntered("seg_other"))).toBe(false);
    const everyone = on({ type: "always_on" }, { kind: "all_members" });
    expect(matchesTrigger(everyone, events.customerCreated())).toBe(true);
    expect(matchesTrigger(everyone, events.sale())).toBe(false);
  });

  it("birthday, inactive and broadcast are not started by events", () => {
    for (const t of [
      { type: "birthday", daysBefore: 0 },
      { type: "inactive", days: 30 },
      { type: "broadcast", schedule: { repeat: "daily", time: "10:00" } },
    ] as const)
      for (const e of Object.values(events)) expect(matchesTrigger(on(t), (e as (a?: never) => never)())).toBe(false);
  });
});

describe("campaign-caused events: a campaign never starts itself, and chains of campaigns end", () => {
  const who = { tenantId: "ten_1", customerId: "cus_ada", occurredAt: NOW.toISOString() };
  const bonus = (causedByCampaignId?: string): DomainEvent => ({
    ...who,
    type: "points.earned",
    id: `bonus:mov_${causedByCampaignId ?? "admin"}`,
    points: 5,
    movementKind: "bonus",
    transactionId: null,
    pending: false,
    balance: 105,
    ...(causedByCampaignId ? { causedByCampaignId } : {}),
  });
  const enrolled = (campaignId: string): DomainEvent => ({
    ...who,
    type: "campaign.enrolled",
    id: `campaign-enrolled:enr_${campaignId}`,
    campaignId,
    version: 1,
    enrolmentId: `enr_${campaignId}`,
    occurrence: "tx:t1",
    outcome: "entered",
  });

  it("its own bonus or enrolment never starts a campaign, at any depth; a customer's points always do", () => {
    expect(causingCampaignOf(bonus("cmp_a"))).toBe("cmp_a");
    expect(causingCampaignOf(bonus())).toBeNull();
    expect(hearsCause("cmp_a", bonus("cmp_a"), 1)).toBe(false);
    expect(hearsCause("cmp_a", enrolled("cmp_a"), 1)).toBe(false);
    expect(hearsCause("cmp_a", bonus(), 0)).toBe(true);
  });

  it("what another campaign caused is heard, unopted, until the chain holds MAX_CAUSE_DEPTH campaigns", () => {
    expect(causeDepthAfter(0)).toBe(1);
    for (let depth = 1; depth < MAX_CAUSE_DEPTH; depth++) {
      expect(hearsCause("cmp_b", bonus("cmp_a"), depth)).toBe(true);
      expect(hearsCause("cmp_b", enrolled("cmp_a"), depth)).toBe(true);
    }
    expect(hearsCause("cmp_b", bonus("cmp_a"), MAX_CAUSE_DEPTH)).toBe(false);
    expect(hearsCause("cmp_b", enrolled("cmp_a"), MAX_CAUSE_DEPTH)).toBe(false);
  });

  it("two campaigns on each other's bonus stop once the chain holds MAX_CAUSE_DEPTH campaigns", () => {
    // A customer's points start A; A's bonus starts B; B's bonus starts A; each start one campaign deeper.
    let event = bonus();
    let depth = 0;
    let starts = 0;
    for (let round = 0; round < 10; round++) {
      const campaign = round % 2 === 0 ? "cmp_a" : "cmp_b";
      if (!hearsCause(campaign, event, depth)) break;
      starts++;
      depth = causeDepthAfter(depth);
      event = bonus(campaign);
    }
    expect(starts).toBe(MAX_CAUSE_DEPTH);
  });
});
