import { rm } from "node:fs/promises";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import {
  eventually,
  type NatsTestServer,
  saleBody,
  startNatsServer,
  testDatabaseUrl,
  testTenant,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// The NATS server comes back without its store (a lost disk, a wiped volume) while the system runs. Sales answered
// 202 before are in Postgres already; the system must take sales again by itself (streams declared again) and apply
// them (the ledger's positions belong to the old stream, whose numbering the new one starts again), with no restart.

let nats: NatsTestServer;
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  nats = await startNatsServer();
  system = await startTestSystem({ NATS_URL: nats.url });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Store Lost Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
  await nats?.dispose();
});

const meal = (phone: string) =>
  saleBody({
    customer: { phone },
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 2_000, discount: 0, tags: [] }],
  });

/** The till retries a sale until it is answered 202 (a 503 meanwhile means "not stored, retry"). */
const answers: number[] = [];
const acceptedWithRetries = (sale: { externalId: string }) =>
  eventually(
    `${sale.externalId} accepted`,
    async () => {
      const { status } = await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
      answers.push(status);
      return status === 202 ? true : undefined;
    },
    30_000,
    250,
  );

it("takes and applies sales again after the NATS server lost its store, without a restart", async () => {
  const before = Array.from({ length: 20 }, (_, i) => meal(`+4861300${String(i).padStart(4, "0")}`));
  for (const sale of before) expect((await system.post("/v1/transactions", tenant.apiKeys.pos, sale)).status).toBe(202);
  for (const sale of before) await system.processed(tenant.apiKeys.pos, sale.externalId);

  // A restart that keeps the store keeps the stream: its positions stay where they are (read on, not again).
  const streamOfPositions = async () =>
    new Set(
      (
        await db.ledgerPartition.findMany({ where: { namespace: system.namespace }, select: { streamCreated: true } })
      ).map((p) => p.streamCreated),
    );
  const stream = await streamOfPositions();
  expect(stream.size).toBe(1);
  await nats.kill();
  await nats.start();
  const restarted = meal("+48613020000");
  await acceptedWithRetries(restarted);
  await system.processed(tenant.apiKeys.pos, restarted.externalId);
  expect(await streamOfPositions()).toEqual(stream);

  await nats.kill();
  await rm(nats.storeDir, { recursive: true, force: true });
  await nats.start();

  const after = Array.from({ length: 5 }, (_, i) => meal(`+4861301${String(i).padStart(4, "0")}`));
  for (const sale of after) await acceptedWithRetries(sale);
  expect(answers.every((s) => s === 202 || s === 503)).toBe(true);
  for (const sale of after) {
    const processed = await system.processed(tenant.apiKeys.pos, sale.externalId);
    expect(processed.pointsAwarded).toBe(20);
  }
  // The positions count in the new stream now.
  const anew = await streamOfPositions();
  expect(anew.size).toBe(1);
  expect(anew).not.toEqual(stream);
  // Every sale once: nothing of before was applied again, nothing of after was skipped.
  expect(await db.transaction.count({ where: { tenantId: tenant.tenantId } })).toBe(26);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(26);
  // The durable consumers of the domain stream were declared again too: the profiles see the new sales.
  await eventually("every sale in the behavioural profiles", async () =>
    (await db.profileOrder.count({ where: { tenantId: tenant.tenantId } })) === 26 ? true : undefined,
  );
});
