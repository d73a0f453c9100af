import { defaultProgramme } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdjustInput, adjustBalance, customerBalances } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// An admin UI retries a click under the same key: the retry must answer what the click did, whatever happened
// to the balance since, and a key must never stand for another customer's (or another amount's) adjustment.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const programme = { version: 1, config: defaultProgramme, timezone: "Europe/Warsaw" };
const adjust = (tenantId: string, input: AdjustInput) => adjustBalance(db, tenantId, "staff:test", input, programme);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe("adjustBalance's idempotency key", () => {
  it("a retried debit answers its first call though the balance left could not take it again", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Adjust retry");
    const customerId = customers[0]!;
    await adjust(tenantId, { customerId, unit: "points", amount: 100, reason: "goodwill" });
    const click = { customerId, unit: "points" as const, amount: -80, reason: "oops", idempotencyKey: "click-1" };
    const first = await adjust(tenantId, click);

    const retry = await adjust(tenantId, click);

    expect(first).toMatchObject({ applied: true, balance: 20 });
    expect(retry).toEqual({ applied: false, movementId: first.movementId, balance: 20 });
  });

  it("a key used for another customer, amount or reason is a conflict, and adjusts nothing", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adjust key reuse");
    const [a, b] = customers as [string, string];
    const used = { customerId: a, unit: "points" as const, amount: 100, reason: "goodwill", idempotencyKey: "k1" };
    const first = await adjust(tenantId, used);

    for (const changed of [
      { ...used, customerId: b, amount: 40, reason: "other" },
      { ...used, customerId: b },
      { ...used, amount: 90 },
      { ...used, unit: "wallet" as const },
      { ...used, reason: "another reason" },
    ]) {
      const refused = await refusal(adjust(tenantId, changed));
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe("idempotency_conflict");
    }

    expect(await customerBalances(db, tenantId, a)).toMatchObject({ points: 100, wallet: 0 });
    expect(await customerBalances(db, tenantId, b)).toMatchObject({ points: 0, wallet: 0 });
    expect(await adjust(tenantId, used)).toEqual({ applied: false, movementId: first.movementId, balance: 100 });
  });
});
