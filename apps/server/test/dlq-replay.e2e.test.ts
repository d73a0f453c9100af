import { deadLetter, transactionSubject } from "@regulars/bus";
import type { TransactionMessage } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { findBalanceDrift } from "@regulars/ledger-store";
import {
  eventually,
  runRegularsCli,
  saleBody,
  testBus,
  testDatabaseUrl,
  testNatsUrl,
  testTenant,
} from "@regulars/testing";
import { ledgerBacklog } from "@regulars/workers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Sales an older release dead-lettered during an outage are replayed by an operator with
// `regulars dlq replay`. The same sale was dead-lettered twice (the till retried it beyond the
// duplicate window), so it is replayed twice: the ledger's idempotency keys award it once.

let bus: Awaited<ReturnType<typeof testBus>>;
let system: TestSystem;
let db: Db;

const regulars = (...args: string[]) =>
  runRegularsCli(args, { NATS_URL: testNatsUrl(), REGULARS_NAMESPACE: bus.topology.namespace });

beforeAll(async () => {
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  bus = await testBus();
});
afterAll(async () => {
  await system?.dispose();
  await bus?.dispose();
  await db?.$disconnect();
});

it("replaying a dead-lettered sale twice awards its points once", { timeout: 90_000 }, async () => {
  const tenant = await testTenant(db, "Replay Burgers");
  const sale = saleBody({ externalId: "replayed-sale", customer: { phone: "+48602000111" } });
  const message = {
    tenantId: tenant.tenantId,
    transactionId: stableId("transaction", tenant.tenantId, sale.externalId),
    receivedAt: new Date().toISOString(),
    transaction: sale,
  } as TransactionMessage;
  const { streams, consumers } = bus.topology;
  const subject = transactionSubject(bus.topology, tenant.tenantId, message.transaction);
  // What an older release did during a long Postgres outage: gave up on both deliveries (the till retried
  // beyond the duplicate window, so the sale was stored twice) and dead-lettered them.
  for (const streamSequence of [1, 2]) {
    await deadLetter(
      bus,
      consumers.ledger,
      streams.transactions,
      { subject, streamSequence, deliveries: 6, payload: JSON.stringify(message) },
      "gave up after 6 deliveries: Can't reach database server at 127.0.0.1:5432",
    );
  }

  system = await startTestSystem({ REGULARS_NAMESPACE: bus.topology.namespace, WORKERS: "ledger" }, ["workers"]);
  const listed = await regulars("dlq", "list", "--consumer", "ledger", "--json");
  expect(listed.code, listed.stderr).toBe(0);
  const letters = JSON.parse(listed.stdout) as { seq: number; subject: string }[];
  expect(letters.map((l) => l.subject)).toEqual([subject, subject]);

  const first = await regulars("dlq", "replay", "--id", String(letters[0]!.seq));
  expect(first.code, first.stderr).toBe(0);
  const applied = await eventually("the replayed sale to be applied", () =>
    db.transaction
      .findFirst({ where: { tenantId: tenant.tenantId, externalId: sale.externalId } })
      .then((t) => t ?? undefined),
  );
  expect(Number(applied.pointsAwarded)).toBeGreaterThan(0);

  const second = await regulars("dlq", "replay", "--consumer", "ledger");
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toBe(`replayed 1 dead letter(s): ${letters[1]!.seq}\n`);
  await eventually("the second replay to be handled", async () =>
    (await bus.jsm.streams.info(streams.transactions)).state.messages === 2 && (await ledgerBacklog(bus, db)) === 0
      ? true
      : undefined,
  );

  expect(await db.transaction.count({ where: { tenantId: tenant.tenantId } })).toBe(1);
  const movements = await db.ledgerMovement.findMany({
    where: { tenantId: tenant.tenantId },
    select: { amount: true },
  });
  expect(movements.map((m) => Number(m.amount))).toEqual([Number(applied.pointsAwarded)]);
  expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  expect(JSON.parse((await regulars("dlq", "list", "--json")).stdout)).toEqual([]);
});
