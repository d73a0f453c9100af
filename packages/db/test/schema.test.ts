import { readFile } from "node:fs/promises";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, listMigrations, migrateDatabase, Prisma } from "../src/index.ts";
import { uniqueId, writeOneOfEverything } from "./fixtures.ts";

let db: Db;
let sql: pg.Client;

beforeAll(async () => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  sql = new pg.Client({ connectionString: testDatabaseUrl() });
  await sql.connect();
});

afterAll(async () => {
  await db?.$disconnect();
  await sql?.end();
});

class RollBack extends Error {}

describe("migrations", () => {
  it("applies nothing when the database is already migrated", async () => {
    const names = (await listMigrations()).map((m) => m.name);
    expect(names).toContain("0001_init");
    expect(await migrateDatabase(testDatabaseUrl())).toEqual({ applied: [], alreadyApplied: names });
  });

  it("migrates a new database once when two processes start together, and refuses an edited migration", async () => {
    const name = uniqueId("regulars_scratch").toLowerCase();
    await sql.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(testDatabaseUrl());
      url.pathname = `/${name}`;
      const names = (await listMigrations()).map((m) => m.name);
      const results = await Promise.all([migrateDatabase(url.toString()), migrateDatabase(url.toString())]);
      expect(results.map((r) => r.applied).sort()).toEqual([[], names]);

      const scratch = new pg.Client({ connectionString: url.toString() });
      await scratch.connect();
      await scratch
        .query("UPDATE _regulars_migrations SET checksum = 'edited' WHERE name = $1", [names[0]])
        .finally(() => scratch.end());
      await expect(migrateDatabase(url.toString())).rejects.toThrow(
        `migration ${names[0]} was changed after it was applied`,
      );
    } finally {
      await sql.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});

describe("Prisma schema and SQL migrations", () => {
  const modelNames = Object.values(Prisma.ModelName);
  const delegate = (model: string) =>
    (db as unknown as Record<string, { findFirst(): Promise<unknown> }>)[model[0]!.toLowerCase() + model.slice(1)];

  it("can query every model against the migrated database", async () => {
    expect(modelNames.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const model of modelNames) {
      try {
        await delegate(model)!.findFirst();
      } catch (e) {
        failures.push(`${model}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("maps every table the migrations create, and no table that does not exist", async () => {
    const schema = await readFile(new URL("../prisma/schema.prisma", import.meta.url), "utf8");
    const mapped = [...schema.matchAll(/@@map\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(mapped).toHaveLength(modelNames.length);
    const { rows } = await sql.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_regulars_migrations'",
    );
    expect(mapped.sort()).toEqual(rows.map((r) => r.table_name).sort());
  });

  it("writes and reads back a row of every model with the types the schema declares", async () => {
    let written: Awaited<ReturnType<typeof writeOneOfEverything>> | undefined;
    const read: Record<string, unknown> = {};
    await expect(
      db.$transaction(async (tx) => {
        written = await writeOneOfEverything(tx);
        const w = written;
        read.tenant = await tx.tenant.findUnique({ where: { id: w.tenant.id } });
        read.apiKey = await tx.apiKey.findUnique({ where: { hash: w.apiKey.hash } });
        read.programme = await tx.programmeVersion.findUnique({
          where: { tenantId_version: { tenantId: w.tenant.id, version: 1 } },
        });
        read.product = await tx.product.findUnique({
          where: { tenantId_sku: { tenantId: w.tenant.id, sku: "FRIES-L" } },
        });
        read.customer = await tx.customer.findUnique({ where: { id: w.customer.id } });
        read.identity = await tx.customerIdentity.findFirst({ where: { customerId: w.customer.id } });
        read.transaction = await tx.transaction.findUnique({
          where: { tenantId_externalId: { tenantId: w.tenant.id, externalId: w.transaction.externalId } },
        });
        read.line = await tx.transactionLine.findFirst({ where: { transactionId: w.transaction.id } });
        read.points = await tx.ledgerAccount.findUnique({
          where: { tenantId_owner_kind: { tenantId: w.tenant.id, owner: w.customer.id, kind: "points" } },
        });
        read.movement = await tx.ledgerMovement.findUnique({
          where: { tenantId_idempotencyKey: { tenantId: w.tenant.id, idempotencyKey: w.movement.idempotencyKey } },
        });
        read.entries = await tx.ledgerEntry.findMany({ where: { movementId: w.movement.id }, orderBy: { id: "asc" } });
        throw new RollBack();
      }),
    ).rejects.toBeInstanceOf(RollBack);

    const w = written!;
    expect(read).toEqual({
      tenant: w.tenant,
      apiKey: w.apiKey,
      programme: w.programme,
      product: w.product,
      customer: w.customer,
      identity: w.identity,
      transaction: w.transaction,
      line: w.line,
      points: w.points,
      movement: w.movement,
      entries: [w.credit, w.debit],
    });
    expect(typeof w.credit.id).toBe("bigint");
    expect(w.customer.dateOfBirth?.toISOString()).toBe("1990-05-17T00:00:00.000Z");
    expect(w.product.tags).toEqual(["vegetarian", "hot"]);
    expect(await db.tenant.findUnique({ where: { id: w.tenant.id } })).toBeNull();
  });
});

describe("ledger entries", () => {
  it("refuse UPDATE and DELETE in SQL", async () => {
    const tenantId = uniqueId("ten");
    const movementId = uniqueId("mov");
    await sql.query("BEGIN");
    try {
      await sql.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ($1, 'Append Only', 'UTC', 'EUR')", [
        tenantId,
      ]);
      const account = await sql.query<{ id: string }>(
        "INSERT INTO ledger_accounts (tenant_id, owner, kind) VALUES ($1, 'cus_1', 'points') RETURNING id",
        [tenantId],
      );
      await sql.query(
        "INSERT INTO ledger_movements (id, tenant_id, kind, unit, amount, idempotency_key, occurred_at) VALUES ($1, $2, 'adjust', 'points', 5, $1, now())",
        [movementId, tenantId],
      );
      const entry = await sql.query<{ id: string }>(
        "INSERT INTO ledger_entries (movement_id, tenant_id, account_id, amount) VALUES ($1, $2, $3, 5) RETURNING id",
        [movementId, tenantId, account.rows[0]!.id],
      );
      const entryId = entry.rows[0]!.id;
      for (const statement of [
        "UPDATE ledger_entries SET amount = 500 WHERE id = $1",
        "DELETE FROM ledger_entries WHERE id = $1",
      ]) {
        await sql.query("SAVEPOINT attempt");
        await expect(sql.query(statement, [entryId]), statement).rejects.toThrow(/append-only/);
        await sql.query("ROLLBACK TO SAVEPOINT attempt");
      }
      expect((await sql.query("SELECT amount FROM ledger_entries WHERE id = $1", [entryId])).rows).toEqual([
        { amount: "5" },
      ]); // pg reads bigint as text
    } finally {
      await sql.query("ROLLBACK"); // leaves nothing behind: the entry cannot be deleted afterwards
    }
  });

  it("refuse updates and deletes made through Prisma", async () => {
    const attempts = {
      update: (tx: Parameters<typeof writeOneOfEverything>[0], id: bigint) =>
        tx.ledgerEntry.update({ where: { id }, data: { amount: 0 } }),
      delete: (tx: Parameters<typeof writeOneOfEverything>[0], id: bigint) => tx.ledgerEntry.delete({ where: { id } }),
    };
    for (const [what, attempt] of Object.entries(attempts)) {
      await expect(
        db.$transaction(async (tx) => {
          const { credit } = await writeOneOfEverything(tx);
          await attempt(tx, credit.id);
        }),
        what,
      ).rejects.toThrow(/append-only/);
    }
  });
});
