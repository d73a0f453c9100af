import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { type DbTx, listMigrations, migrateDatabase } from "../src/index.ts";

/** An id no other test (or earlier run against the same server) uses. */
export const uniqueId = (prefix: string): string => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 20)}`;

export interface ScratchDatabase {
  url: string;
  /** Connected to the scratch database; closed after the file's tests. */
  client: pg.Client;
}

/**
 * Scratch databases for testing what a migration does to rows written under the schema before it. Call at the top
 * of a test file: it registers the hooks that open the admin connection and, after the file's tests, drop every
 * database it made. `before(migration)` returns a database of its own with every migration named before
 * `migration` applied (and not `migration` itself), so a test can write the old rows and then migrate.
 */
export function scratchDatabases(): { before(migration: string): Promise<ScratchDatabase> } {
  let admin: pg.Client;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await admin?.end();
  });

  return {
    async before(migration) {
      // Postgres folds unquoted names to lower case; the migration's number tells scratch databases apart.
      const name = uniqueId(`regulars_before_${migration.slice(0, 4)}`).toLowerCase();
      await admin.query(`CREATE DATABASE ${name}`);
      cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      const url = new URL(testDatabaseUrl());
      url.pathname = `/${name}`;
      // The migrator reads a folder: one holding only the earlier migrations stops it before `migration`.
      const dir = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      for (const m of (await listMigrations()).filter((m) => m.name < migration)) {
        await mkdir(join(dir, m.name));
        await writeFile(join(dir, m.name, "migration.sql"), m.sql);
      }
      await migrateDatabase(url.toString(), () => {}, dir);
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      cleanups.push(() => client.end());
      return { url: url.toString(), client };
    },
  };
}

/** One row for every model, linked the way the ledger worker links them; returns what was written. */
export async function writeOneOfEverything(tx: DbTx) {
  const tenantId = uniqueId("ten");
  const tenant = await tx.tenant.create({
    data: { id: tenantId, name: "Schema Burgers", timezone: "Europe/Warsaw", currency: "EUR" },
  });
  const apiKey = await tx.apiKey.create({
    data: {
      id: uniqueId("key"),
      tenantId,
      role: "pos",
      label: "till 1",
      hash: uniqueId("hash"),
      prefix: "rk_pos_ab12",
    },
  });
  const programme = await tx.programmeVersion.create({
    data: {
      tenantId,
      version: 1,
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
      config: { earn: { pointsPerEuro: 1 }, tiers: [] },
      createdBy: "test",
    },
  });
  const product = await tx.product.create({
    data: { tenantId, sku: "FRIES-L", name: "Fries large", category: "sides", tags: ["vegetarian", "hot"], price: 350 },
  });
  const customer = await tx.customer.create({
    data: {
      id: uniqueId("cus"),
      tenantId,
      name: "Ada",
      email: "ada@example.test",
      phone: "+48500100200",
      cardNumber: "C-0001",
      dateOfBirth: new Date("1990-05-17"),
      createdVia: "kiosk",
    },
  });
  const identity = await tx.customerIdentity.create({
    data: { tenantId, kind: "phone", value: "+48500100200", customerId: customer.id },
  });
  const transaction = await tx.transaction.create({
    data: {
      id: uniqueId("txn"),
      tenantId,
      externalId: uniqueId("POS1"),
      type: "sale",
      occurredAt: new Date("2026-11-26T11:31:05.123Z"),
      locationId: "store-017",
      channel: "kiosk",
      customerId: customer.id,
      currency: "EUR",
      total: 1450,
      discountTotal: 40,
      pointsAwarded: 14,
      programmeVersion: 1,
      explanation: { rules: [{ rule: "base", points: 14 }] },
      receivedAt: new Date("2026-11-26T11:31:06.000Z"),
    },
  });
  const line = await tx.transactionLine.create({
    data: {
      transactionId: transaction.id,
      lineNo: 1,
      tenantId,
      sku: "FRIES-L",
      name: "Fries large",
      category: null,
      tags: [],
      quantity: 2,
      unitPrice: 350,
      discount: 0,
      amount: 700,
    },
  });
  const points = await tx.ledgerAccount.create({ data: { tenantId, owner: customer.id, kind: "points", balance: 14 } });
  const issued = await tx.ledgerAccount.create({
    data: { tenantId, owner: tenantId, kind: "points_issued", balance: -14 },
  });
  const movement = await tx.ledgerMovement.create({
    data: {
      id: uniqueId("mov"),
      tenantId,
      customerId: customer.id,
      kind: "earn",
      unit: "points",
      amount: 14,
      idempotencyKey: `earn:${transaction.id}`,
      transactionId: transaction.id,
      occurredAt: transaction.occurredAt,
    },
  });
  const credit = await tx.ledgerEntry.create({
    data: { movementId: movement.id, tenantId, accountId: points.id, amount: 14 },
  });
  const debit = await tx.ledgerEntry.create({
    data: { movementId: movement.id, tenantId, accountId: issued.id, amount: -14 },
  });
  return {
    tenant,
    apiKey,
    programme,
    product,
    customer,
    identity,
    transaction,
    line,
    points,
    issued,
    movement,
    credit,
    debit,
  };
}
