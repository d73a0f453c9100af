import { TransactionInput } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  type Basket,
  createBasketFactory,
  externalIdSequence,
  isoWithOffset,
  newRunId,
  phoneOfCustomer,
  seededRandom,
} from "../src/baskets.ts";
import { demoMenu } from "../src/menu.ts";

const generate = (count: number, seed: number): Basket[] => {
  const nextBasket = createBasketFactory({ menu: demoMenu, random: seededRandom(seed) });
  const nextId = externalIdSequence(`bench-${newRunId()}`);
  return Array.from({ length: count }, () => nextBasket(nextId()));
};

describe("basket generator", () => {
  const baskets = generate(1000, 42);

  it("produces bodies the gateway's contract accepts", () => {
    // Compile-time: a basket is a valid request body type.
    const asInput: z.input<typeof TransactionInput> = baskets[0]!;
    expect(asInput.externalId).toBeTruthy();
    for (const basket of baskets) {
      const parsed = TransactionInput.safeParse(basket);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  });

  it("keeps total equal to the lines after discounts", () => {
    for (const b of baskets) {
      expect(b.total).toBe(b.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0));
      for (const l of b.lines) expect(l.discount).toBeLessThanOrEqual(l.quantity * l.unitPrice);
    }
  });

  it("gives every basket its own externalId", () => {
    expect(new Set(baskets.map((b) => b.externalId)).size).toBe(baskets.length);
  });

  it("stays within the realistic ranges", () => {
    const menuSkus = new Map(demoMenu.map((m) => [m.sku, m]));
    for (const b of baskets) {
      expect(b.lines.length).toBeGreaterThanOrEqual(1);
      expect(b.lines.length).toBeLessThanOrEqual(5);
      expect(new Set(b.lines.map((l) => l.sku)).size).toBe(b.lines.length);
      for (const l of b.lines) {
        expect(l.quantity).toBeGreaterThanOrEqual(1);
        expect(l.quantity).toBeLessThanOrEqual(3);
        expect(l.unitPrice).toBe(menuSkus.get(l.sku)?.price);
      }
      expect(b.locationId).toMatch(/^store-(0[01]\d|020)$/);
      expect(b.locationId).not.toBe("store-000");
      expect(["kiosk", "pos"]).toContain(b.channel);
      expect(b.currency).toBe("EUR");
      expect(b.occurredAt).toMatch(/[+-]\d\d:\d\d$/);
      if (b.customer) expect(b.customer.phone).toMatch(/^\+4860\d{7}$/);
    }
    const withCustomer = baskets.filter((b) => b.customer).length / baskets.length;
    expect(withCustomer).toBeGreaterThan(0.6);
    expect(withCustomer).toBeLessThan(0.8);
    const discounted = baskets.filter((b) => b.lines.some((l) => l.discount > 0)).length;
    expect(discounted).toBeGreaterThan(50);
    expect(discounted).toBeLessThan(300);
    expect(new Set(baskets.map((b) => b.locationId)).size).toBe(20);
  });

  it("is repeatable with a seed, apart from ids and time", () => {
    const strip = (b: Basket) => ({ ...b, externalId: "", occurredAt: "" });
    expect(generate(20, 7).map(strip)).toEqual(generate(20, 7).map(strip));
  });

  it("draws from a pool of 5,000 distinct valid phone numbers", () => {
    const phones = new Set(Array.from({ length: 5000 }, (_, i) => phoneOfCustomer(i)));
    expect(phones.size).toBe(5000);
    for (const p of phones) expect(p).toMatch(/^\+4860[1-9]\d{6}$/);
  });

  it("writes timestamps with an explicit offset that denote the same instant", () => {
    const at = Date.UTC(2025, 0, 1, 12, 0, 0, 123);
    expect(isoWithOffset(at, 60)).toBe("2025-01-01T13:00:00.123+01:00");
    expect(isoWithOffset(at, -330)).toBe("2025-01-01T06:30:00.123-05:30");
    expect(isoWithOffset(at, 0)).toBe("2025-01-01T12:00:00.123+00:00");
    for (const offset of [60, -330, 0, 120]) expect(Date.parse(isoWithOffset(at, offset))).toBe(at);
  });
});
