import { demoMenu } from "@regulars/tenancy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateCustomer, generateHistory, phoneOf } from "../src/index.ts";
import type { DemoShape } from "../src/shape.ts";

const DAY = 86_400_000;
const shape = (overrides: Partial<DemoShape> = {}): DemoShape => ({
  customers: 1000,
  days: 120,
  seed: 7,
  now: Date.now(),
  utcOffsetMinutes: 60,
  locations: 12,
  menu: demoMenu,
  firstIndex: 0,
  ...overrides,
});

describe("demo customers", () => {
  it("are the same for the same seed and index, whatever is generated before them", () => {
    const s = shape();
    const { createdAt, ...alone } = generateCustomer(s, 42);
    generateCustomer(s, 41);
    const { createdAt: again, ...second } = generateCustomer(s, 42);
    expect(second).toEqual(alone);
    expect(again).toBe(createdAt);
    expect(
      generateCustomer({ ...s, seed: 8 }, 42).name === alone.name &&
        generateCustomer({ ...s, seed: 8 }, 42).email === alone.email,
    ).toBe(false);
  });

  it("have distinct E.164 phone numbers", () => {
    const phones = new Set(Array.from({ length: 20_000 }, (_, i) => phoneOf(i)));
    expect(phones.size).toBe(20_000);
    for (const phone of [...phones].slice(0, 100)) expect(phone).toMatch(/^\+48[5-8]\d{8}$/);
  });

  it("look like a brand's list: about half app users, some without e-mail or birthday, consents only where plausible", () => {
    const s = shape();
    const customers = Array.from({ length: 2_000 }, (_, i) => generateCustomer(s, i));
    const share = (f: (c: (typeof customers)[number]) => boolean) => customers.filter(f).length / customers.length;
    expect(share((c) => c.app !== null)).toBeGreaterThan(0.4);
    expect(share((c) => c.app !== null)).toBeLessThan(0.6);
    expect(share((c) => c.email === null)).toBeGreaterThan(0.2);
    expect(share((c) => c.dateOfBirth === null)).toBeGreaterThan(0.3);
    // Push needs the app: a till customer never has a push consent.
    expect(
      customers
        .filter((c) => !c.app)
        .flatMap((c) => c.consents)
        .some((c) => c.channel === "push"),
    ).toBe(false);
    expect(share((c) => c.habits.likes.includes("vegetarian"))).toBeGreaterThan(0.15);
  });

  it("grant profiling on every channel, mostly beside marketing: a segment's campaign reaches some by each", () => {
    const customers = Array.from({ length: 2_000 }, (_, i) => generateCustomer(shape(), i));
    const granted = (c: (typeof customers)[number], channel: string, purpose: string) =>
      c.consents.some((x) => x.channel === channel && x.purpose === purpose && x.granted);
    for (const channel of ["push", "email", "sms"]) {
      const marketing = customers.filter((c) => granted(c, channel, "marketing"));
      const profiled = marketing.filter((c) => granted(c, channel, "profiling"));
      expect(profiled.length / customers.length, channel).toBeGreaterThan(0.05);
      expect(profiled.length / marketing.length, channel).toBeGreaterThan(0.4);
      expect(profiled.length / marketing.length, channel).toBeLessThan(0.95);
    }
  });
});

describe("demo history", () => {
  it("never lies in the future or before the customer existed, and totals equal the lines", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 400 }), (index, days) => {
        const s = shape({ days });
        const customer = generateCustomer(s, index);
        const { transactions, events } = generateHistory(customer, "cus_x", "ten_x", s);
        for (const t of transactions) {
          const at = Date.parse(t.occurredAt);
          expect(at).toBeLessThanOrEqual(s.now);
          expect(at).toBeGreaterThan(customer.createdAt);
          expect(at).toBeGreaterThan(s.now - (days + 1) * DAY);
          expect(t.total).toBe(t.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0));
        }
        for (const e of events) expect(Date.parse(e.occurredAt)).toBeLessThanOrEqual(s.now);
        if (!customer.app) expect(events).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("follows the customer's habits: favourite store, usual daypart in local time, liked tags", () => {
    const s = shape({ days: 365 });
    let favourite = 0;
    let orders = 0;
    let usualDaypart = 0;
    let vegItems = 0;
    let items = 0;
    let vegLoverItems = 0;
    let vegLoverVeg = 0;
    for (let i = 0; i < 3_000; i++) {
      const c = generateCustomer(s, i);
      const sales = generateHistory(c, "cus_x", "ten_x", s).transactions.filter((t) => t.type === "sale");
      for (const t of sales) {
        orders++;
        if (t.locationId === c.habits.favouriteLocations[0]) favourite++;
        const hour = new Date(Date.parse(t.occurredAt) + s.utcOffsetMinutes * 60_000).getUTCHours();
        const lunch = hour >= 11 && hour < 15;
        if (c.habits.daypart === "lunch" ? lunch : !lunch) usualDaypart++;
        for (const l of t.lines) {
          const veg = l.tags.includes("vegetarian") ? l.quantity : 0;
          items += l.quantity;
          vegItems += veg;
          if (c.habits.likes.includes("vegetarian")) {
            vegLoverItems += l.quantity;
            vegLoverVeg += veg;
          }
        }
      }
    }
    expect(orders).toBeGreaterThan(3_000); // a few orders per customer over a year
    expect(favourite / orders).toBeGreaterThan(0.55);
    expect(usualDaypart / orders).toBeGreaterThan(0.6);
    expect(vegLoverVeg / vegLoverItems).toBeGreaterThan(vegItems / items + 0.1);
  });
});
