import { describe, expect, it } from "vitest";
import { saleBasketDifference } from "../src/index.ts";

// A hold priced on a burger (12.00, 4.00 off) and fries (2 × 2.00, nothing off) at store-001's kiosk, by a quote stored
// before quotes kept each line's sku and quantity.
const held = {
  locationId: "store-001",
  channel: "kiosk",
  lines: [
    { amount: 800, discount: 400 },
    { amount: 400, discount: 0 },
  ],
};
const burger = { sku: "BURGER", quantity: 1, unitPrice: 1200 };
const fries = { sku: "FRIES", quantity: 2, unitPrice: 200 };
const sale = (
  lines: { sku: string; quantity: number; unitPrice: number }[],
  locationId = "store-001",
  channel = "kiosk",
) => ({ locationId, channel, lines });
// The same hold by a quote that keeps them.
const heldWithSkus = {
  locationId: "store-001",
  channel: "kiosk",
  lines: [
    { sku: "BURGER", quantity: 1, amount: 800, discount: 400 },
    { sku: "FRIES", quantity: 2, amount: 400, discount: 0 },
  ],
};

describe("saleBasketDifference", () => {
  it("finds none for the sale of the basket the hold was priced on, however its quantity and price are split", () => {
    expect(saleBasketDifference(held, sale([burger, fries]))).toBeNull();
    expect(saleBasketDifference(held, sale([burger, { sku: "FRIES", quantity: 1, unitPrice: 400 }]))).toBeNull();
    expect(saleBasketDifference(heldWithSkus, sale([burger, fries]))).toBeNull();
  });

  it("names the first line priced otherwise", () => {
    expect(saleBasketDifference(held, sale([fries, burger]))).toEqual({
      path: "lines.0",
      message: "costs 400 before discounts (quantity × unitPrice); the hold priced line 0 at 1200",
    });
    expect(saleBasketDifference(held, sale([burger, { sku: "FRIES", quantity: 1, unitPrice: 200 }]))?.path).toBe(
      "lines.1",
    );
  });

  it("names a line of another sku or quantity where the quote kept them, though its price is the same", () => {
    const shake = { sku: "SHAKE", quantity: 2, unitPrice: 200 };
    expect(saleBasketDifference(held, sale([burger, shake]))).toBeNull();
    expect(saleBasketDifference(heldWithSkus, sale([burger, shake]))).toEqual({
      path: "lines.1.sku",
      message: "is SHAKE; the hold priced line 1 as FRIES",
    });
    expect(saleBasketDifference(heldWithSkus, sale([burger, { sku: "FRIES", quantity: 1, unitPrice: 400 }]))).toEqual({
      path: "lines.1.quantity",
      message: "is 1; the hold priced line 1 with quantity 2",
    });
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

  it("names another channel: a coupon for the kiosk was checked on the kiosk", () => {
    expect(saleBasketDifference(held, sale([burger, fries], "store-001", "pos"))).toEqual({
      path: "channel",
      message: "is pos; the hold was placed on kiosk",
    });
  });

  it("compares only the location and channel with a stored quote that kept no lines", () => {
    const noLines = { locationId: "store-001", channel: "kiosk", lines: [] };
    expect(saleBasketDifference(noLines, sale([burger]))).toBeNull();
    expect(saleBasketDifference(noLines, sale([burger], "store-002"))?.path).toBe("locationId");
    expect(saleBasketDifference(noLines, sale([burger], "store-001", "pos"))?.path).toBe("channel");
  });
});
