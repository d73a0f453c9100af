import { TransactionProcessed } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pseudonymiseErasedCustomers } from "../src/accounts/erased-events.ts";
import { applyTransactionBatch } from "../src/index.ts";
import { expandOutbox, type OutboxItem, relayUnpublished } from "../src/outbox.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

/**
 * Erasure keeps the tenant's sales and the customer's balance (SPEC scenario 12: the ledger's totals stay consistent
 * for the tenant's accounting). A refund of a sale made before the erasure must reach ClickHouse and the integrators
 * as the sale did, under a pseudonym that leads nowhere instead of the id.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const PSEUDONYM = /^anon_[0-9a-f]{32}$/;

async function erasedAfterASale(name: string) {
  const tenantId = await tenantWithProgramme(db, { rules: [base] }, name);
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
  const sale = txMessage(tenantId, { customer: { id: customerId }, lines: [line("MEAL", 5000)] });
  expect((await applyTransactionBatch(ledgerDeps(db), [sale])).outcomes).toEqual([{ kind: "done" }]);
  await db.$executeRaw`UPDATE customers SET erased_at = now() WHERE id = ${customerId}`;
  return { tenantId, customerId, sale };
}

it("announces the refund of an erased customer's sale under a pseudonym, with no personal field", async () => {
  const { tenantId, customerId, sale } = await erasedAfterASale("Erased refund Burgers");
  const refund = refundOf(tenantId, sale, [line("MEAL", 5000)]);
  const { outcomes, outbox } = await applyTransactionBatch(ledgerDeps(db), [refund]);
  expect(outcomes).toEqual([{ kind: "done" }]);

  const events = expandOutbox(outbox);
  expect(events.map((e) => e.type)).toEqual(["transaction.processed"]);
  const processed = events[0]!.payload as TransactionProcessed;
  expect(processed).toMatchObject({ kind: "refund", refundOf: sale.transaction.externalId, points: -50, total: 5000 });
  expect(processed.customerId).toMatch(PSEUDONYM);
  expect(Object.keys(processed).sort()).toEqual(Object.keys(TransactionProcessed.shape).sort());
  expect(JSON.stringify(events)).not.toContain(customerId);
});

it("gives a call's accounting facts of a customer one pseudonym, and drops the events about the person", async () => {
  const { tenantId, customerId } = await erasedAfterASale("Erased facts Burgers");
  const at = new Date().toISOString();
  const of = (type: string, id: string, rest: Record<string, unknown>): OutboxItem => ({
    id,
    tenantId,
    type,
    payload: { type, id, tenantId, customerId, occurredAt: at, ...rest },
  });
  const processed = (transactionId: string) =>
    of("transaction.processed", `processed:${transactionId}`, {
      transactionId,
      externalId: `R-${transactionId}`,
      kind: "refund",
      refundOf: "txn_sale",
      locationId: "loc_1",
      channel: "pos",
      currency: "PLN",
      total: 5000,
      discountTotal: 0,
      points: -50,
      lines: [],
      couponUses: [],
      // A field the contract does not name, as a till's customer reference would be: it must not leave.
      customerPhone: "+48731000009",
    });
  const items = [
    processed("txn_a"),
    processed("txn_b"),
    of("points.reversed", "bonus:mov_1", { points: 20, movementKind: "bonus", transactionId: "txn_a", balance: 0 }),
    of("points.expired", "expire:mov_2", { points: 30, balance: 0 }),
    of("points.expiring", "expiring:1", { points: 30, expiresAt: at }),
    of("points.milestone", "milestone:1", { threshold: 100, balance: 100, crossing: 1 }),
    of("tier.changed", `tier:${customerId}:1`, { from: "gold", to: "bronze", direction: "down", qualifyingValue: 0 }),
  ];

  const kept = await withTransaction(db, (tx) => pseudonymiseErasedCustomers(tx, items));
  expect(kept.map((i) => i.type)).toEqual([
    "transaction.processed",
    "transaction.processed",
    "points.reversed",
    "points.expired",
  ]);
  const pseudonyms = new Set(kept.map((i) => (i.payload as { customerId: string }).customerId));
  expect(pseudonyms.size).toBe(1);
  expect([...pseudonyms][0]).toMatch(PSEUDONYM);
  expect(JSON.stringify(kept)).not.toContain(customerId);
  expect(JSON.stringify(kept)).not.toContain("+48731000009");

  const again = await withTransaction(db, (tx) => pseudonymiseErasedCustomers(tx, items.slice(0, 1)));
  expect((again[0]!.payload as { customerId: string }).customerId).not.toBe([...pseudonyms][0]);
});

it("relays a sale left unpublished by a crash, rebuilt from the stored transaction, under a pseudonym once erased", async () => {
  const { tenantId, customerId } = await erasedAfterASale("Erased relay Burgers");
  const published: OutboxItem[] = [];
  await relayUnpublished(db, 0, async (items) => void published.push(...items), tenantId);
  const processed = published.filter((e) => e.type === "transaction.processed");
  expect(processed).toHaveLength(1);
  expect((processed[0]!.payload as TransactionProcessed).customerId).toMatch(PSEUDONYM);
  // The sale's own points events were written before the erasure, which takes them out of the outbox itself
  // (@regulars/privacy); here erased_at alone is set, so only what the relay rebuilds is judged.
  expect(JSON.stringify(processed)).not.toContain(customerId);
});

it("relays an erased customer's refund left behind by a crash under the pseudonym its writer announced it with", async () => {
  const { tenantId, sale } = await erasedAfterASale("Erased relay same pseudonym Burgers");
  // The sale went out before the erasure: only the refund is left behind.
  await relayUnpublished(db, 0, async () => {}, tenantId);
  const { outbox } = await applyTransactionBatch(ledgerDeps(db), [refundOf(tenantId, sale, [line("MEAL", 5000)])]);
  const announced = expandOutbox(outbox).find((e) => e.type === "transaction.processed")!;
  const writers = (announced.payload as TransactionProcessed).customerId;
  expect(writers).toMatch(PSEUDONYM);

  // The writer died before publishing: the relay rebuilds the refund from the stored transaction.
  const published: OutboxItem[] = [];
  await relayUnpublished(db, 0, async (items) => void published.push(...items), tenantId);
  const relayed = published.filter((e) => e.type === "transaction.processed");
  expect(relayed.map((e) => e.id)).toEqual([announced.id]);
  // An integrator joins the refund with the facts its writer announced beside it, by this id.
  expect((relayed[0]!.payload as TransactionProcessed).customerId).toBe(writers);
  expect(relayed[0]!.payload).toEqual(announced.payload);
});
