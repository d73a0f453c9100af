import { publishJson, readDeadLetters } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

/**
 * A message the ledger gives up on is dead-lettered before its partition moves past it. A dead letter carries the
 * payload escaped, so a message near NATS' max_payload made a letter over it: the publish failed, the batch failed,
 * the partition was read again from the same message for ever, and every later sale in it stayed `accepted`.
 */
let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers | null = null;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Oversized Letters");
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

it("dead-letters an unreadable message too large to keep whole, and applies the partition's next sale", async () => {
  const sale = postedTransaction(
    bus.topology,
    tenant.tenantId,
    TransactionInput.parse(saleBody({ customer: { phone: "+48600100300" } })),
  );
  // Not a transaction, and nearly twice as large once escaped: storable, but its whole dead letter is not.
  const unreadable = { tenantId: tenant.tenantId, lines: Array.from({ length: 70_000 }, (_, i) => `"${i}"`) };
  const bytes = Buffer.byteLength(JSON.stringify(unreadable));
  expect(bytes).toBeLessThan(bus.nc.info!.max_payload);
  expect(Buffer.byteLength(JSON.stringify(JSON.stringify(unreadable)))).toBeGreaterThan(bus.nc.info!.max_payload);
  await publishJson(bus.js, sale.subject, unreadable, `${tenant.tenantId}:unreadable`);
  await publishJson(bus.js, sale.subject, sale.payload, sale.msgId);

  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger"],
    ledgerLeaseMs: 1_500,
  });
  await eventually(
    "the sale after it applied",
    async () => ((await db.transaction.count({ where: { tenantId: tenant.tenantId } })) === 1 ? true : undefined),
    30_000,
  );
  const letters = [];
  for await (const stored of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) letters.push(stored);
  expect(letters.map((l) => l.letter)).toEqual([
    expect.objectContaining({
      reason: expect.stringMatching(/does not match the contract/),
      subject: sale.subject,
      truncatedFromBytes: bytes,
    }),
  ]);
});
