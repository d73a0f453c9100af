import { TransactionInput, transactionFingerprint } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Erasure fills a parked refund's `body_hash` from its message as posted (when it was parked before the ledger kept
// it) with `parked_refund_fingerprint` of migration 0064: it must be the ledger's own fingerprint of the body, or the
// till's retries of the refund would read as conflicts.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const line = { sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 500, discount: 0, tags: [] };
const refund = {
  externalId: "POS17-000452",
  type: "refund",
  refundOf: "POS17-000451",
  occurredAt: "2026-03-01T12:00:00+01:00",
  locationId: "store-001",
  channel: "pos",
  currency: "EUR",
  lines: [line],
  total: 500,
};
// Each as the ledger stores it: the body as the contract reads it (defaults filled in), written by JSON.stringify.
const bodies: Record<string, object> = {
  "a phone": { ...refund, customer: { phone: "+48601000111" } },
  "a card": { ...refund, customer: { cardNumber: "card-0042" } },
  "an app sign-in": { ...refund, customer: { externalIdentity: { provider: "app", subject: "sub-1" } } },
  "nulls counted as omitted": { ...refund, customer: null, holdId: null },
  "a hold and coupon codes": { ...refund, type: "sale", refundOf: undefined, holdId: "hold_1", couponCodes: ["AB-12"] },
  "an offset and a fraction": { ...refund, occurredAt: "2026-03-01T23:30:00.5-03:30" },
  "a fraction past milliseconds, cut": { ...refund, occurredAt: "2026-03-01T00:00:00.9999999+14:00" },
  "a UTC instant": { ...refund, occurredAt: "2026-03-01T11:00:00Z" },
  "text to escape and beyond ASCII": {
    ...refund,
    lines: [{ ...line, name: 'Żurek "duży" \\ z /chlebem/ 🍞', category: "zupy", tags: ["wege", "ostre"] }],
  },
  "several lines, refund line numbers": {
    ...refund,
    lines: [
      { ...line, lineNo: 1 },
      { ...line, sku: "DRINK", unitPrice: 1_000_000, quantity: 10, discount: 12, lineNo: 0 },
    ],
    total: 10_000_488,
  },
};

describe("parked_refund_fingerprint (migration 0064)", () => {
  it.each(Object.entries(bodies))("is the ledger's fingerprint of a body with %s", async (_, body) => {
    const tx = TransactionInput.parse(body);
    const [row] = await db.$queryRaw<{ fingerprint: string }[]>`
      SELECT parked_refund_fingerprint(${JSON.stringify(tx)}::jsonb) AS fingerprint`;
    expect(row!.fingerprint).toBe(transactionFingerprint(tx));
  });

  it("is null for a message whose occurredAt does not read, so erasing it does not fail", async () => {
    const [row] = await db.$queryRaw<{ fingerprint: string | null }[]>`
      SELECT parked_refund_fingerprint(${JSON.stringify({ ...refund, occurredAt: "yesterday-ish" })}::jsonb) AS fingerprint`;
    expect(row!.fingerprint).toBeNull();
  });
});
