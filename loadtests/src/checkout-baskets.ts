/**
 * Checkout request bodies (quote, hold, the sale that commits a hold, the sale that gives a customer points),
 * shared by `pnpm bench:checkout` and k6/checkout.ts. Imports only ./baskets.ts, for k6's sake: keep to ES2020
 * and leave out numeric separators, as there.
 */
import { type BasketChannel, type BasketLine, createBasketFactory, isoWithOffset, type MenuItem } from "./baskets.ts";

/** A basket as `POST /v1/checkout/quote` and `/holds` take it: what is bought, where and how. */
export interface CheckoutBasket {
  locationId: string;
  channel: BasketChannel;
  currency: "EUR";
  lines: BasketLine[];
}

export interface CheckoutSelection {
  couponCodes: string[];
  points: number;
}

export interface QuoteBody extends CheckoutSelection {
  customer: { phone: string };
  basket: CheckoutBasket;
}

export interface HoldBody extends QuoteBody {
  ttlSeconds: number;
}

/** What the sale needs of a quote: each line's discount, by its position in the basket. */
export interface QuotedLines {
  lines: { lineNo: number; discount: number }[];
}

export interface SaleBody {
  externalId: string;
  type: "sale";
  occurredAt: string;
  locationId: string;
  channel: BasketChannel;
  customer: { phone: string };
  currency: "EUR";
  lines: BasketLine[];
  total: number;
  couponCodes: string[];
  holdId?: string;
}

/**
 * Baskets are worth at least this before discounts: 50 points (€2.50 at 100 points = €5) plus a 10 % coupon
 * must fit in what is left to pay, or a hold of the points would be refused for a reason the load did not ask.
 */
export const minCheckoutSubtotal = 600;

export const subtotalOf = (lines: readonly BasketLine[]): number =>
  lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);

/**
 * Realistic baskets of the menu (the ingest generator's line mix, without its own discounts), topped up to
 * `minSubtotal` by one more of the first item.
 */
export function createCheckoutBasketFactory(opts: {
  menu: readonly MenuItem[];
  random?: () => number;
  minSubtotal?: number;
}): () => CheckoutBasket {
  const minSubtotal = opts.minSubtotal !== undefined ? opts.minSubtotal : minCheckoutSubtotal;
  const next = createBasketFactory({ menu: opts.menu, random: opts.random, discountShare: 0, customerShare: 0 });
  return () => {
    const sale = next("checkout");
    const first = sale.lines[0]!;
    while (subtotalOf(sale.lines) < minSubtotal) first.quantity++;
    return { locationId: sale.locationId, channel: sale.channel, currency: "EUR", lines: sale.lines };
  };
}

/**
 * A new member's phone: `+4968`, a 5-digit salt per run, a 6-digit index. German, because Germany's numbers may be
 * that long (13 digits after +49): the contracts refuse a length no number of its country has.
 */
export function checkoutPhone(salt: number, n: number): string {
  return `+4968${String(salt % 100000).padStart(5, "0")}${String(n % 1000000).padStart(6, "0")}`;
}

export function quoteBody(phone: string, basket: CheckoutBasket, selection: CheckoutSelection): QuoteBody {
  return { customer: { phone }, basket, couponCodes: selection.couponCodes.slice(), points: selection.points };
}

export function holdBody(
  phone: string,
  basket: CheckoutBasket,
  selection: CheckoutSelection,
  ttlSeconds = 900,
): HoldBody {
  return { ...quoteBody(phone, basket, selection), ttlSeconds };
}

/** The line's unit price that earns `points` at the default base rate, 1 point per 1.00. */
export const seedLinePrice = (points: number): number => points * 100;

/** One big sale that enrols a new member with about `points` points (1 point per 1.00 by default). */
export function seedSale(externalId: string, phone: string, points: number, nowMs: number): SaleBody {
  const unitPrice = seedLinePrice(points);
  return {
    externalId,
    type: "sale",
    occurredAt: isoWithOffset(nowMs, 0),
    locationId: "store-001",
    channel: "pos",
    customer: { phone },
    currency: "EUR",
    lines: [
      { sku: "CATERING", name: "Catering order", category: "catering", tags: [], quantity: 1, unitPrice, discount: 0 },
    ],
    total: unitPrice,
    couponCodes: [],
  };
}

/** The sale that commits a hold: the basket's lines, each with the discount the quote gave it. */
export function saleOfHold(opts: {
  externalId: string;
  phone: string;
  basket: CheckoutBasket;
  quote: QuotedLines;
  couponCodes: string[];
  holdId: string;
  nowMs: number;
}): SaleBody {
  const lines = opts.basket.lines.map((line, i) => {
    const quoted = opts.quote.lines.find((q) => q.lineNo === i);
    return { ...line, tags: line.tags.slice(), discount: quoted ? quoted.discount : line.discount };
  });
  return {
    externalId: opts.externalId,
    type: "sale",
    occurredAt: isoWithOffset(opts.nowMs, 0),
    locationId: opts.basket.locationId,
    channel: opts.basket.channel,
    customer: { phone: opts.phone },
    currency: "EUR",
    lines,
    total: subtotalOf(lines),
    couponCodes: opts.couponCodes.slice(),
    holdId: opts.holdId,
  };
}

/** A kiosk's quote: the identified customer by id, its own channel, nothing chosen yet (as the kiosk first asks). */
export interface KioskQuoteBody extends CheckoutSelection {
  customer: { id: string };
  basket: CheckoutBasket;
  rewardIds: string[];
}

export function kioskQuoteBody(customerId: string, basket: CheckoutBasket): KioskQuoteBody {
  return {
    customer: { id: customerId },
    basket: { ...basket, channel: "kiosk" },
    couponCodes: [],
    rewardIds: [],
    points: 0,
  };
}
