import { DomainEvent, type TransactionMessage, type TransactionProcessed } from "@regulars/contracts";
import { readBehaviourProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { applyTransactionBatch, expandOutbox } from "@regulars/ledger-store";
import { evaluateSegment } from "@regulars/segments-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  base,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "../../../packages/ledger-store/test/batch-fixtures.ts";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeProfileOrdersBatch } from "../src/profiles/write-profile-orders.ts";

// A sale its refunds voided is no order, in the Postgres profile and in segments alike: from the ledger's events
// through the analytics writer and the profile writer to a segment "≥ 2 orders in 30 days", in whichever order the
// events come and however often. A partial refund keeps the order.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

/** Applies the messages in the ledger; its transaction.processed events, as the domain stream carries them. */
async function ledger(...messages: TransactionMessage[]): Promise<TransactionProcessed[]> {
  const { outbox, outcomes } = await applyTransactionBatch(ledgerDeps(db), messages);
  expect(outcomes.every((o) => o.kind === "done")).toBe(true);
  return expandOutbox(outbox)
    .map((item) => DomainEvent.parse(item.payload))
    .filter((e): e is TransactionProcessed => e.type === "transaction.processed");
}

/** What the analytics writer and the profile writer do with delivered events. */
async function deliver(events: TransactionProcessed[]) {
  await writeFactsBatch(db, analytics, events);
  await writeProfileOrdersBatch(db, events, analytics);
}

async function regulars(tenantId: string, definition: Record<string, unknown>): Promise<string[]> {
  const members = await evaluateSegment(
    analytics,
    { kind: "definition", definition: { all: [definition] } as never },
    { tenantId, timezone, now: new Date(Date.now() + 60_000) },
  );
  return members.sort();
}
const twoOrdersIn30Days = { type: "orders_count", window: "30d", op: "gte", value: 2 };

describe("a voided sale, profile and segments", () => {
  it("leaves the segment and the profile's counts, however its events come; a partial refund keeps its order", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Voided Regulars");
    const sale = (phone: string, price: number, extra: Record<string, unknown> = {}) =>
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", price)], ...extra });
    const [voider, partial, parked] = ["+48719990301", "+48719990302", "+48719990303"];

    const voidedSale = sale(voider, 800);
    const partlyRefunded = sale(partial, 900);
    const events = await ledger(sale(voider, 1_000), voidedSale, sale(partial, 1_000), partlyRefunded);
    await deliver(events);
    const refunds = await ledger(
      refundOf(tenantId, voidedSale, [{ ...line("MEAL", 800), lineNo: 0 }]),
      refundOf(tenantId, partlyRefunded, [{ ...line("MEAL", 300), lineNo: 0 }]),
    );
    await deliver(refunds);
    await deliver([...refunds, ...events]); // redelivered

    // The refund arrives before its sale (parked in the ledger), and its event is delivered first too.
    const late = sale(parked, 700);
    const early = await ledger(sale(parked, 1_000), refundOf(tenantId, late, [{ ...line("MEAL", 700), lineNo: 0 }]));
    const withSale = await ledger(late);
    await deliver(withSale.filter((e) => e.kind === "refund"));
    await deliver([...early, ...withSale.filter((e) => e.kind === "sale")]);

    const idOf = async (phone: string) => (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
    const [voiderId, partialId, parkedId] = [await idOf(voider), await idOf(partial), await idOf(parked)];
    expect(await regulars(tenantId, twoOrdersIn30Days)).toEqual([partialId]);
    expect(await regulars(tenantId, { type: "order_value", window: "30d", op: "eq", value: 1_000 })).toEqual(
      [voiderId, parkedId].sort(),
    );
    expect(await regulars(tenantId, { type: "average_ticket", op: "eq", value: 1_000 })).toEqual(
      [voiderId, parkedId].sort(),
    );

    const now = new Date(Date.now() + 60_000);
    const profile = await readBehaviourProfile(db, tenantId, voiderId, now);
    expect(profile.windows.d30).toEqual({ orders: 1, value: 1_000 });
    expect(profile.locations).toEqual([{ locationId: "store-001", visits: 1 }]);
    expect((await readBehaviourProfile(db, tenantId, parkedId, now)).windows.d30).toEqual({ orders: 1, value: 1_000 });
    expect((await readBehaviourProfile(db, tenantId, partialId, now)).windows.d30).toEqual({
      orders: 2,
      value: 1_600,
    });
  });

  it("leaves a sale paid wholly with points in the segment until its refunds named every line", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Voided Points");
    const phone = "+48719990311";
    const meal = line("MEAL", 1_000, { discount: 1_000 });
    const cola = line("COLA", 500, { discount: 500 });
    const paidWithPoints = txMessage(tenantId, { customer: { phone }, lines: [meal, cola] });
    await deliver(await ledger(txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_000)] })));
    await deliver(await ledger(paidWithPoints));
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;

    await deliver(await ledger(refundOf(tenantId, paidWithPoints, [{ ...cola, lineNo: 1 }])));
    expect(await regulars(tenantId, twoOrdersIn30Days)).toEqual([customerId]);
    await deliver(await ledger(refundOf(tenantId, paidWithPoints, [{ ...meal, lineNo: 0 }])));
    expect(await regulars(tenantId, twoOrdersIn30Days)).toEqual([]);
  });
});
