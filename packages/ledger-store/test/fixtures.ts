import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
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
