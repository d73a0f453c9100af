import {
  RegisterCustomerRequest,
  TransactionInput,
  TransactionMessage,
  transactionFingerprint,
} from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// A refund parked before the ledger kept its fingerprint (migration 0064) has none: erasure keeps it from the message
// as posted before it redacts the message's customer. It must be the ledger's own fingerprint of the body, the
// contracts' `transactionFingerprint` of the message as the contract reads it, or the till's retries of the refund
// would read as conflicts.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;
const line = { sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 500, discount: 0, tags: [] };

/** A customer known by a phone, a card and an app sign-in, each of which a parked refund may name them by. */
async function customer(tenantId: string, now: Date) {
  const [phone, subject, card] = [`+48602${String(n++).padStart(6, "0")}`, `sub-${tag()}`, `CARD-${tag()}`];
  const { customer: c } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "app", subject }, phone, phoneVerified: true }),
    { actor: "key_app", source: "app", now },
  );
  const cardNumber = card.toUpperCase();
  await db.customerIdentity.create({ data: { tenantId, kind: "card", value: cardNumber, customerId: c.id } });
  return { id: c.id, phone, subject, cardNumber };
}

type Who = Awaited<ReturnType<typeof customer>>;

/** Refund bodies as a till posted them, each naming the customer somehow. */
const bodies = (who: Who): Record<string, Record<string, unknown>> => {
  const refund = {
    externalId: `PFP-${tag()}`,
    type: "refund",
    refundOf: `PFP-SALE-${tag()}`,
    occurredAt: "2026-03-01T12:00:00+01:00",
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [line],
    total: 500,
    customer: { phone: who.phone },
  };
  const one = (body: Record<string, unknown>) => ({ ...refund, externalId: `PFP-${tag()}`, ...body });
  return {
    "a phone": one({}),
    "a card": one({ customer: { cardNumber: who.cardNumber } }),
    "an app sign-in": one({ customer: { externalIdentity: { provider: "app", subject: who.subject } } }),
    "nulls counted as omitted": one({ holdId: null }),
    "an offset and a fraction": one({ occurredAt: "2026-03-01T23:30:00.5-03:30" }),
    "a fraction past milliseconds, cut": one({ occurredAt: "2026-03-01T00:00:00.9999999+14:00" }),
    "text to escape and beyond ASCII": one({
      lines: [{ ...line, name: 'Żurek "duży" \\ z /chlebem/ 🍞', category: "zupy", tags: ["wege", "ostre"] }],
    }),
    "several lines, refund line numbers": one({
      lines: [
        { ...line, lineNo: 1 },
        { ...line, sku: "DRINK", unitPrice: 1_000_000, quantity: 10, discount: 12, lineNo: 0 },
      ],
      total: 10_000_488,
    }),
  };
};

/** Parks a message as a release before migration 0064 did: stored whole, without a fingerprint. */
async function park(tenantId: string, transaction: Record<string, unknown>, now: Date) {
  const message = {
    tenantId,
    transactionId: stableId("transaction", tenantId, String(transaction.externalId)),
    receivedAt: now.toISOString(),
    transaction,
  };
  await db.$executeRaw`
    INSERT INTO parked_refunds (tenant_id, transaction_id, sale_id, message, subject, parked_at, deadline, body_hash)
    VALUES (${tenantId}, ${message.transactionId}, ${stableId("transaction", tenantId, String(transaction.refundOf))},
      ${JSON.stringify(message)}::jsonb, 'test.tx', ${now}, ${new Date(now.getTime() + 3_600_000)}, NULL)`;
  return message;
}

const parkedRow = (tenantId: string, transactionId: string) =>
  db.parkedRefund.findUniqueOrThrow({ where: { tenantId_transactionId: { tenantId, transactionId } } });

describe("a refund parked without a fingerprint when its customer is erased", () => {
  it("keeps transactionFingerprint of the message as posted, before the customer leaves it", async () => {
    const now = new Date();
    const { tenantId } = await privacyTenant(db, "Fingerprint Burgers");
    const who = await customer(tenantId, now);
    const posted = Object.entries(bodies(who)).map(([what, body]) => ({ what, tx: TransactionInput.parse(body) }));
    // Parked by a release before coupon codes: its message has none, which the contract now reads as [] (the retry's).
    const { couponCodes: _none, ...older } = TransactionInput.parse({ ...bodies(who)["a phone"] });
    posted.push({ what: "a message without a field the contract later gave a default", tx: older as TransactionInput });
    const parked = [];
    for (const { what, tx } of posted) parked.push({ what, message: await park(tenantId, tx, now) });
    const unreadable = await park(tenantId, { ...bodies(who)["a phone"]!, occurredAt: "yesterday-ish" }, now);

    await eraseCustomer({ db }, tenantId, who.id, { actor: "key_admin", cause: "request", now });

    for (const { what, message } of parked) {
      const row = await parkedRow(tenantId, message.transactionId);
      const asRead = TransactionMessage.parse(message).transaction;
      expect(row.bodyHash, what).toBe(transactionFingerprint(asRead));
      expect((row.message as TransactionMessage).transaction.customer, what).toEqual({ id: who.id });
    }
    // What a till retries of the one parked before coupon codes: the body the contract reads now.
    const retry = TransactionInput.parse({ ...older, couponCodes: [] });
    const olderRow = await parkedRow(tenantId, parked.at(-1)!.message.transactionId);
    expect(olderRow.bodyHash).toBe(transactionFingerprint(retry));

    // A message that no longer reads as the contract gets no fingerprint (the ledger takes none of it either), and
    // the erasure does not fail on it: its customer leaves it all the same.
    const row = await parkedRow(tenantId, unreadable.transactionId);
    expect(row.bodyHash).toBeNull();
    expect((row.message as TransactionMessage).transaction.customer).toEqual({ id: who.id });
  });
});
