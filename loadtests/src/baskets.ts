/**
 * Realistic `POST /v1/transactions` bodies for load tests, shared by the Node bench and the k6 scenario.
 * Pure and import-free on purpose: k6 cannot load node modules. Keep to ES2020 (k6/tsconfig.json checks the
 * library calls) and leave out numeric separators: k6's JS engine is the narrowest runtime that loads this.
 */

export interface MenuItem {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly tags: readonly string[];
  readonly price: number;
}

export type BasketChannel = "kiosk" | "pos";

export interface BasketLine {
  sku: string;
  name: string;
  category: string;
  tags: string[];
  quantity: number;
  unitPrice: number;
  discount: number;
}

/** Shaped like the gateway's `TransactionInput`; the tests hold it to the zod schema. */
export interface Basket {
  externalId: string;
  type: "sale";
  occurredAt: string;
  locationId: string;
  channel: BasketChannel;
  customer?: { phone: string };
  currency: "EUR";
  lines: BasketLine[];
  total: number;
}

export interface BasketOptions {
  menu: readonly MenuItem[];
  /** Uniform in [0, 1); pass `seededRandom(n)` for repeatable baskets. */
  random?: () => number;
  /** Size of the loyalty-customer pool (distinct phone numbers). */
  customers?: number;
  /** Share of baskets that name a customer. */
  customerShare?: number;
  /** Locations store-001 .. store-NNN. */
  locations?: number;
  /** Share of baskets with one discounted line (coupon, meal deal). */
  discountShare?: number;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  /**
   * The channel of the baskets, `pos` by default: the gateway bounds a sale's channel by the key that posts it (a
   * kiosk key posts kiosk sales only; a pos key pos, app, web or delivery ones), as earning rules pay by channel.
   */
  channel?: BasketChannel;
}

export const basketDefaults = { customers: 5000, customerShare: 0.7, locations: 20, discountShare: 0.15 };

// Most quick-service orders are small: 1-2 lines, one of each item.
const lineCountWeights = [0.35, 0.3, 0.2, 0.1, 0.05];
const quantityWeights = [0.72, 0.2, 0.08];
const discountPercents = [10, 20, 50];

/** 7-digit subscriber numbers spread over the range, distinct for every index below 9,000,000. */
export function phoneOfCustomer(index: number): string {
  return `+4860${1000000 + ((index * 7919) % 9000000)}`;
}

export function locationOf(index: number): string {
  return `store-${String(index + 1).padStart(3, "0")}`;
}

/** ISO 8601 with an explicit offset (e.g. `2025-11-26T04:18:00.123+01:00`), as a till in a store sends it. */
export function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** mulberry32: tiny, fast, good enough to make test baskets repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A short run id so externalIds of this run never collide with an earlier run's (the ledger dedups forever). */
export function newRunId(random: () => number = Math.random, nowMs: number = Date.now()): string {
  return `${nowMs.toString(36)}${Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, "0")}`;
}

/** `prefix-0`, `prefix-1`, ...: unique within a process; the prefix (with a run id) makes them unique across runs. */
export function externalIdSequence(prefix: string): () => string {
  let next = 0;
  return () => `${prefix}-${next++}`;
}

function pickWeighted(weights: readonly number[], random: () => number): number {
  let r = random();
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

function pickDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = items.slice();
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return picked;
}

/** Returns a function that builds a new basket for each externalId it is given. */
export function createBasketFactory(options: BasketOptions): (externalId: string) => Basket {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const customers = options.customers ?? basketDefaults.customers;
  const customerShare = options.customerShare ?? basketDefaults.customerShare;
  const locations = options.locations ?? basketDefaults.locations;
  const discountShare = options.discountShare ?? basketDefaults.discountShare;
  const channel = options.channel ?? "pos";
  if (options.menu.length === 0) throw new Error("the menu is empty");

  return (externalId) => {
    const items = pickDistinct(options.menu, pickWeighted(lineCountWeights, random) + 1, random);
    const lines: BasketLine[] = items.map((item) => ({
      sku: item.sku,
      name: item.name,
      category: item.category,
      tags: item.tags.slice(),
      quantity: pickWeighted(quantityWeights, random) + 1,
      unitPrice: item.price,
      discount: 0,
    }));
    if (random() < discountShare) {
      const line = lines[Math.floor(random() * lines.length)]!;
      const percent = discountPercents[Math.floor(random() * discountPercents.length)]!;
      // Whole 10-cent steps, never more than the line is worth.
      line.discount = Math.floor((line.quantity * line.unitPrice * percent) / 1000) * 10;
    }
    const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);
    // A product of two uniforms skews the pick towards low indexes: a few regulars come often, most rarely.
    const customer =
      random() < customerShare ? { phone: phoneOfCustomer(Math.floor(random() * random() * customers)) } : undefined;
    // Tills post right away or a few seconds late; never in the future.
    const occurredMs = now() - Math.floor(random() * 5000);
    const basket: Basket = {
      externalId,
      type: "sale",
      occurredAt: isoWithOffset(occurredMs, -new Date(occurredMs).getTimezoneOffset()),
      locationId: locationOf(Math.floor(random() * locations)),
      channel,
      currency: "EUR",
      lines,
      total,
    };
    if (customer) basket.customer = customer;
    return basket;
  };
}
