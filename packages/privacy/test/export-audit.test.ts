import { recordAudit } from "@regulars/audit";
import { RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportPostgres } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("export of the audit log", () => {
  it("holds admin actions that name the customer in their details, not only as their target", async () => {
    const { tenantId } = await privacyTenant(db, "Audit Export");
    const { customer } = await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `audit-${Math.random()}` } }),
      { actor: "key_app", source: "app", now: new Date() },
    );
    // As issueCouponAsAdmin (checkout-store coupons/wallet.ts) records an admin's coupon issued to the customer.
    await recordAudit(db, {
      tenantId,
      actor: "key_admin",
      action: "coupons.issue",
      target: "cpc_campaign",
      details: { customerId: customer.id, walletCouponId: "wcp_1", issueKey: "k-1" },
    });
    await recordAudit(db, {
      tenantId,
      actor: "key_admin",
      action: "coupons.issue",
      target: "cpc_campaign",
      details: { customerId: "cus_someoneelse0000", walletCouponId: "wcp_2", issueKey: "k-2" },
    });
    const pg = (await exportPostgres(db, tenantId, [customer.id])) as Record<string, Record<string, unknown>[]>;
    expect(pg.audit_log!.map((r) => r.action)).toEqual(["coupons.issue"]);
  });
});
