import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  brandApp,
  campaignScenario,
  eventually,
  messagesOf,
  pushTemplate,
  quietPeriod,
  received,
  type SignedReceiver,
  saleFor,
  scenarioTimeoutMs,
  subscribeMessages,
  walletOf,
} from "./campaign-fixture.ts";
import { domainEvents } from "./domain-events.ts";
import type { TestSystem } from "./system-fixture.ts";

vi.setConfig({ testTimeout: scenarioTimeoutMs });

// Acceptance scenario 6 of the specification: points milestones and tiers set off campaigns, each once per
// crossing, and gold's earning rate applies from the next order, over the real services.

const scenario = campaignScenario();
let system: TestSystem;
let db: Db;
let receiver: SignedReceiver;
beforeAll(() => {
  ({ system, db, receiver } = scenario);
});

const meal = (euros: number) => [{ sku: "MEAL", unitPrice: euros * 100 }];

/** Refunds a whole one-line sale through the gateway and waits until the ledger processed it. */
async function refundWhole(tenant: CreatedTenant, customerId: string, sale: { externalId: string; total: number }) {
  const externalId = `REF-${sale.externalId}`;
  const res = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    externalId,
    type: "refund",
    refundOf: sale.externalId,
    occurredAt: new Date().toISOString(),
    locationId: "store-a",
    channel: "pos",
    customer: { id: customerId },
    currency: "EUR",
    lines: [{ lineNo: 0, sku: "MEAL", name: "MEAL", quantity: 1, unitPrice: sale.total, discount: 0, tags: [] }],
    total: sale.total,
  });
  expect(res.status).toBe(202);
  return system.processed(tenant.apiKeys.admin, externalId);
}

/** The numbers of the crossings into gold's band the ledger announced for a customer (`tier.gap` events). */
const tierGapCrossings = async (customerId: string) =>
  (await domainEvents(system.bus, "tier.gap")).filter((e) => e.customerId === customerId).map((e) => e.crossing);

describe("milestones and tiers", () => {
  let tenant: CreatedTenant;
  beforeAll(async () => {
    tenant = await testTenant(db, "Milestone Burgers");
    await subscribeMessages(system, tenant, receiver);
  });

  it("scenario 6: 'reached 100 points' and 'only 20 points to gold' fire once per crossing; gold earns double on the next order", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    await admin.programme.tiers.set.mutate({
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 200 },
          { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
        ],
      },
    } as never);
    await admin.programme.milestones.set.mutate({ milestones: [100] });

    const fiveOff = await admin.coupons.create.mutate({
      name: "€5 off",
      benefit: { kind: "fixed_off", amount: 500 },
      codes: { kind: "unique", pattern: "FIVE-XXXXX" },
    });
    const reached = await pushTemplate(
      system,
      tenant,
      "You've reached {{ points.balance }} points",
      "Claim €5 off now: {{ coupon.code }}",
    );
    const almostGold = await pushTemplate(
      system,
      tenant,
      "Almost there",
      "Only {{ tier_gaps.gold }} points to {{ points.next_tier }}",
    );
    const hundred = await admin.campaigns.create.mutate({
      name: "100 points",
      status: "active",
      audience: { kind: "none" },
      trigger: { type: "points_milestone", thresholds: [100] },
      actions: [
        { type: "issue_coupon", couponCampaignId: fiveOff.id },
        { type: "send_message", channel: "push", templateId: reached.id },
      ],
      // Each crossing is an occurrence of its own: a customer who drops below 100 and climbs back is told again.
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const nearGold = await admin.campaigns.create.mutate({
      name: "Only 20 points to gold",
      status: "active",
      audience: { kind: "none" },
      // 480 points *earned*, whatever was spent: a tier gap, not a balance milestone.
      trigger: { type: "tier_gap", tierId: "gold", within: 20 },
      actions: [{ type: "send_message", channel: "push", templateId: almostGold.id }],
      // Repeatable, as the 100 points campaign: "once per crossing" is then the ledger's doing, not the limit's.
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });

    const app = brandApp(system, tenant);
    const member = await app.member(`apple-milestones-${Date.now()}`);
    const pushes = async (n: number) =>
      eventually(`${n} pushes`, async () => {
        const got = await received(db, tenant, member.id);
        return got.length >= n ? got.map((m) => m.body) : undefined;
      });

    expect((await saleFor(system, tenant, member.id, meal(110))).pointsAwarded).toBe(110); // crosses 100
    expect(await pushes(1)).toEqual([expect.stringContaining("reached 110 points")]);
    await saleFor(system, tenant, member.id, meal(50)); // 160: above 100 again, no crossing
    await saleFor(system, tenant, member.id, meal(320)); // 480: crosses 480
    expect((await pushes(2))[1]).toContain("Only 20 points to Gold");
    await saleFor(system, tenant, member.id, meal(10)); // 490: a second sale above the threshold
    const upgrading = await saleFor(system, tenant, member.id, meal(20)); // 510: gold
    expect(upgrading.pointsAwarded).toBe(20); // earned at the rate before the upgrade
    expect(await admin.customers.get.query({ id: member.id })).toMatchObject({ tier: { id: "gold" } });
    const next = await saleFor(system, tenant, member.id, meal(30));
    expect(next.pointsAwarded).toBe(60); // gold earns 2 per €1 from the next order on

    await quietPeriod();
    const bodies = (await received(db, tenant, member.id)).map((m) => m.body);
    expect(bodies).toHaveLength(2);
    const wallet = await walletOf(system, tenant, member.id);
    expect(wallet).toMatchObject([{ campaignId: fiveOff.id }]);
    expect(bodies[0]).toContain(wallet[0]!.code);
    expect((await messagesOf(system, tenant, { customerId: member.id })).map((m) => [m.campaignId, m.status])).toEqual([
      [hundred.id, "sent"],
      [nearGold.id, "sent"],
    ]);

    const sent = await eventually("both message.sent at the tenant's endpoint", async () => {
      const hits = receiver.verified.filter((d) => d.type === "message.sent" && d.data.customerId === member.id);
      return hits.length === 2 ? hits : undefined;
    });
    expect(sent.map((d) => d.data.campaignId).sort()).toEqual([hundred.id, nearGold.id].sort());
    for (const c of [hundred, nearGold]) {
      const results = await eventually(`${c.name}'s results`, async () => {
        const r = await admin.campaigns.results.query({ id: c.id });
        return r.messages.sent === 1 ? r : undefined;
      });
      expect(results.reach).toEqual({ entered: 1, control: 0 });
    }

    // 570 points, spent down to 50, then back over 100: a second crossing, told once more.
    await admin.customers.adjust.mutate({ customerId: member.id, amount: -520, reason: "redeemed at the counter" });
    await saleFor(system, tenant, member.id, meal(60)); // 170 (gold's 2 per €1)
    expect((await pushes(3))[2]).toContain("reached 170 points");
    await quietPeriod();
    expect(await received(db, tenant, member.id)).toHaveLength(3);
    expect(await walletOf(system, tenant, member.id)).toHaveLength(2);
    const again = await eventually("the 100 points campaign's results after the second crossing", async () => {
      const r = await admin.campaigns.results.query({ id: hundred.id });
      return r.messages.sent === 2 ? r : undefined;
    });
    expect(again).toMatchObject({ reach: { entered: 1 }, coupons: { issued: 2 } });

    // A customer who earned 400, redeemed 100 and earned 80 more has a balance of 380 but is 20 points from gold:
    // told once. The first customer, gold and spent down, never reaches the band again, whatever the balance does.
    const redeemer = await app.member(`apple-milestones-redeemer-${Date.now()}`);
    await saleFor(system, tenant, redeemer.id, meal(400));
    await admin.customers.adjust.mutate({ customerId: redeemer.id, amount: -100, reason: "redeemed at the counter" });
    const intoBand = await saleFor(system, tenant, redeemer.id, meal(80)); // 480 earned, balance 380
    const told = await eventually("the redeemer's push", async () => {
      const got = await received(db, tenant, redeemer.id);
      return got.length >= 2 ? got.map((m) => m.body) : undefined;
    });
    expect(told).toEqual([expect.stringContaining("reached"), expect.stringContaining("Only 20 points to Gold")]);
    await saleFor(system, tenant, redeemer.id, meal(5)); // 485: still in the band, the same crossing
    await quietPeriod();
    expect(await received(db, tenant, redeemer.id)).toHaveLength(2);
    expect(await received(db, tenant, member.id)).toHaveLength(3);
    expect(await tierGapCrossings(redeemer.id)).toEqual([1]);
    expect(await tierGapCrossings(member.id)).toEqual([1]);

    // The 80 refunded: 405 earned, out of the band. Back to 485: a second crossing, told again.
    await refundWhole(tenant, redeemer.id, intoBand);
    await quietPeriod();
    expect(await tierGapCrossings(redeemer.id)).toEqual([1]);
    await saleFor(system, tenant, redeemer.id, meal(80));
    const crossings = await eventually("the second crossing into gold's band", async () => {
      const got = await tierGapCrossings(redeemer.id);
      return got.length >= 2 ? got : undefined;
    });
    expect(crossings).toEqual([1, 2]);
    const toldAgain = await eventually("the redeemer's second push", async () => {
      const got = await received(db, tenant, redeemer.id);
      return got.length >= 3 ? got.map((m) => m.body) : undefined;
    });
    expect(toldAgain[2]).toContain("Only 15 points to Gold");
    await quietPeriod();
    expect(await received(db, tenant, redeemer.id)).toHaveLength(3);
  });
});
