import { TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { loadProcessedEvents } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBehaviourProfile, recordProcessedTransactions } from "../src/index.ts";
import { DAY, tillCustomer } from "./behaviour-fixtures.ts";
import { applyAtTill, loyaltyTenant } from "./fixtures.ts";

// Through the ledger and the profile writer's store: a sale whose refunds voided it (all its money given back, or
// every line named for a sale paid without money) is no order in any window, nor its value, however its events
// arrive (refund first, redelivered); a partial refund keeps the order and lowers the value.

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

interface Line {
  sku: string;
  unitPrice: number;
  discount?: number;
  lineNo?: number;
}
let serial = 0;

function till(tenantId: string, body: Record<string, unknown>, lines: Line[], daysAgo: number): TransactionMessage {
  const transaction = TransactionInput.parse({
    externalId: `VOID-${now.getTime()}-${++serial}`,
    type: "sale",
    occurredAt: new Date(now.getTime() - daysAgo * DAY).toISOString(),
    locationId: "store-void",
    channel: "pos",
    currency: "EUR",
    lines: lines.map((l) => ({ name: l.sku, quantity: 1, discount: 0, tags: [], ...l })),
    total: lines.reduce((sum, l) => sum + l.unitPrice - (l.discount ?? 0), 0),
    ...body,
  });
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  return { tenantId, transactionId, receivedAt: now.toISOString(), transaction };
}
const sale = (tenantId: string, phone: string, lines: Line[], daysAgo: number) =>
  till(tenantId, { customer: { phone } }, lines, daysAgo);
const refund = (tenantId: string, of: TransactionMessage, lines: Line[], daysAgo: number) =>
  till(tenantId, { type: "refund", refundOf: of.transaction.externalId }, lines, daysAgo);

/** The events the ledger published for these transactions, in the order given (as the relay rebuilds them). */
async function published(...messages: TransactionMessage[]) {
  const events = await loadProcessedEvents(
    db,
    messages.map((m) => m.transactionId),
  );
  return messages.map((m) => events.get(m.transactionId)!);
}

describe("a voided sale in the behavioural profile", () => {
  it("no longer counts as an order, nor its value; a partial refund keeps the order with less value", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Voided");
    const { id, phone } = await tillCustomer(db, tenantId, new Date(now.getTime() - 200 * DAY)); // 1.00, 200 days ago
    const kept = sale(tenantId, phone, [{ sku: "MEAL", unitPrice: 1_000 }], 60);
    const voided = sale(
      tenantId,
      phone,
      [
        { sku: "MEAL", unitPrice: 600 },
        { sku: "COLA", unitPrice: 200 },
      ],
      35,
    );
    const partial = refund(tenantId, kept, [{ sku: "MEAL", unitPrice: 300 }], 5);
    const first = refund(tenantId, voided, [{ sku: "COLA", unitPrice: 200, lineNo: 1 }], 20);
    const second = refund(tenantId, voided, [{ sku: "MEAL", unitPrice: 600, lineNo: 0 }], 2);
    await applyAtTill(db, now, kept, voided);
    await applyAtTill(db, now, partial, first);
    await recordProcessedTransactions(db, await published(kept, voided, partial, first));
    const before = await readBehaviourProfile(db, tenantId, id, now);
    expect(before.windows.d90).toEqual({ orders: 2, value: 1_300 }); // one line refunded: still an order

    await applyAtTill(db, now, second);
    await recordProcessedTransactions(db, await published(second));
    await recordProcessedTransactions(db, await published(second, first, voided)); // redelivered

    const profile = await readBehaviourProfile(db, tenantId, id, now);
    // The voided sale of 35 days ago and its refunds of 20 and 2 days ago count nowhere, in value neither.
    expect(profile.windows).toEqual({
      d7: { orders: 0, value: -300 },
      d30: { orders: 0, value: -300 },
      d90: { orders: 1, value: 700 },
      d365: { orders: 1, value: 700 },
      lifetime: { orders: 1, value: 700 },
    });
    expect(profile.averageTicket).toBe(700);
    expect(profile.locations).toEqual([{ locationId: "store-void", visits: 1 }]);
    expect(profile.lastOrderAt).toBe(kept.transaction.occurredAt);
  });

  it("ends the same when the refund waited for its sale and its event is recorded first", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Voided Parked");
    const { id, phone } = await tillCustomer(db, tenantId, new Date(now.getTime() - 200 * DAY));
    const voided = sale(tenantId, phone, [{ sku: "MEAL", unitPrice: 900 }], 6);
    const itsRefund = refund(tenantId, voided, [{ sku: "MEAL", unitPrice: 900 }], 4);
    await applyAtTill(db, now, itsRefund); // parked: its sale has not arrived
    await applyAtTill(db, now, voided);

    const [saleEvent, refundEvent] = await published(voided, itsRefund);
    await recordProcessedTransactions(db, [refundEvent!]);
    await recordProcessedTransactions(db, [saleEvent!]);

    const profile = await readBehaviourProfile(db, tenantId, id, now);
    expect(profile.windows.d30).toEqual({ orders: 0, value: 0 });
    expect(profile.windows.lifetime).toEqual({ orders: 0, value: 0 });
  });

  it("leaves out a sale paid wholly with points once its refunds named every line, not before", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Voided Points");
    const { id, phone } = await tillCustomer(db, tenantId, new Date(now.getTime() - 200 * DAY));
    const meal = { sku: "MEAL", unitPrice: 1_000, discount: 1_000 };
    const cola = { sku: "COLA", unitPrice: 500, discount: 500 };
    const paidWithPoints = sale(tenantId, phone, [meal, cola], 3);
    const colaBack = refund(tenantId, paidWithPoints, [{ ...cola, lineNo: 1 }], 2);
    const mealBack = refund(tenantId, paidWithPoints, [{ ...meal, lineNo: 0 }], 1);
    await applyAtTill(db, now, paidWithPoints);
    await applyAtTill(db, now, colaBack);
    await recordProcessedTransactions(db, await published(paidWithPoints, colaBack));
    expect((await readBehaviourProfile(db, tenantId, id, now)).windows.d7.orders).toBe(1);

    await applyAtTill(db, now, mealBack);
    await recordProcessedTransactions(db, await published(mealBack));
    expect((await readBehaviourProfile(db, tenantId, id, now)).windows.d7.orders).toBe(0);
  });
});
