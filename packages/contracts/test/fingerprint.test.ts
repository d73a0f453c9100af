import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  legacyTransactionFingerprint,
  sortedJson,
  storedFingerprintMatches,
  TransactionInput,
  transactionFingerprint,
} from "../src/index.ts";

const sale = TransactionInput.parse({
  externalId: "POS1-1",
  type: "sale",
  occurredAt: "2026-03-01T12:00:00+01:00",
  locationId: "store-1",
  channel: "pos",
  customer: { phone: "+48600100200" },
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 2, unitPrice: 350 }],
  total: 700,
});

describe("transaction fingerprints", () => {
  it("never change meaning: stored fingerprints of earlier releases still match", () => {
    // Computed by the release that first stored fingerprints; a change here turns every replay into a conflict.
    expect(transactionFingerprint(sale)).toBe("dH6O6aklaXb1R8xYvVQp23uZGL6FQQcsbyi40SkEqJk");
  });

  it("of a sale naming a card in lower case are the card as posted, as before card identities were upper-cased", () => {
    // Computed by the release before card numbers became one identity in any case: a retry of a sale stored then
    // must still match, or it is refused as a conflict (and counted twice by an integrator who re-posts it).
    const lower = TransactionInput.parse({ ...sale, customer: { cardNumber: "card-000417" } });
    expect(transactionFingerprint(lower)).toBe("Q7bqhUwY90-UPZ_incUOMZvkE8lYYX1w9uqJ9hQYfUM");
    expect(transactionFingerprint(lower)).not.toBe(
      transactionFingerprint(TransactionInput.parse({ ...sale, customer: { cardNumber: "CARD-000417" } })),
    );
  });

  it("are stable across key order and occurredAt's offset, and differ with the content", () => {
    const reordered = Object.fromEntries(Object.entries(sale).reverse());
    expect(transactionFingerprint(TransactionInput.parse(reordered))).toBe(transactionFingerprint(sale));
    expect(transactionFingerprint({ ...sale, occurredAt: "2026-03-01T11:00:00Z" })).toBe(transactionFingerprint(sale));
    expect(transactionFingerprint({ ...sale, total: 701 })).not.toBe(transactionFingerprint(sale));
  });

  it("the fast form writes exactly the reference canonical JSON, for any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => sortedJson(v) === canonicalJson(v)));
    // What the fast path cannot do alone: integer-like keys (ordered numerically by JavaScript) and holes.
    expect(sortedJson({ b: 1, 10: 2, 9: 3, a: [1, { z: 1, y: 2 }] })).toBe(
      canonicalJson({ b: 1, 10: 2, 9: 3, a: [1, { z: 1, y: 2 }] }),
    );
    expect(sortedJson({ b: undefined, a: 1 })).toBe('{"a":1}');
    // A key named __proto__ (an own property after JSON.parse) is written like any other key.
    const proto = JSON.parse('{"b":1,"__proto__":[2],"a":{"__proto__":{"c":3}}}');
    expect(sortedJson(proto)).toBe(canonicalJson(proto));
    expect(sortedJson(proto)).toBe('{"__proto__":[2],"a":{"__proto__":{"c":3}},"b":1}');
  });

  it("count a null customer, refundOf or holdId as omitted (the contract says omit or send null)", () => {
    const anonymous = TransactionInput.parse({ ...sale, customer: undefined });
    const withNulls = TransactionInput.parse({ ...sale, customer: null, refundOf: null, holdId: null });
    expect(transactionFingerprint(withNulls)).toBe(transactionFingerprint(anonymous));
    for (const field of ["customer", "refundOf", "holdId"]) {
      expect(transactionFingerprint(TransactionInput.parse({ ...anonymous, [field]: null }))).toBe(
        transactionFingerprint(anonymous),
      );
    }
  });

  it("still match a fingerprint stored for a body with nulls before nulls counted as omitted", () => {
    const withNulls = TransactionInput.parse({ ...sale, customer: null, refundOf: null, holdId: null });
    // What the release before stored for this body (transactions.body_hash), which its retry must still match.
    const storedBefore = "-1Df8XJ4GhCtUUAZJ5iFcLYVfa7ySaZfDdBOM-5aJmE";
    expect(legacyTransactionFingerprint(withNulls)).toBe(storedBefore);
    expect(storedFingerprintMatches(storedBefore, withNulls, transactionFingerprint(withNulls))).toBe(true);
    const changed = { ...withNulls, total: 701 };
    expect(storedFingerprintMatches(storedBefore, changed, transactionFingerprint(changed))).toBe(false);
    // A body without nulls has one fingerprint, as before.
    expect(legacyTransactionFingerprint(sale)).toBe(transactionFingerprint(sale));
  });

  it("match a body stored with nulls before by its retry that omits them", () => {
    const anonymous = TransactionInput.parse({ ...sale, customer: undefined });
    const storedWithNulls = legacyTransactionFingerprint(
      TransactionInput.parse({ ...anonymous, customer: null, refundOf: null, holdId: null }),
    );
    expect(storedWithNulls).not.toBe(legacyTransactionFingerprint(anonymous));
    expect(storedFingerprintMatches(storedWithNulls, anonymous, transactionFingerprint(anonymous))).toBe(true);
    const changed = TransactionInput.parse({ ...anonymous, locationId: "store-2" });
    expect(storedFingerprintMatches(storedWithNulls, changed, transactionFingerprint(changed))).toBe(false);
  });
});
