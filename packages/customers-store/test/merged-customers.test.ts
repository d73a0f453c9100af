import { RegisterCustomerRequest, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { customerBalances, inactivityClocksOf } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
const now = new Date();
const DAY = 86_400_000;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48604", now);
const pointsOf = async (tenantId: string, customerId: string) =>
  (await customerBalances(db, tenantId, customerId)).points;

let k = 0;
/** A sale that names its customer by id, as an integrator that stored the id does. */
function saleById(tenantId: string, customerId: string, total: number, at: Date): TransactionMessage {
  const transaction = TransactionInput.parse({
    externalId: `MERGED-${at.getTime()}-${++k}`,
    type: "sale",
    occurredAt: new Date(at.getTime() - 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: total, discount: 0, tags: [] }],
    total,
    customer: { id: customerId },
  });
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: at.toISOString(),
    transaction,
  };
}

describe("a sale naming a merged-away customer's id", () => {
  it("credits the account that absorbed it", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merged Id Sale");
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 3_000 }, now));
    const till = await tillCustomer(tenantId, phone);
    const app = await appAccount(tenantId);
    await provePhone(tenantId, app, phone);
    expect(await pointsOf(tenantId, app)).toBe(30);

    await applyAtTill(db, now, saleById(tenantId, till, 2_000, now));

    expect(await pointsOf(tenantId, app)).toBe(50);
    expect(await pointsOf(tenantId, till)).toBe(0);
  });

  it("follows a customer merged twice to the last survivor", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merged Twice Sale");
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 3_000 }, now));
    const till = await tillCustomer(tenantId, phone);
    // An account known by another proven phone only (no app login) is absorbed in turn by the app account.
    const registration = RegisterCustomerRequest.parse({ phone: freshPhone(), phoneVerified: true });
    const first = (await registerCustomer(db, tenantId, registration, appOrigin(now))).customer.id;
    expect((await provePhone(tenantId, first, phone)).mergedCustomerIds).toEqual([till]);
    const last = await appAccount(tenantId);
    expect((await provePhone(tenantId, last, phone)).mergedCustomerIds).toEqual([first]);

    await applyAtTill(db, now, saleById(tenantId, till, 2_000, now), saleById(tenantId, first, 1_000, now));

    expect(await pointsOf(tenantId, last)).toBe(60);
    expect(await pointsOf(tenantId, first)).toBe(0);
    expect(await pointsOf(tenantId, till)).toBe(0);
  });
});

describe("a merge into an account that already has loyalty state", () => {
  it("keeps the later last activity, so the moved points expire on the newer clock", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merged Activity", { expiry: { kind: "inactivity", months: 12 } });
    const past = new Date(now.getTime() - 300 * DAY);
    const app = await appAccount(tenantId, past);
    await applyAtTill(db, past, saleById(tenantId, app, 1_000, past));
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 5_000 }, now));
    const till = await tillCustomer(tenantId, phone);
    const tillActivity = (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: till } })).lastActivityAt;

    await provePhone(tenantId, app, phone);

    const appLoyalty = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: app } });
    expect(appLoyalty.lastActivityAt).toEqual(tillActivity);
    const [clock] = await inactivityClocksOf(db, tenantId, [app]);
    expect(clock?.clock_at).toEqual(tillActivity);
  });
});
