import { CustomerRef } from "@regulars/contracts";
import { type Db, Prisma, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomerLookup, identityOwner, resolveCustomers, spelledIdentity } from "../src/index.ts";

// A till may post a Polish number with the 0 it read after the country code (`+480604100077`, kept as stored by
// `readPhone`); the app registers the same person as `+48604100077`. The ledger finds one customer by either spelling.

let db: Db;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const zeroSpelled = "+480604100077";
const valid = "+48604100077";

// Parsed as the gateway parses a till's reference: the 0 stays.
const lookup = (tenantId: string, phone: string): CustomerLookup => ({
  tenantId,
  ref: CustomerRef.parse({ phone }),
  create: true,
  createdVia: "pos",
});
const resolve = (...lookups: CustomerLookup[]) => withTransaction(db, (tx) => resolveCustomers(tx, lookups));
const idsOf = (rs: Awaited<ReturnType<typeof resolve>>) => rs.map((r) => ("customerId" in r ? r.customerId : r));

async function customerHolding(tenantId: string, phone: string) {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, phone, createdVia: "pos" } });
  await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: phone, customerId: id } });
  return id;
}

describe("resolveCustomers, a phone by both its spellings", () => {
  it("gives both spellings in one batch one customer, created under the valid spelling", async () => {
    const { tenantId } = await testTenant(db, "Spellings Batch");

    const [a, b, c] = idsOf(
      await resolve(lookup(tenantId, zeroSpelled), lookup(tenantId, valid), lookup(tenantId, zeroSpelled)),
    );

    expect(a).toEqual(expect.stringMatching(/^cus_/));
    expect([b, c]).toEqual([a, a]);
    expect(await db.customerIdentity.findMany({ where: { tenantId, kind: "phone" }, select: { value: true } })).toEqual(
      [{ value: valid }],
    );
    expect(await db.customer.findUniqueOrThrow({ where: { id: a as string } })).toMatchObject({ phone: valid });
  });

  it("finds a customer a till stored under the 0-spelling by the valid one, and creates none", async () => {
    const { tenantId } = await testTenant(db, "Spellings Legacy");
    const stored = await customerHolding(tenantId, zeroSpelled);

    expect(idsOf(await resolve(lookup(tenantId, valid), lookup(tenantId, zeroSpelled)))).toEqual([stored, stored]);
    expect(await db.customer.count({ where: { tenantId } })).toBe(1);
  });

  it("names the valid spelling's customer when two customers hold one spelling each", async () => {
    const { tenantId } = await testTenant(db, "Spellings Split");
    await customerHolding(tenantId, zeroSpelled);
    const app = await customerHolding(tenantId, valid);

    expect(idsOf(await resolve(lookup(tenantId, zeroSpelled), lookup(tenantId, valid)))).toEqual([app, app]);
  });

  it("is how identityOwner finds a phone too (a kiosk's look-up, a quote, a sale naming a hold)", async () => {
    const { tenantId } = await testTenant(db, "Spellings Owner");
    const till = await customerHolding(tenantId, zeroSpelled);
    const ownerOf = async (phone: string) => {
      const { kind, value, otherSpelling } = spelledIdentity({ kind: "phone", value: phone });
      const [row] = await db.$queryRaw<{ id: string | null }[]>`
        SELECT ${identityOwner(Prisma.sql`${tenantId}`, Prisma.sql`${kind}`, Prisma.sql`${value}`, Prisma.sql`${otherSpelling}::text`)} AS id`;
      return row?.id;
    };

    expect([await ownerOf(valid), await ownerOf(zeroSpelled)]).toEqual([till, till]);
    const app = await customerHolding(tenantId, valid);
    expect([await ownerOf(valid), await ownerOf(zeroSpelled)]).toEqual([app, app]);
  });
});
