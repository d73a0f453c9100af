import { defaultProgramme } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjustBalance, outboxEventsOf } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// What an admin's adjustment announces: the domain stream (webhooks, the dashboard's balances) must see a take-back
// as it sees a credit, in the adjustment's own transaction.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const programme = { version: 1, config: defaultProgramme, timezone: "Europe/Warsaw" };
const adjust = (tenantId: string, customerId: string, amount: number, idempotencyKey: string | null = null) =>
  adjustBalance(
    db,
    tenantId,
    "key_admin",
    { customerId, unit: "points", amount, reason: "correction", idempotencyKey },
    programme,
  );

describe("an admin's points adjustment", () => {
  it("announces a negative one as points.reversed of kind adjust, once, beside the positive one's points.earned", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Adjust events");
    const [member] = customers as [string];
    const credit = await adjust(tenantId, member, 40);
    const debit = await adjust(tenantId, member, -15, "take-back");
    // A retried click posts nothing and announces nothing again.
    expect(await adjust(tenantId, member, -15, "take-back")).toMatchObject({ applied: false, balance: 25 });

    const events = (await outboxEventsOf(db, tenantId)).map((item) => item.payload);
    expect(events).toEqual([
      expect.objectContaining({
        type: "points.earned",
        id: `adjust:${credit.movementId}`,
        customerId: member,
        points: 40,
        movementKind: "adjust",
        balance: 40,
      }),
      {
        type: "points.reversed",
        id: `adjust:${debit.movementId}`,
        tenantId,
        customerId: member,
        occurredAt: expect.any(String),
        points: 15,
        movementKind: "adjust",
        transactionId: null,
        balance: 25,
      },
    ]);
  });

  it("announces nothing for a wallet adjustment, as for a wallet credit", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Adjust wallet events");
    const [member] = customers as [string];
    const wallet = { customerId: member, unit: "wallet" as const, reason: "goodwill" };
    await adjustBalance(db, tenantId, "key_admin", { ...wallet, amount: 500 }, programme);
    await adjustBalance(db, tenantId, "key_admin", { ...wallet, amount: -200 }, programme);
    expect(await outboxEventsOf(db, tenantId)).toEqual([]);
  });
});
