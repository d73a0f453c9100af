import { publishMany } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import type { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// The ledger's linger: with fewer messages ready than make a worthwhile batch, a worker waits (up to its
// linger) for more before it opens a database transaction, so a burst arriving message by message is
// applied as one batch rather than as many small ones, each paying its statements and commit.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers | null = null;
let registry: Registry;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Linger Grill");
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const ledgerBatches = async () => {
  const text = await registry.getSingleMetricAsString("regulars_batch_seconds");
  return Number(/regulars_batch_seconds_count\{[^}]*consumer="ledger"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
};

it("applies a burst of 100 sales published one by one as one batch, every sale exactly once", async () => {
  registry = createMetricsRegistry("test");
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry,
    enabled: ["ledger"],
    // Long enough that nothing but the 100th message ends the wait.
    ledgerLingerMs: 60_000,
  });
  const messages = Array.from({ length: 100 }, (_, i) =>
    postedTransaction(
      bus.topology,
      tenant.tenantId,
      TransactionInput.parse(saleBody({ customer: { phone: `+4860055${String(i).padStart(4, "0")}` } })),
    ),
  );
  // Ten publishes of ten: the worker sees the first messages long before the last.
  for (let i = 0; i < messages.length; i += 10) {
    await publishMany(bus.js, messages.slice(i, i + 10));
  }
  const applied = () => db.transaction.count({ where: { tenantId: tenant.tenantId } });
  await eventually("all 100 sales applied", async () => ((await applied()) === 100 ? true : undefined));
  expect(await ledgerBatches()).toBe(1);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(100);
});
