import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { NewMovement } from "@regulars/ledger";
import { testTenant } from "@regulars/testing";

/** A fresh tenant with `count` customers, so each test has its own ledger. */
export async function tenantWithCustomers(
  db: Db,
  count: number,
  name = "Ledger",
): Promise<{ tenantId: string; customers: string[] }> {
  const { tenantId } = await testTenant(db, name);
  const customers = Array.from({ length: count }, () => newId("customer"));
  await db.customer.createMany({ data: customers.map((id) => ({ id, tenantId, createdVia: "test" })) });
  return { tenantId, customers };
}

/** Points earned into a lot, spendable from `occurredAt`, expiring at `expiresAt` (never by default). */
export const earnedLot = (m: {
  tenantId: string;
  customerId: string;
  amount: number;
  key: string;
  occurredAt: Date;
  expiresAt?: Date | null;
  transactionId?: string;
}): NewMovement => ({
  tenantId: m.tenantId,
  customerId: m.customerId,
  kind: "earn",
  unit: "points",
  amount: m.amount,
  idempotencyKey: m.key,
  ...(m.transactionId ? { transactionId: m.transactionId } : {}),
  occurredAt: m.occurredAt,
  lot: { availableAt: m.occurredAt, expiresAt: m.expiresAt ?? null },
});
