import { describe, expect, it } from "vitest";
import { type AdjustValues, adjustKeyFor } from "../src/pages/customers/adjust-key.ts";

// An adjustment whose answer was lost is submitted again as it was: it must go under the key the first one used, or
// the server, which may have applied the first, adjusts twice.

const form: AdjustValues = { customerId: "cus_1", unit: "points", amount: 50, reason: "goodwill" };
let n = 0;
const fresh = () => `key-${++n}`;

describe("the adjust form's idempotency key", () => {
  it("is kept across submissions of the same values", () => {
    const first = adjustKeyFor(null, form, fresh);
    expect(adjustKeyFor(first, { ...form }, fresh).key).toBe(first.key);
  });

  it("is renewed when the amount, unit, reason or customer changes", () => {
    const first = adjustKeyFor(null, form, fresh);
    const changes: Partial<AdjustValues>[] = [
      { amount: 60 },
      { unit: "wallet" },
      { reason: "goodwill gesture" },
      { customerId: "cus_2" },
    ];
    const keys = changes.map((change) => adjustKeyFor(first, { ...form, ...change }, fresh).key);
    expect(new Set([first.key, ...keys]).size).toBe(changes.length + 1);
  });

  it("is random and fits the API's 100 characters when none is injected", () => {
    const a = adjustKeyFor(null, form).key;
    const b = adjustKeyFor(null, form).key;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });
});
