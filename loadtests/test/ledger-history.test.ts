import { identityOf } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { phoneOfCustomer } from "../src/baskets.ts";
import { seedLedgerHistory } from "../src/ledger-history.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("gives the members the bench's baskets name a weekly past in the ledger, the last visit a week ago", async () => {
  const { tenantId } = await testTenant(db, "Bench history");
  const now = new Date();
  const posted = await seedLedgerHistory(db, { tenantId, customers: 3, weeks: 4, now, progress: () => {} });
  expect(posted).toBe(12);

  // The customers are the ones a basket's phone resolves to, so the timed transactions land on this past.
  const identities = await db.customerIdentity.findMany({ where: { tenantId }, orderBy: { value: "asc" } });
  const phones = [0, 1, 2].map((i) => (identityOf({ phone: phoneOfCustomer(i) }) as { value: string }).value).sort();
  expect(identities.map((i) => i.value)).toEqual(phones);

  const movements = await db.ledgerMovement.findMany({
    where: { tenantId, kind: "earn" },
    orderBy: { occurredAt: "asc" },
  });
  expect(movements).toHaveLength(12);
  const weeksAgo = (d: Date) => Math.round((now.getTime() - d.getTime()) / (7 * 86_400_000));
  expect([...new Set(movements.map((m) => weeksAgo(m.occurredAt)))]).toEqual([4, 3, 2, 1]);
  const lots = await db.pointLot.findMany({ where: { tenantId } });
  expect(lots).toHaveLength(12);
  for (const lot of lots) expect(lot.expiresAt!.getTime() - lot.earnedAt.getTime()).toBe(365 * 86_400_000);
  const balances = await db.ledgerAccount.findMany({
    where: { tenantId, kind: "points", owner: { in: movements.map((m) => m.customerId!) } },
  });
  expect(balances.reduce((sum, a) => sum + Number(a.balance), 0)).toBe(
    movements.reduce((sum, m) => sum + Number(m.amount), 0),
  );
});
