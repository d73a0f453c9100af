import { deadLetter, readDeadLetters } from "@regulars/bus";
import { TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { eraseCustomer } from "@regulars/privacy";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// A dead letter keeps the till's message as posted (the customer's phone) for 30 days: `dlq show` prints it and a
// replay posts it again. After an erasure, the scheduled pass deletes the letters about the erased customer.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

let sequence = 0;
/** Dead-letters the message as the ledger does when it rejects it. */
const letterOfLedger = (payload: TransactionMessage, reason: string) =>
  deadLetter(
    bus,
    bus.topology.consumers.ledger,
    bus.topology.streams.transactions,
    { subject: "tx", streamSequence: ++sequence, deliveries: 1, payload: JSON.stringify(payload) },
    reason,
  );

const posted = (tenantId: string, body: Record<string, unknown>) =>
  postedTransaction(bus.topology, tenantId, TransactionInput.parse(saleBody(body))).payload;

async function customerOfPhone(tenantId: string, phone: string): Promise<string> {
  const [row] = await db.$queryRaw<{ customer_id: string }[]>`
    SELECT customer_id FROM customer_identities WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value = ${phone}`;
  return row!.customer_id;
}

async function payloadsOf(consumer: string): Promise<unknown[]> {
  const payloads: unknown[] = [];
  for await (const { letter } of readDeadLetters(bus, { consumer })) payloads.push(JSON.parse(letter.payload));
  return payloads;
}

const letteredExternalIds = async () =>
  ((await payloadsOf(bus.topology.consumers.ledger)) as TransactionMessage[])
    .map((m) => m.transaction.externalId)
    .sort();

it("after an erasure the pass deletes the ledger's dead letters about the customer, and only theirs", async () => {
  const now = new Date();
  const { tenantId } = await testTenant(db, "Erased Letters Diner");
  const { tenantId: otherTenant } = await testTenant(db, "Erased Letters Neighbour");
  const stamp = (now.getTime() % 10_000).toString().padStart(4, "0");
  const phone = `+4860071${stamp}`;
  const otherPhone = `+4860072${stamp}`;
  const ledger = { db, programmes: new ProgrammeCache(db), now: () => now };
  const sale = posted(tenantId, { customer: { phone } });
  const othersSale = posted(tenantId, { customer: { phone: otherPhone } });
  await applyTransactionBatch(ledger, [sale, othersSale]);
  const customerId = await customerOfPhone(tenantId, phone);

  // A refund of the customer's sale naming their phone, rejected; a sale by their id, refused.
  const refund = posted(tenantId, {
    type: "refund",
    refundOf: sale.transaction.externalId,
    customer: { phone },
  });
  await letterOfLedger(refund, "refund_exceeds_sale: more than the sale");
  const byId = posted(tenantId, { customer: { id: customerId } });
  await letterOfLedger(byId, "processing_failed: retries exhausted");
  // A domain event about them another consumer gave up on: by id, with what the profile said.
  const { analyticsWriter } = bus.topology.consumers;
  const updated = { type: "customer.updated", tenantId, customerId, customer: { phone, name: "Ann" } };
  await deadLetter(
    bus,
    analyticsWriter,
    bus.topology.streams.domain,
    { subject: "domain", streamSequence: ++sequence, deliveries: 6, payload: JSON.stringify(updated) },
    "ClickHouse refused the row",
  );
  // Another customer's refund, and the same phone in another tenant: another person each.
  const othersRefund = posted(tenantId, {
    type: "refund",
    refundOf: othersSale.transaction.externalId,
    customer: { phone: otherPhone },
  });
  await letterOfLedger(othersRefund, "refund_exceeds_sale: more than the sale");
  const neighbours = posted(otherTenant, { customer: { phone } });
  await letterOfLedger(neighbours, "processing_failed: retries exhausted");

  await eraseCustomer({ db, analytics: null }, tenantId, customerId, { actor: "key_admin", cause: "request", now });
  const pass = () =>
    passWhenLeaseFree(() =>
      runScheduledJobs({ db, bus, log: silentLogger, programmes: new ProgrammeCache(db) }, now, {
        tenantIds: [tenantId, otherTenant],
      }),
    );

  const { done } = await pass();
  expect(done.failed).toBeUndefined();
  expect(done["erased-dead-letters"]).toBe(3);
  const kept = [othersRefund.transaction.externalId, neighbours.transaction.externalId].sort();
  expect(await letteredExternalIds()).toEqual(kept);
  expect(await payloadsOf(analyticsWriter)).toEqual([]);

  // Run again: nothing more goes.
  expect((await pass()).done["erased-dead-letters"]).toBe(0);
  expect(await letteredExternalIds()).toEqual(kept);
});
