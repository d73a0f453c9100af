import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testTenant } from "@regulars/testing";

/** A fresh tenant with one customer: identity tokens are per tenant, so tests that count keys need their own. */
export async function tenantWithCustomer(db: Db, name = "Token Burgers") {
  const { tenantId } = await testTenant(db, name);
  const customerId = `cus_${crypto.randomUUID().replaceAll("-", "").slice(0, 26)}`;
  await db.customer.create({ data: { id: customerId, tenantId, name: "Ola Nowak", createdVia: "test" } });
  return { tenantId, customerId };
}

/** The domain error code a promise fails with; fails the test when it resolves or fails otherwise. */
export async function errorCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  throw new Error("expected a domain error");
}

export const seconds = (from: Date, n: number) => new Date(from.getTime() + n * 1000);
