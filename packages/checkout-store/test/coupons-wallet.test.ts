import { LoyaltyEvent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { daysAgo, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  campaignStats,
  generateCampaignCodes,
  type IssueCouponInput,
  importCodes,
  issueCoupon,
  issueCouponAsAdmin,
  setCampaignStatus,
  walletCoupons,
} from "../src/index.ts";
import {
  ACTOR,
  campaignOf,
  couponTenant,
  generic,
  imported,
  recordUses,
  rejection,
  unique,
} from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const issue = (input: Omit<IssueCouponInput, "issuedBy" | "source" | "issueKey"> & { issueKey?: string }) =>
  issueCoupon(db, { issueKey: newId("request"), issuedBy: "cmp_welcome", source: "registration", ...input });

describe("issueCoupon", () => {
  it("puts a generic campaign's code into the wallet and announces it in the outbox", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, generic("FRIES"));
    const coupon = await issue({ tenantId, customerId: customers[0]!, campaignId: c.id, issueKey: "welcome:1" });
    expect(coupon).toMatchObject({
      id: expect.stringMatching(/^wcp_/),
      code: "FRIES",
      campaignId: c.id,
      created: true,
    });

    const [outbox] = await db.outboxEvent.findMany({ where: { tenantId } });
    expect(outbox).toMatchObject({ id: `coupon-issued:${coupon.id}`, type: "coupon.issued", publishedAt: null });
    expect(LoyaltyEvent.parse(outbox!.payload)).toEqual({
      type: "coupon.issued",
      id: `coupon-issued:${coupon.id}`,
      tenantId,
      customerId: customers[0],
      occurredAt: coupon.issuedAt,
      campaignId: c.id,
      code: "FRIES",
      source: "registration",
    });
    expect(await db.walletCoupon.findUniqueOrThrow({ where: { id: coupon.id } })).toMatchObject({
      issueKey: "welcome:1",
      issuedBy: "cmp_welcome",
    });
  });

  it("makes a fresh code of the pattern for each customer of a unique campaign", async () => {
    const { tenantId, customers } = await couponTenant(db, 2);
    const c = await campaignOf(db, tenantId, unique("HELLO-XXXXXX", { limits: { perCode: 2 } }));
    const [a, b] = await Promise.all(customers.map((customerId) => issue({ tenantId, customerId, campaignId: c.id })));
    expect(a!.code).toMatch(/^HELLO-[A-Z0-9]{6}$/);
    expect(b!.code).not.toBe(a!.code);
    const codes = await db.couponCode.findMany({ where: { tenantId }, orderBy: { code: "asc" } });
    expect(codes.map((k) => [k.code, k.source, k.maxUses, k.campaignId])).toEqual(
      [a!.code, b!.code].sort().map((code) => [code, "issued", 2, c.id]),
    );
  });

  it("is idempotent by issue key, also when the same key is issued concurrently", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, unique("ONCE-XXXXXX"));
    const input = { tenantId, customerId: customers[0]!, campaignId: c.id, issueKey: "profile-completed" };
    const results = await Promise.all([issue(input), issue(input), issue(input)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await issue(input);
    expect(again).toMatchObject({ id: results[0]!.id, code: results[0]!.code, created: false });
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(1);
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(1);
  });

  it("refuses a key used for another customer, a paused or ended campaign, imported codes, unknown customers", async () => {
    const { tenantId, customers } = await couponTenant(db, 2);
    const { tenantId: other, customers: theirs } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, generic("REFUSE"));
    await issue({ tenantId, customerId: customers[0]!, campaignId: c.id, issueKey: "k1" });
    const reused = await rejection(issue({ tenantId, customerId: customers[1]!, campaignId: c.id, issueKey: "k1" }));
    expect(reused.code).toBe("idempotency_conflict");

    await setCampaignStatus(db, tenantId, c.id, "paused", ACTOR);
    const paused = await rejection(issue({ tenantId, customerId: customers[0]!, campaignId: c.id }));
    expect(paused).toMatchObject({ code: "unprocessable", message: expect.stringMatching(/is paused/) });

    const ended = await campaignOf(db, tenantId, generic("ENDED", { conditions: { validTo: daysAgo(1) } }));
    const late = await rejection(issue({ tenantId, customerId: customers[0]!, campaignId: ended.id }));
    expect(late.message).toMatch(/ended at/);

    const partner = await campaignOf(db, tenantId, imported());
    await importCodes(db, tenantId, partner.id, ["PARTNER-1"], ACTOR);
    expect((await rejection(issue({ tenantId, customerId: customers[0]!, campaignId: partner.id }))).code).toBe(
      "unprocessable",
    );

    const live = await campaignOf(db, tenantId, generic("LIVE"));
    const stranger = await rejection(issue({ tenantId, customerId: theirs[0]!, campaignId: live.id }));
    expect(stranger).toMatchObject({ code: "not_found", message: expect.stringMatching(/no customer/) });
    expect((await rejection(issue({ tenantId: other, customerId: theirs[0]!, campaignId: live.id }))).code).toBe(
      "not_found",
    );
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(1);
  });

  it("issues nothing to an erased customer: not found, no wallet coupon, no code, no coupon.issued", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const customerId = customers[0]!;
    const fries = await campaignOf(db, tenantId, generic("GONE-FRIES"));
    const welcome = await campaignOf(db, tenantId, unique("GONE-XXXXXX"));
    // What the erasure leaves: the row, for the ledger's totals, marked erased.
    await db.customer.update({ where: { id: customerId }, data: { erasedAt: new Date(), name: null } });
    for (const campaign of [fries, welcome]) {
      const refused = await rejection(issue({ tenantId, customerId, campaignId: campaign.id }));
      expect(refused).toMatchObject({ code: "not_found", message: expect.stringMatching(/erased/) });
    }
    const asAdmin = issueCouponAsAdmin(
      db,
      { tenantId, customerId, campaignId: fries.id, issueKey: "admin:gone" },
      ACTOR,
    );
    expect((await rejection(asAdmin)).code).toBe("not_found");
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(0);
    expect(await db.couponCode.count({ where: { tenantId, campaignId: welcome.id } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(0);
    expect(await db.auditLog.count({ where: { tenantId, action: "coupons.issue" } })).toBe(0);
  });

  it("joins the caller's transaction: rolled back, nothing is issued", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, unique("TX-XXXXXX"));
    await expect(
      withTransaction(db, async (tx) => {
        await issueCoupon(tx, {
          tenantId,
          customerId: customers[0]!,
          campaignId: c.id,
          issueKey: "rolled-back",
          issuedBy: null,
          source: "campaign",
        });
        throw new Error("the caller changed its mind");
      }),
    ).rejects.toThrow("changed its mind");
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(0);
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(0);
  });

  it("an admin's issue is audited once, however often it is repeated", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, generic("ADMIN"));
    const input = { tenantId, customerId: customers[0]!, campaignId: c.id, issueKey: "admin:1" };
    const coupon = await issueCouponAsAdmin(db, input, ACTOR);
    await issueCouponAsAdmin(db, input, ACTOR);
    expect(await db.auditLog.findMany({ where: { tenantId, action: "coupons.issue" } })).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        target: c.id,
        details: expect.objectContaining({ walletCouponId: coupon.id }),
      }),
    ]);
    expect(await db.walletCoupon.findUniqueOrThrow({ where: { id: coupon.id } })).toMatchObject({ issuedBy: ACTOR });
  });
});

describe("walletCoupons", () => {
  it("lists the customer's coupons newest first with the campaign and the customer's uses", async () => {
    const { tenantId, customers } = await couponTenant(db, 2);
    const fries = await campaignOf(db, tenantId, generic("WFRIES", { name: "Half-price fries" }));
    const welcome = await campaignOf(db, tenantId, unique("WELCOME-XXXXX", { name: "Welcome" }));
    const first = await issue({ tenantId, customerId: customers[0]!, campaignId: fries.id });
    const second = await issue({ tenantId, customerId: customers[0]!, campaignId: welcome.id });
    await issue({ tenantId, customerId: customers[1]!, campaignId: fries.id });
    await recordUses(db, tenantId, fries.id, [
      { status: "committed", code: "WFRIES", customerId: customers[0]! },
      { status: "released", code: "WFRIES", customerId: customers[0]! },
      { status: "committed", code: "WFRIES", customerId: customers[1]! },
    ]);
    expect(await walletCoupons(db, tenantId, customers[0]!)).toEqual([
      {
        id: second.id,
        campaignId: welcome.id,
        name: "Welcome",
        status: "active",
        state: "active",
        code: second.code,
        uses: 0,
        issuedAt: second.issuedAt,
      },
      {
        id: first.id,
        campaignId: fries.id,
        name: "Half-price fries",
        status: "active",
        state: "active",
        code: "WFRIES",
        uses: 1,
        issuedAt: first.issuedAt,
      },
    ]);
  });

  it("an erased customer's wallet is not found, though their coupons stay for the campaign's counts", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, generic("ERASED-FRIES"));
    await issue({ tenantId, customerId: customers[0]!, campaignId: c.id });
    expect(await walletCoupons(db, tenantId, customers[0]!)).toHaveLength(1);
    await db.customer.update({ where: { id: customers[0]! }, data: { erasedAt: new Date(), name: null } });
    const refused = await rejection(walletCoupons(db, tenantId, customers[0]!));
    expect(refused).toMatchObject({ code: "not_found", message: expect.stringMatching(/erased/) });
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(1);
  });

  it("another tenant's customer is not found", async () => {
    const { tenantId } = await couponTenant(db);
    const { customers: theirs } = await couponTenant(db, 1);
    expect((await rejection(walletCoupons(db, tenantId, theirs[0]!))).code).toBe("not_found");
  });
});

describe("campaignStats", () => {
  it("counts codes, wallet coupons, uses by status, the discount given and what the limits leave", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, unique("STATS-XXXXXXX", { limits: { total: 100, budget: 10_000 } }));
    await generateCampaignCodes(db, tenantId, c.id, 40, ACTOR);
    await issue({ tenantId, customerId: customers[0]!, campaignId: c.id });
    await recordUses(db, tenantId, c.id, [
      { status: "held", discount: 150 },
      { status: "committed", discount: 200 },
      { status: "committed", discount: 300 },
      { status: "released", discount: 100 },
      { status: "returned", discount: 250 },
    ]);
    // the checkout keeps these counters beside the uses, under the campaign's lock
    await db.couponCampaign.update({ where: { id: c.id }, data: { usedCount: 3n, usedAmount: 650n } });
    expect(await campaignStats(db, tenantId, c.id)).toEqual({
      campaignId: c.id,
      codes: { total: 41, generated: 40, imported: 0 },
      issued: 1,
      uses: { held: 1, committed: 2, released: 1, returned: 1 },
      discountGiven: 500,
      budgetLeft: 9_350,
      totalLeft: 97,
    });
  });

  it("has no limits left to tell without limits, and another tenant's campaign is not found", async () => {
    const { tenantId } = await couponTenant(db);
    const { tenantId: other } = await couponTenant(db);
    const c = await campaignOf(db, tenantId, imported());
    await importCodes(db, tenantId, c.id, ["ST-1", "ST-2"], ACTOR);
    expect(await campaignStats(db, tenantId, c.id)).toMatchObject({
      codes: { total: 2, generated: 0, imported: 2 },
      issued: 0,
      uses: { held: 0, committed: 0, released: 0, returned: 0 },
      discountGiven: 0,
      budgetLeft: null,
      totalLeft: null,
    });
    expect((await rejection(campaignStats(db, other, c.id))).code).toBe("not_found");
  });
});
