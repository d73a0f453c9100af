import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances } from "../src/index.ts";
import { ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);
const pointsOf = async (tenantId: string, externalId: string) =>
  Number((await db.transaction.findFirstOrThrow({ where: { tenantId, externalId } })).pointsAwarded);

describe("refunding a line an exclusion made ineligible", () => {
  const programme = {
    rules: [
      { id: "no-alcohol", type: "exclusion", match: { tags: ["alcohol"] } },
      { id: "visit", type: "per_visit", points: 10 },
    ],
  };
  const basket = [line("BURGER", 1_000), line("BEER", 1_000, { tags: ["alcohol"] })];
  const beer = { ...line("BEER", 1_000, { tags: ["alcohol"] }), lineNo: 1 };
  const burger = { ...line("BURGER", 1_000), lineNo: 0 };

  it("takes back none of the per-visit points, whether the sale is read back or in the same batch", async () => {
    const tenant = await tenantWithProgramme(db, programme);
    const stored = txMessage(tenant, { customer: { phone: "+48710000101" }, lines: basket });
    await apply(stored);
    expect(await pointsOf(tenant, stored.transaction.externalId)).toBe(10);
    const beerLater = refundOf(tenant, stored, [beer]);
    await apply(beerLater);
    expect(await pointsOf(tenant, beerLater.transaction.externalId)).toBe(0);

    const inBatch = txMessage(tenant, { customer: { phone: "+48710000102" }, lines: basket });
    const beerInBatch = refundOf(tenant, inBatch, [beer]);
    await apply(inBatch, beerInBatch);
    expect(await pointsOf(tenant, beerInBatch.transaction.externalId)).toBe(0);

    const burgerLater = refundOf(tenant, stored, [burger]);
    await apply(burgerLater);
    expect(await pointsOf(tenant, burgerLater.transaction.externalId)).toBe(-10);
    const customer = await db.customer.findFirstOrThrow({ where: { tenantId: tenant, phone: "+48710000101" } });
    expect((await customerBalances(db, tenant, customer.id)).points).toBe(0);
  });
});
