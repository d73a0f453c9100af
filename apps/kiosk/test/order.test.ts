import { describe, expect, it } from "vitest";
import {
  type BasketItem,
  basketLines,
  basketSubtotal,
  changeQuantity,
  type Product,
  type Quote,
} from "../src/order/basket.ts";
import { saleOf } from "../src/order/pay.ts";

const burger: Product = { sku: "BURGER", name: "Classic burger", category: "burgers", tags: [], price: 790 };
const fries: Product = { sku: "FRIES-L", name: "Fries large", category: "sides", tags: ["vegetarian"], price: 350 };

describe("the basket", () => {
  it("adds a product, counts it up and down, and drops a line that reaches zero", () => {
    let items: BasketItem[] = [];
    items = changeQuantity(items, burger, 1);
    items = changeQuantity(items, fries, 1);
    items = changeQuantity(items, burger, 1);
    expect(items.map((i) => [i.product.sku, i.quantity])).toEqual([
      ["BURGER", 2],
      ["FRIES-L", 1],
    ]);
    expect(basketSubtotal(items)).toBe(1930);
    items = changeQuantity(items, fries, -1);
    expect(items.map((i) => i.product.sku)).toEqual(["BURGER"]);
    expect(changeQuantity(items, fries, -1)).toBe(items);
  });
});

/** What the quote answers for two burgers and fries with half-price fries and 200 points. */
const quote = {
  total: 755,
  lines: [
    { lineNo: 0, discount: 900, amount: 680 },
    { lineNo: 1, discount: 275, amount: 75 },
  ],
  applied: [
    { source: "coupon", ref: "FRIES-7KQ4A", name: "Half-price fries", amount: 175, points: 0, wallet: 0, lines: [] },
    { source: "points", ref: null, name: "Points", amount: 1000, points: 200, wallet: 0, lines: [] },
  ],
} as unknown as Quote;

const request = (customer: { id: string } | null) => ({
  customer,
  basket: {
    locationId: "store-001",
    channel: "kiosk" as const,
    currency: "EUR",
    lines: basketLines([
      { product: burger, quantity: 2 },
      { product: fries, quantity: 1 },
    ]),
  },
});

describe("the sale the kiosk posts", () => {
  it("carries each line's discount and the total from the quote, the coupons it applied and the hold", () => {
    const { externalId, body } = saleOf(request({ id: "cus_0123456789ab" }), quote, "hld_0123456789ab");
    expect(body).toMatchObject({
      externalId,
      type: "sale",
      locationId: "store-001",
      channel: "kiosk",
      customer: { id: "cus_0123456789ab" },
      currency: "EUR",
      total: 755,
      couponCodes: ["FRIES-7KQ4A"],
      holdId: "hld_0123456789ab",
    });
    const lines = body.lines as { quantity: number; unitPrice: number; discount: number }[];
    expect(lines.map((l) => l.discount)).toEqual([900, 275]);
    // The gateway refuses a total that is not the lines after discounts.
    expect(lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0)).toBe(body.total);
    // Printable ASCII without spaces, at most 128 characters: the gateway's rule for an externalId.
    expect(externalId).toMatch(/^[!-~]{1,128}$/);
    expect(saleOf(request({ id: "cus_0123456789ab" }), quote, null).externalId).not.toBe(externalId);
  });

  it("names no customer and no hold for a guest", () => {
    const { body } = saleOf(request(null), { ...quote, applied: [] }, null);
    expect(body).not.toHaveProperty("customer");
    expect(body).not.toHaveProperty("holdId");
    expect(body.couponCodes).toEqual([]);
  });
});
