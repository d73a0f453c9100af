import type { CampaignAction, DomainEvent } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  type CampaignVersion,
  matchTrigger,
  type PlanContext,
  type PlanCustomer,
  planActions,
  segmentsUsingBehaviour,
  type TriggerFacts,
} from "../src/index.ts";
import { after, allGranted, campaign, context, customer, days, events, hours, NOW } from "./fixtures.ts";

/**
 * The acceptance scenarios' campaign decisions, end to end through the pure functions: the event matches, the
 * occurrence is planned. The worker tests run the same flows over the real services.
 */
function run(
  c: CampaignVersion,
  event: DomainEvent,
  who: PlanCustomer,
  ctx: Partial<PlanContext> = {},
  f?: TriggerFacts,
) {
  const match = matchTrigger(c.definition, event, f);
  if (!match) return null;
  return planActions(c, who, context({ occurrence: { key: match.occurrence, at: match.at }, ...ctx }));
}

const fries: CampaignAction = { type: "issue_coupon", couponCampaignId: "cc_fries" };
const push = (templateId: string): CampaignAction => ({ type: "send_message", channel: "push", templateId });

describe("acceptance scenarios, as campaign decisions", () => {
  it("1: the persistent welcome campaign puts the fries coupon in a new customer's wallet, once", () => {
    const welcome = campaign({ trigger: { type: "registered" }, actions: [fries] });
    const first = run(welcome, events.customerCreated(), customer());
    expect(first?.map((s) => [s.action.type, s.status])).toEqual([["issue_coupon", "run"]]);
    // The event delivered again: the same key, which the store has already.
    const again = run(welcome, events.customerCreated(), customer(), {
      history: [{ occurrence: "registered", at: NOW }],
    });
    expect(again?.map((s) => s.key)).toEqual(first?.map((s) => s.key));
  });

  it("4: a push to customers without a date of birth; the completed profile earns a coupon once, never twice", () => {
    const ask = campaign({
      audience: { kind: "segment", segmentId: "seg_no_dob" },
      trigger: { type: "always_on" },
      actions: [push("tpl_complete_profile")],
    });
    expect(run(ask, events.segmentEntered("seg_no_dob"), customer())?.[0]?.status).toBe("run");
    // A missing date of birth is not behaviour: a customer who refused profiling still gets the push.
    const noDateOfBirth = segmentsUsingBehaviour([
      {
        id: "seg_no_dob",
        kind: "definition",
        definition: { all: [{ type: "has_field", field: "date_of_birth", present: false }] },
      },
    ]);
    const notProfiled = customer({ consents: allGranted().filter((c) => c.purpose !== "profiling") });
    const planned = run(ask, events.segmentEntered("seg_no_dob"), notProfiled, { segmentUsesBehaviour: noDateOfBirth });
    expect(planned?.map((s) => [s.status, s.reason])).toEqual([["run", null]]);
    const reward = { ...campaign({ trigger: { type: "profile_completed" }, actions: [fries] }), id: "cmp_profile" };
    const first = run(reward, events.recorded("profile_completed"), customer());
    expect(first?.[0]?.status).toBe("run");
    // A second profile_completed event is the same occurrence: the same key, so the coupon is not issued again.
    const second = { ...events.recorded("profile_completed"), id: "ev:other" } as DomainEvent;
    expect(run(reward, second, customer())?.[0]?.key).toBe(first?.[0]?.key);
  });

  it("5: new products to a segment, by push with a coupon, respecting consents and frequency caps", () => {
    const launch = campaign({
      audience: { kind: "segment", segmentId: "seg_veg" },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: NOW.toISOString() } },
      actions: [fries, push("tpl_new_products")],
      limits: { frequencyCaps: [{ channel: "push", max: 1, windowHours: 24 }] },
    });
    const ctx = context({ occurrence: { key: `broadcast:${NOW.toISOString()}`, at: NOW } });
    const members = {
      ada: customer({ id: "cus_ada", segmentIds: ["seg_veg"] }),
      bob: customer({
        id: "cus_bob",
        segmentIds: ["seg_veg"],
        consents: allGranted().filter((c) => c.channel !== "push"),
      }),
      cy: customer({ id: "cus_cy", segmentIds: ["seg_veg"] }),
      // Offers by push, yes; chosen from what they buy, no: the segment picked them by their purchases.
      dee: customer({
        id: "cus_dee",
        segmentIds: ["seg_veg"],
        consents: allGranted().filter((c) => c.channel !== "push" || c.purpose !== "profiling"),
      }),
    };
    const sends = { cus_cy: [{ channel: "push" as const, at: after(-hours(2)) }] };
    const outcome = Object.values(members).map((m) =>
      planActions(launch, m, { ...ctx, previousSends: sends[m.id as keyof typeof sends] ?? [] }).map((s) => s.reason),
    );
    expect(outcome).toEqual([
      [null, null],
      [null, "no_consent"],
      [null, "capped"],
      [null, "no_profiling_consent"],
    ]);
  });

  it("6: 'you reached 100 points' and 'only 20 points to gold' fire once per crossing", () => {
    const hundred = campaign({ trigger: { type: "points_milestone", thresholds: [100] }, actions: [push("tpl_100")] });
    expect(run(hundred, events.milestone(100), customer())?.[0]?.status).toBe("run");
    expect(run(hundred, events.milestone(480), customer())).toBeNull();
    // Crossing 100 again later (after spending below it) is another occurrence; a once-only campaign refuses it.
    const history = [{ occurrence: "milestone:100:1", at: after(-days(20)) }];
    expect(run(hundred, events.milestone(100, 2), customer(), { history })?.[0]?.reason).toBe("already_received");

    // "Only 20 points to gold" follows what the tiers count (points earned), not the spendable balance: a customer
    // who earned 480 and redeemed 100 (balance 380) is told, with the gap; one already gold whose balance reaches 480
    // after spending gets no `tier.gap` from the ledger, and a balance milestone at 480 no longer starts it.
    const nearGold = {
      ...campaign({ trigger: { type: "tier_gap", tierId: "gold", within: 20 }, actions: [push("tpl_near_gold")] }),
      id: "cmp_near_gold",
    };
    const redeemer = events.tierGap("gold", 20, 480);
    expect(redeemer.type === "tier.gap" && redeemer.gap).toBe(20);
    expect(matchTrigger(nearGold.definition, redeemer)?.occurrence).toBe("tier_gap:gold:20:1");
    expect(run(nearGold, redeemer, customer())?.[0]?.status).toBe("run");
    expect(run(nearGold, events.milestone(480), customer())).toBeNull();
    expect(run(nearGold, events.tierGap("gold", 50, 460), customer())).toBeNull();
    expect(run(nearGold, events.tierGap("silver", 20, 185, 1, 200), customer())).toBeNull();
    // A refund took the value below the band and it rose again: crossing 2, which a once-only campaign refuses.
    const told = [{ occurrence: "tier_gap:gold:20:1", at: after(-days(3)) }];
    expect(run(nearGold, events.tierGap("gold", 20, 485, 2), customer(), { history: told })?.[0]?.reason).toBe(
      "already_received",
    );
  });

  it("10: points expiring in 14 days trigger the notice that day, at 18:00 local", () => {
    const notice = campaign({
      trigger: { type: "points_expiring", daysBefore: 14 },
      actions: [push("tpl_expiring")],
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "tenant" },
    });
    const expiresAt = after(days(14)).toISOString();
    const [step] = run(notice, events.expiring(80, expiresAt), customer()) ?? [];
    expect(step).toMatchObject({ status: "run", runAt: new Date("2024-03-29T17:00:00Z") });
  });
});
