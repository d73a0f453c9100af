import type { Db } from "@regulars/db";
import { customerBalances } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyAtTill, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

// SPEC: caps per day. A till's regular who signs up in the app is one customer: what the till customer earned today
// counts toward the account's daily cap, as it counts toward its tier.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Around noon of the tenant's (Warsaw) yesterday: every sale below, minutes before it, falls on that one local day. */
function yesterdayNoonInWarsaw(): Date {
  const real = new Date();
  const [h, m] = real
    .toLocaleTimeString("en-GB", { timeZone: "Europe/Warsaw", hour12: false })
    .split(":")
    .map(Number) as [number, number];
  return new Date(real.getTime() - ((h + 12) * 60 + m) * 60_000);
}
const now = yesterdayNoonInWarsaw();
const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48607", now);

it("the daily cap counts what a customer merged into the account earned that day", async () => {
  const { tenantId } = await loyaltyTenant(db, "Merge Daily Cap", { caps: { perDay: 100 } });
  const phone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 8000 }, now, 30));
  const till = await tillCustomer(tenantId, phone);
  expect((await customerBalances(db, tenantId, till)).points).toBe(80);

  const app = await appAccount(tenantId);
  await provePhone(tenantId, app, phone);
  await applyAtTill(db, now, tillMessage(tenantId, { customerId: app, total: 8000 }, now, 10));

  // 80 earned under the till's id this day, so the account earns 20 more, not 80.
  expect((await customerBalances(db, tenantId, app)).points).toBe(100);
});
