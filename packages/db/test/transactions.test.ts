import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, type DbTx, isRetryableConflict, isUniqueViolation, withTransaction } from "../src/index.ts";
import { uniqueId } from "./fixtures.ts";

let db: Db;
let sql: pg.Client;
const tenantIds: string[] = [];

beforeAll(async () => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 4 });
  sql = new pg.Client({ connectionString: testDatabaseUrl() });
  await sql.connect();
});

afterAll(async () => {
  if (db) await db.tenant.deleteMany({ where: { id: { in: tenantIds } } });
  await db?.$disconnect();
  await sql?.end();
});

/** A tenant this file owns (deleted in afterAll). */
async function committedTenant(): Promise<string> {
  const id = uniqueId("ten");
  tenantIds.push(id);
  await db.tenant.create({ data: { id, name: "Conflict Café", timezone: "UTC", currency: "EUR" } });
  return id;
}

const caught = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error("expected the database to refuse this");
};

describe("isUniqueViolation", () => {
  it("recognises a duplicate key from Prisma, from raw SQL through Prisma and from pg", async () => {
    const id = await committedTenant();
    const fromModel = await caught(db.tenant.create({ data: { id, name: "Again", timezone: "UTC", currency: "EUR" } }));
    const fromRaw = await caught(
      db.$executeRaw`INSERT INTO tenants (id, name, timezone, currency) VALUES (${id}, 'Again', 'UTC', 'EUR')`,
    );
    const fromPg = await caught(
      sql.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ($1, 'Again', 'UTC', 'EUR')", [id]),
    );
    for (const e of [fromModel, fromRaw, fromPg]) {
      expect(isUniqueViolation(e), String(e)).toBe(true);
      expect(isRetryableConflict(e)).toBe(false);
    }
  });

  it("does not mistake other constraint errors for duplicates", async () => {
    const badCurrency = await caught(
      db.tenant.create({ data: { id: uniqueId("ten"), name: "Lower", timezone: "UTC", currency: "eur" } }),
    );
    const missingTenant = await caught(
      db.product.create({
        data: { tenantId: uniqueId("ten"), sku: "X", name: "X", category: "x", tags: [], price: 1 },
      }),
    );
    for (const e of [badCurrency, missingTenant, new Error("boom"), undefined, null])
      expect(isUniqueViolation(e), String(e)).toBe(false);
  });
});

describe("withTransaction", () => {
  it("rolls back every write when the function throws", async () => {
    const tenantId = uniqueId("ten");
    const customerId = uniqueId("cus");
    await expect(
      withTransaction(db, async (tx) => {
        await tx.tenant.create({ data: { id: tenantId, name: "Ghost", timezone: "UTC", currency: "EUR" } });
        await tx.customer.create({ data: { id: customerId, tenantId, createdVia: "kiosk" } });
        await tx.ledgerAccount.create({ data: { tenantId, owner: customerId, kind: "points" } });
        throw new Error("kiosk cancelled the sale");
      }),
    ).rejects.toThrow("kiosk cancelled the sale");
    expect(await db.tenant.findUnique({ where: { id: tenantId } })).toBeNull();
    expect(await db.customer.findUnique({ where: { id: customerId } })).toBeNull();
    expect(await db.ledgerAccount.count({ where: { tenantId } })).toBe(0);
  });

  it("rolls back earlier writes when a later statement violates a unique key, without retrying", async () => {
    const existing = await committedTenant();
    const fresh = uniqueId("ten");
    let calls = 0;
    const error = await caught(
      withTransaction(db, async (tx) => {
        calls++;
        await tx.tenant.create({ data: { id: fresh, name: "Fresh", timezone: "UTC", currency: "EUR" } });
        await tx.tenant.create({ data: { id: existing, name: "Duplicate", timezone: "UTC", currency: "EUR" } });
      }),
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(calls).toBe(1);
    expect(await db.tenant.findUnique({ where: { id: fresh } })).toBeNull();
  });

  /** Reads a tenant, lets another connection change it, then writes it: REPEATABLE READ must refuse (40001). */
  const renameAfterConcurrentChange = (tenantId: string, concurrent: boolean) => async (tx: DbTx) => {
    await tx.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await tx.$queryRaw`SELECT name FROM tenants WHERE id = ${tenantId}`;
    if (concurrent) await sql.query("UPDATE tenants SET name = 'renamed elsewhere' WHERE id = $1", [tenantId]);
    await tx.$executeRaw`UPDATE tenants SET name = 'renamed here' WHERE id = ${tenantId}`;
  };

  it("retries the whole function after a serialization failure", async () => {
    const tenantId = await committedTenant();
    let calls = 0;
    await withTransaction(db, (tx) => renameAfterConcurrentChange(tenantId, ++calls === 1)(tx));
    expect(calls).toBe(2);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).name).toBe("renamed here");
  });

  it("gives up after the configured number of attempts and surfaces the conflict", async () => {
    const tenantId = await committedTenant();
    let calls = 0;
    const error = await caught(
      withTransaction(
        db,
        (tx) => {
          calls++;
          return renameAfterConcurrentChange(tenantId, true)(tx);
        },
        { attempts: 3 },
      ),
    );
    expect(isRetryableConflict(error)).toBe(true);
    expect(calls).toBe(3);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).name).toBe("renamed elsewhere");
  });
});
