import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCampaignCodes, issueCoupon, issueCouponAsAdmin, updateCampaign } from "../src/index.ts";
import { ACTOR, campaignOf, couponTenant, rejection, unique } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("issuing a unique campaign's codes into wallets", () => {
  it("stops where the pattern would make codes guessable, counting the codes generated before", async () => {
    const { tenantId, customers } = await couponTenant(db, 3);
    // 24^5 = 7,962,624 combinations hold 7 codes at one per million.
    const c = await campaignOf(db, tenantId, unique("W-XXXXX"));
    await generateCampaignCodes(db, tenantId, c.id, 5, ACTOR);
    const issue = (customerId: string) =>
      issueCoupon(db, {
        tenantId,
        customerId,
        campaignId: c.id,
        issueKey: newId("request"),
        issuedBy: null,
        source: "campaign",
      });
    await issue(customers[0]!);
    await issue(customers[1]!);

    const full = await rejection(issue(customers[2]!));
    expect(full).toMatchObject({ code: "unprocessable" });
    expect(full.message).toBe(
      `coupon campaign ${c.id} cannot issue another code: pattern W-XXXXX holds at most 7 codes, too few for 8: ` +
        "use 6 X's, as in W-XXXXXX (one code per 1,000,000 combinations keeps codes unguessable); " +
        "the tenant has 7 codes of this pattern already, any campaign's or import's; change the campaign's pattern",
    );
    expect(await db.couponCode.count({ where: { tenantId, campaignId: c.id } })).toBe(7);
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(2);

    // A longer pattern makes room again, for admins' issues as for campaigns'.
    await updateCampaign(db, tenantId, c.id, { codes: { kind: "unique", pattern: "W-XXXXXXX" } }, ACTOR);
    const issued = await issueCouponAsAdmin(
      db,
      { tenantId, customerId: customers[2]!, campaignId: c.id, issueKey: newId("request") },
      ACTOR,
    );
    expect(issued.code).toMatch(/^W-[A-Z0-9]{7}$/);
  });

  it("counts the codes of another campaign on the same pattern: they fill the same space", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    // W-XXXXX holds 7 codes, all of them the first campaign's.
    const first = await campaignOf(db, tenantId, unique("W-XXXXX"));
    const second = await campaignOf(db, tenantId, unique("W-XXXXX", { name: "Second" }));
    await generateCampaignCodes(db, tenantId, first.id, 7, ACTOR);
    const refused = await rejection(
      issueCouponAsAdmin(db, { tenantId, customerId: customers[0]!, campaignId: second.id, issueKey: "one" }, ACTOR),
    );
    expect(refused).toMatchObject({ code: "unprocessable" });
    expect(refused.message).toMatch(
      /holds at most 7 codes, too few for 8: .*; the tenant has 7 codes of this pattern already, any campaign's/,
    );
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(7);
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(0);
  });

  it("refuses even the first code of a pattern too short for any (SPEC's example WELCOME-XXXX)", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const c = await campaignOf(db, tenantId, unique("WELCOME-XXXX"));
    const refused = await rejection(
      issueCouponAsAdmin(db, { tenantId, customerId: customers[0]!, campaignId: c.id, issueKey: "first" }, ACTOR),
    );
    expect(refused.message).toMatch(/pattern WELCOME-XXXX holds at most 0 codes, too few for 1: use 5 X's/);
    expect(await db.couponCode.count({ where: { tenantId } })).toBe(0);
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(0);
  });
});
