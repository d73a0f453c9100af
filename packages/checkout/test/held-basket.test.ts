import { describe, expect, it } from "vitest";
import { saleBasketDifference } from "../src/index.ts";

// A hold priced on a burger (12.00, 4.00 off) and fries (2 × 2.00, nothing off) at store-001.
const held = {
  locationId: "store-001",
  lines: [
    { amount: 800, discount: 400 },
    { amount: 400, discount: 0 },
  ],
};
const burger = { quantity: 1, unitPrice: 1200 };
const fries = { quantity: 2, unitPrice: 200 };
const sale = (lines: { quantity: number; unitPrice: number }[], locationId = "store-001") => ({ locationId, lines });

describe("saleBasketDifference", () => {
  it("finds none for the sale of the basket the hold was priced on, however its quantity and price are split", () => {
    expect(saleBasketDifference(held, sale([burger, fries]))).toBeNull();
    expect(saleBasketDifference(held, sale([burger, { quantity: 1, unitPrice: 400 }]))).toBeNull();
  });

  it("names the first line priced otherwise", () => {
    expect(saleBasketDifference(held, sale([fries, burger]))).toEqual({
      path: "lines.0",
      message: "costs 400 before discounts (quantity × unitPrice); the hold priced line 0 at 1200",
    });
    expect(saleBasketDifference(held, sale([burger, { quantity: 1, unitPrice: 200 }]))?.path).toBe("lines.1");
  });

  it("names a line taken out or added after the hold", () => {
    expect(saleBasketDifference(held, sale([burger]))).toEqual({
      path: "lines.1",
      message: "is missing: the hold was priced on 2 lines, the sale has 1",
    });
    expect(saleBasketDifference(held, sale([burger, fries, fries]))?.path).toBe("lines.2");
  });

  it("names another location", () => {
    expect(saleBasketDifference(held, sale([burger, fries], "store-002"))).toEqual({
      path: "locationId",
      message: "is store-002; the hold was placed at store-001",
    });
  });

  it("compares only the location with a stored quote that kept no lines", () => {
    const noLines = { locationId: "store-001", lines: [] };
    expect(saleBasketDifference(noLines, sale([burger]))).toBeNull();
    expect(saleBasketDifference(noLines, sale([burger], "store-002"))?.path).toBe("locationId");
  });
});
