import { describe, expect, it } from "vitest";
import {
  type CausingCampaign,
  causeChoseByBehaviour,
  choosesByBehaviour,
  planActions,
  requiredPurposes,
  segmentsUsingBehaviour,
} from "../src/index.ts";
import { after, campaign, context, customer, days } from "./fixtures.ts";

// A follow-up on another campaign's doing (its enrolment, its coupon) reaches exactly the customers that campaign
// chose: when it chose them by behaviour, the follow-up needs their profiling consent too.

const followUp = {
  audience: { kind: "none" },
  trigger: {
    type: "domain_event",
    eventType: "campaign.enrolled",
    conditions: [{ field: "campaignId" }],
  },
};
const bigSpenders = {
  audience: { kind: "none" },
  trigger: { type: "domain_event", eventType: "transaction.processed", conditions: [{ field: "total" }] },
};
const welcome = { audience: { kind: "none" }, trigger: { type: "registered" } };
const cause = (overrides: Partial<CausingCampaign>): CausingCampaign => ({
  targeting: welcome,
  segmentUsesBehaviour: segmentsUsingBehaviour([]),
  inherited: false,
  ...overrides,
});

describe("a follow-up's profiling consent", () => {
  it("is inherited from a cause that chose by behaviour: its trigger's conditions, its segment", () => {
    expect(causeChoseByBehaviour(cause({ targeting: bigSpenders }))).toBe(true);
    const regulars = segmentsUsingBehaviour([
      {
        id: "seg_regulars",
        kind: "definition",
        definition: { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] },
      },
    ]);
    const toRegulars = { audience: { kind: "segment", segmentId: "seg_regulars" }, trigger: { type: "broadcast" } };
    expect(causeChoseByBehaviour(cause({ targeting: toRegulars, segmentUsesBehaviour: regulars }))).toBe(true);
    expect(requiredPurposes(followUp, undefined, true)).toEqual(["marketing", "profiling"]);
    expect(choosesByBehaviour(followUp, undefined, true)).toBe(true);
  });

  it("is inherited down a chain, and asked when the cause cannot be found or read", () => {
    expect(causeChoseByBehaviour(cause({ targeting: followUp, inherited: true }))).toBe(true);
    expect(causeChoseByBehaviour(cause({ targeting: null }))).toBe(true);
  });

  it("is not asked after a cause that chose by attributes, nor for a customer's own act", () => {
    expect(causeChoseByBehaviour(cause({ targeting: welcome }))).toBe(false);
    const gold = segmentsUsingBehaviour([
      { id: "seg_gold", kind: "definition", definition: { all: [{ type: "tier_in", tiers: ["gold"] }] } },
    ]);
    const toGold = { audience: { kind: "segment", segmentId: "seg_gold" }, trigger: { type: "broadcast" } };
    expect(causeChoseByBehaviour(cause({ targeting: toGold, segmentUsesBehaviour: gold }))).toBe(false);
    expect(causeChoseByBehaviour(null)).toBe(false);
    expect(requiredPurposes(followUp)).toEqual(["marketing"]);
  });

  it("skips the follow-up's message to a customer who gave marketing consent but refused profiling", () => {
    const marketingOnly = customer({
      consents: [
        { channel: "push", purpose: "marketing", granted: true, occurredAt: after(-days(3)) },
        { channel: "push", purpose: "profiling", granted: false, occurredAt: after(-days(2)) },
      ],
    });
    const pushFollowUp = campaign({
      trigger: {
        type: "domain_event",
        eventType: "campaign.enrolled",
        conditions: [{ field: "campaignId", op: "eq", value: "cmp_big_spenders" }],
      },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_thanks" }],
    });
    const inherited = planActions(pushFollowUp, marketingOnly, context({ causeChoseByBehaviour: true }));
    expect(inherited.map((s) => [s.status, s.reason])).toEqual([["skipped", "no_profiling_consent"]]);
    const ownAct = planActions(pushFollowUp, marketingOnly, context({ causeChoseByBehaviour: false }));
    expect(ownAct.map((s) => [s.status, s.reason])).toEqual([["run", null]]);
  });
});
