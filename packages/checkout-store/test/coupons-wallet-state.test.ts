import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { daysAgo, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCoupon, setCampaignStatus, walletCoupons } from "../src/index.ts";
import { ACTOR, campaignOf, couponTenant, generic, recordUses, unique } from "./coupons-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const issueTo = (tenantId: string, customerId: string, campaignId: string) =>
  issueCoupon(db, { tenantId, customerId, campaignId, issueKey: newId("request"), issuedBy: null, source: "admin" });

/** A checkout counts a code's uses on its row beside the uses themselves (under the campaign's lock). */
const countCodeUse = (tenantId: string, code: string) =>
  db.couponCode.update({ where: { tenantId_code: { tenantId, code } }, data: { uses: { increment: 1 } } });

const stateOf = async (tenantId: string, customerId: string, at?: Date) =>
  Object.fromEntries((await walletCoupons(db, tenantId, customerId, at)).map((w) => [w.name, [w.status, w.state]]));

describe("walletCoupons: each coupon's own state", () => {
  it("a coupon spent at the checkout is used, though its campaign is still active", async () => {
    const { tenantId, customers } = await couponTenant(db, 2);
    const [anna, ben] = customers as [string, string];
    const once = await campaignOf(db, tenantId, unique("ONCE-XXXXXX", { name: "Once" }));
    const perCustomer = await campaignOf(db, tenantId, generic("TWICE", { name: "Twice", limits: { perCustomer: 2 } }));
    const spent = await issueTo(tenantId, anna, once.id);
    await issueTo(tenantId, anna, perCustomer.id);
    await issueTo(tenantId, ben, perCustomer.id);
    await recordUses(db, tenantId, once.id, [{ status: "committed", code: spent.code, customerId: anna }]);
    await countCodeUse(tenantId, spent.code);
    await recordUses(db, tenantId, perCustomer.id, [
      { status: "committed", code: "TWICE", customerId: anna },
      { status: "held", code: "TWICE", customerId: anna },
      { status: "committed", code: "TWICE", customerId: ben },
      { status: "released", code: "TWICE", customerId: ben },
    ]);
    expect(await stateOf(tenantId, anna)).toEqual({ Once: ["active", "used"], Twice: ["active", "used"] });
    expect(await stateOf(tenantId, ben)).toEqual({ Twice: ["active", "active"] });
  });

  it("tells an ended, a not yet valid and a paused campaign's coupons apart", async () => {
    const { tenantId, customers } = await couponTenant(db, 1);
    const [anna] = customers as [string];
    const window = { conditions: { validFrom: daysAgo(1), validTo: daysAgo(-1) } };
    const dated = await campaignOf(db, tenantId, generic("DATED", { name: "Dated", ...window }));
    const paused = await campaignOf(db, tenantId, generic("PAUSED", { name: "Paused" }));
    await issueTo(tenantId, anna, dated.id);
    await issueTo(tenantId, anna, paused.id);
    await setCampaignStatus(db, tenantId, paused.id, "paused", ACTOR);
    expect(await stateOf(tenantId, anna)).toEqual({ Dated: ["active", "active"], Paused: ["paused", "paused"] });
    expect(await stateOf(tenantId, anna, new Date(Date.parse(daysAgo(-2))))).toMatchObject({
      Dated: ["active", "expired"],
    });
    expect(await stateOf(tenantId, anna, new Date(Date.parse(daysAgo(2))))).toMatchObject({
      Dated: ["active", "not_yet_valid"],
    });
  });
});
