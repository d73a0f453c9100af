import { type EventMessage, ProgrammeConfig, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import { createDb, createPgTransactionRunner, type Db, type TransactionRunner } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll } from "vitest";

/** The test file's database, closed after its tests. */
export function batchDb(): Db {
  const db = testDb();
  afterAll(async () => {
    await db.$disconnect();
  });
  return db;
}

/** A tenant whose programme (beside the default version 1) has been in force since the epoch. */
export async function tenantWithProgramme(
  db: Db,
  programme: Record<string, unknown>,
  name = "Worker Burgers",
): Promise<string> {
  const { tenantId } = await testTenant(db, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse(programme),
      createdBy: "test",
    },
  });
  return tenantId;
}

export const base = { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 };

/**
 * Tiers by points earned over the customer's whole history: bronze from 0, silver from 200, gold from 500;
 * `rewardPoints` are what reaching silver or gold awards, none when absent.
 */
export function bronzeSilverGold(rewardPoints: { silver?: number; gold?: number } = {}) {
  const level = (id: string, name: string, threshold: number, reward?: number) => ({
    id,
    name,
    threshold,
    ...(reward === undefined ? {} : { benefits: { rewardPoints: reward } }),
  });
  return {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      level("bronze", "Bronze", 0),
      level("silver", "Silver", 200, rewardPoints.silver),
      level("gold", "Gold", 500, rewardPoints.gold),
    ],
  };
}

export const line = (sku: string, unitPrice: number, extra: Record<string, unknown> = {}) => ({
  sku,
  name: sku,
  quantity: 1,
  unitPrice,
  discount: 0,
  tags: [],
  ...extra,
});

let counter = 0;
/** A transaction as the gateway stamps it onto the stream. */
export function txMessage(
  tenantId: string,
  body: Record<string, unknown>,
  receivedAt = new Date(),
): TransactionMessage {
  const lines = (body.lines as { quantity: number; unitPrice: number; discount?: number }[]) ?? [line("MEAL", 1000)];
  const transaction = TransactionInput.parse({
    externalId: `W-${Date.now()}-${++counter}`,
    type: "sale",
    occurredAt: new Date(receivedAt.getTime() - 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines,
    total: lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - (l.discount ?? 0), 0),
    ...body,
  });
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: receivedAt.toISOString(),
    transaction,
  };
}

export const refundOf = (
  tenantId: string,
  sale: TransactionMessage,
  lines: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) => txMessage(tenantId, { type: "refund", refundOf: sale.transaction.externalId, lines, ...extra });

export function eventMessage(
  tenantId: string,
  type: string,
  phone: string,
  eventId = `E-${Date.now()}-${++counter}`,
): EventMessage {
  return {
    tenantId,
    id: stableId("event", tenantId, eventId),
    receivedAt: new Date().toISOString(),
    event: {
      eventId,
      type,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      customer: { phone },
      properties: {},
    },
  };
}

const runners = new WeakMap<Db, TransactionRunner>();
/** Batch transactions as the workers run them: a pg pool of their own, one per handle as one per process. */
const transactionsOf = (db: Db): TransactionRunner => {
  let runner = runners.get(db);
  if (!runner) {
    runner = createPgTransactionRunner({ url: testDatabaseUrl(), poolSize: 4 });
    runners.set(db, runner);
  }
  return runner;
};

/** The ledger's dependencies as one worker process has them: its own programme cache and transaction pool. */
export const ledgerDeps = (db: Db, extra: { refundWaitMs?: number; now?: () => Date } = {}) => ({
  db,
  transactions: transactionsOf(db),
  programmes: new ProgrammeCache(db, 0),
  ...extra,
});

/**
 * Two database handles with pools of their own, as two worker processes have, both warmed up: a Prisma
 * client's first query loads its query compiler, which can take seconds on a busy machine.
 */
export async function twoWorkerPools(): Promise<{ db: Db; other: Db; close(): Promise<void> }> {
  const db = testDb();
  const other = createDb({ url: testDatabaseUrl(), poolSize: 4 });
  await Promise.all([db.$queryRaw`SELECT 1`, other.$queryRaw`SELECT 1`]);
  return { db, other, close: async () => void (await Promise.all([db.$disconnect(), other.$disconnect()])) };
}

/** A worker's transactions that stop before committing until `open()`: `reached` resolves when one has. */
export function gatedBeforeCommit() {
  const inner: TransactionRunner = createPgTransactionRunner({ url: testDatabaseUrl(), poolSize: 2 });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const runner: TransactionRunner = {
    run: (fn) =>
      inner.run(async (tx) => {
        const result = await fn(tx);
        reached();
        await gate;
        return result;
      }),
    close: () => inner.close(),
  };
  return { runner, reached: atGate, open };
}
