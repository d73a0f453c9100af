import type { Basket } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  codeMaxUses,
  couponRefusal,
  emptyStack,
  type KnownCoupon,
  type PricingContext,
  stackingRefusal,
  usedUpByCustomer,
  withinHours,
} from "../src/index.ts";
import { campaignConfig, coupon, line, member, noUsage, WARSAW, WEDNESDAY_NOON } from "./fixtures.ts";

const basket: Basket = {
  locationId: "warsaw-centrum",
  channel: "kiosk",
  currency: "EUR",
  lines: [line("BURGER", 790, { category: "burgers" }), line("FRIES", 290, { tags: ["vegetarian"] })],
};

const ctx = (more: Partial<PricingContext> = {}): PricingContext => ({
  basket,
  subtotal: 1080,
  at: WEDNESDAY_NOON,
  timezone: WARSAW,
  customer: member(),
  ...more,
});

const refusedWith = (c: KnownCoupon, more: Partial<PricingContext> = {}) => couponRefusal(c, ctx(more))?.code ?? null;
const tenOff = { benefit: { kind: "fixed_off", amount: 100 } };
const withConditions = (conditions: Record<string, unknown>) => coupon("TEN", { ...tenOff, conditions });
const withLimits = (limits: Record<string, unknown>, usage: Partial<KnownCoupon["usage"]> = {}) =>
  coupon("TEN", { ...tenOff, limits }, { usage: { ...noUsage, ...usage } });

describe("couponRefusal: one check per refusal code", () => {
  it("accepts a plain coupon", () => {
    expect(refusedWith(coupon("TEN", tenOff))).toBeNull();
  });

  it("unknown_code and paused", () => {
    expect(refusedWith({ code: "NOPE", campaign: null, usage: noUsage, inWallet: false })).toBe("unknown_code");
    expect(refusedWith(coupon("TEN", tenOff, { status: "paused" }))).toBe("paused");
  });

  it("not_yet_valid before validFrom, expired from validTo on (half-open window)", () => {
    const c = withConditions({ validFrom: "2025-03-05T11:00:00Z", validTo: "2025-03-06T00:00:00+01:00" });
    expect(refusedWith(c, { at: new Date("2025-03-05T10:59:59Z") })).toBe("not_yet_valid");
    expect(couponRefusal(c, ctx({ at: new Date("2025-03-04T10:00:00Z") }))?.message).toContain("2025-03-05");
    expect(refusedWith(c, { at: new Date("2025-03-05T11:00:00Z") })).toBeNull();
    expect(refusedWith(c, { at: new Date("2025-03-05T22:59:59Z") })).toBeNull();
    expect(refusedWith(c, { at: new Date("2025-03-05T23:00:00Z") })).toBe("expired");
  });

  it("not_yet_valid and expired name the bound in the checkout's zone, with the time unless it is midnight", () => {
    const message = (conditions: Record<string, unknown>, at: Date, timezone = WARSAW) =>
      couponRefusal(withConditions(conditions), ctx({ at, timezone }))?.message;
    // Noon in Warsaw on the day the coupon starts at 17:00: the date alone would read as "valid now".
    const fivePm = "2025-03-05T16:00:00Z";
    expect(message({ validFrom: fivePm }, WEDNESDAY_NOON)).toBe("This coupon is valid from 2025-03-05 17:00.");
    expect(message({ validFrom: fivePm }, WEDNESDAY_NOON, "UTC")).toBe("This coupon is valid from 2025-03-05 16:00.");
    expect(message({ validFrom: "2025-03-06T00:00:00+01:00" }, WEDNESDAY_NOON)).toBe(
      "This coupon is valid from 2025-03-06.",
    );
    const evening = new Date("2025-03-05T19:00:00Z");
    expect(message({ validTo: fivePm }, evening)).toBe("This coupon was valid until 2025-03-05 17:00.");
    // A window ending at local midnight was valid through the day before it.
    expect(message({ validTo: "2025-03-05T00:00:00+01:00" }, evening)).toBe(
      "This coupon was valid until the end of 2025-03-04.",
    );
  });

  it("wrong_location: a location-specific coupon is refused elsewhere", () => {
    const krakowOnly = withConditions({ locations: ["krakow-rynek"] });
    expect(refusedWith(krakowOnly)).toBe("wrong_location");
    expect(refusedWith(krakowOnly, { basket: { ...basket, locationId: "krakow-rynek" } })).toBeNull();
  });

  it("wrong_channel", () => {
    const appOnly = withConditions({ channels: ["app"] });
    expect(refusedWith(appOnly)).toBe("wrong_channel");
    expect(refusedWith(appOnly, { basket: { ...basket, channel: "app" } })).toBeNull();
  });

  it("wrong_day reads the weekday in the checkout's time zone", () => {
    // Tuesday 2025-03-04 23:30 UTC is Wednesday 00:30 in Warsaw.
    const at = new Date("2025-03-04T23:30:00Z");
    const wednesdays = withConditions({ weekdays: [3] });
    expect(refusedWith(wednesdays, { at })).toBeNull();
    expect(refusedWith(wednesdays, { at, timezone: "UTC" })).toBe("wrong_day");
    expect(refusedWith(withConditions({ weekdays: [2, 1] }), { at })).toBe("wrong_day");
    expect(couponRefusal(withConditions({ weekdays: [2, 1] }), ctx({ at }))?.message).toContain("Mondays and Tuesdays");
  });

  it("wrong_time reads the local time of day", () => {
    const lunch = withConditions({ hours: { from: "11:00", to: "15:00" } });
    // 10:30 UTC is 11:30 in Warsaw.
    expect(refusedWith(lunch, { at: new Date("2025-03-05T10:30:00Z") })).toBeNull();
    expect(refusedWith(lunch, { at: new Date("2025-03-05T10:30:00Z"), timezone: "UTC" })).toBe("wrong_time");
    expect(refusedWith(lunch, { at: new Date("2025-03-05T14:00:00Z") })).toBe("wrong_time");
  });

  it("wrong_tier, and customer_required for a tier coupon on an anonymous basket", () => {
    const gold = withConditions({ tiers: ["gold"] });
    expect(refusedWith(gold)).toBe("wrong_tier");
    expect(refusedWith(gold, { customer: member({ tier: null }) })).toBe("wrong_tier");
    expect(refusedWith(gold, { customer: member({ tier: "gold" }) })).toBeNull();
    expect(refusedWith(gold, { customer: null })).toBe("customer_required");
  });

  it("below_minimum_basket compares the basket before any discount, the terminal's own too", () => {
    const min = withConditions({ minBasket: 1081 });
    expect(refusedWith(min)).toBe("below_minimum_basket");
    expect(couponRefusal(min, ctx())?.message).toBe("Spend at least €10.81 to use this coupon.");
    expect(refusedWith(withConditions({ minBasket: 1080 }))).toBeNull();
    // €2 off the burger at the till leaves €8.80 to pay; the €10.80 ordered still meets a €10.80 minimum.
    const discounted = { ...basket, lines: [line("BURGER", 790, { discount: 200 }), basket.lines[1]!] };
    expect(refusedWith(withConditions({ minBasket: 1080 }), { basket: discounted, subtotal: 880 })).toBeNull();
  });

  it("no_matching_items: `requires` or the discount's own match finds no line", () => {
    expect(refusedWith(withConditions({ requires: { categories: ["drinks"] } }))).toBe("no_matching_items");
    expect(refusedWith(withConditions({ requires: { tags: ["vegetarian"] } }))).toBeNull();
    const freeCola = coupon("COLA", { benefit: { kind: "free_item", match: { skus: ["COLA"] } } });
    expect(refusedWith(freeCola)).toBe("no_matching_items");
    const halfBurgers = coupon("HALF", { benefit: { kind: "percent_off", percent: 50, match: { categories: ["x"] } } });
    expect(refusedWith(halfBurgers)).toBe("no_matching_items");
  });

  it("limit_reached, customer_limit_reached, daily_limit_reached, budget_exhausted", () => {
    expect(refusedWith(withLimits({ total: 100 }, { total: 99 }))).toBeNull();
    expect(refusedWith(withLimits({ total: 100 }, { total: 100 }))).toBe("limit_reached");
    expect(refusedWith(withLimits({ perCustomer: 1 }, { customer: 1 }))).toBe("customer_limit_reached");
    expect(refusedWith(withLimits({ perCustomer: 1 }), { customer: null })).toBe("customer_required");
    expect(refusedWith(withLimits({ perDay: 10 }, { today: 10 }))).toBe("daily_limit_reached");
    expect(refusedWith(withLimits({ budget: 5000 }, { budgetSpent: 5000 }))).toBe("budget_exhausted");
    expect(refusedWith(withLimits({ budget: 5000 }, { budgetSpent: 4999 }))).toBeNull();
  });

  it("code_used_up: generic codes are multi-use, unique and imported codes one-time unless told", () => {
    const generic = coupon("LUNCH", tenOff, { usage: { ...noUsage, code: 500 } });
    expect(refusedWith(generic)).toBeNull();
    const unique = coupon("WELCOME-7KQ4", { ...tenOff, codes: { kind: "unique", pattern: "WELCOME-XXXX" } });
    expect(refusedWith(unique)).toBeNull();
    expect(refusedWith({ ...unique, usage: { ...noUsage, code: 1 } })).toBe("code_used_up");
    expect(refusedWith({ ...unique, usage: { ...noUsage, code: 1 }, codeMaxUses: 2 })).toBeNull();
    const perCode = withLimits({ perCode: 3 }, { code: 3 });
    expect(refusedWith(perCode)).toBe("code_used_up");
  });

  it("codeMaxUses: the code's own max, else limits.perCode, else generic unlimited / others once", () => {
    expect(codeMaxUses(coupon("A", tenOff))).toBe(Number.POSITIVE_INFINITY);
    expect(codeMaxUses(coupon("A", { ...tenOff, codes: { kind: "imported" } }))).toBe(1);
    expect(codeMaxUses(coupon("A", { ...tenOff, codes: { kind: "imported" }, limits: { perCode: 4 } }))).toBe(4);
    expect(codeMaxUses({ ...coupon("A", { ...tenOff, limits: { perCode: 4 } }), codeMaxUses: 2 })).toBe(2);
  });

  it("reports the first failing check in the documented order", () => {
    const everything = coupon(
      "ALL",
      {
        ...tenOff,
        conditions: {
          validTo: "2025-01-01T00:00:00Z",
          locations: ["elsewhere"],
          channels: ["app"],
          weekdays: [1],
          hours: { from: "06:00", to: "07:00" },
          tiers: ["gold"],
          minBasket: 100_000,
          requires: { skus: ["NONE"] },
        },
        limits: { total: 1, perCustomer: 1, perDay: 1, budget: 100 },
        codes: { kind: "unique", pattern: "ALL-XXXX" },
      },
      { status: "paused", usage: { total: 1, customer: 1, code: 1, today: 1, budgetSpent: 100 } },
    );
    const order = [
      "paused",
      "expired",
      "wrong_location",
      "wrong_channel",
      "wrong_day",
      "wrong_time",
      "wrong_tier",
      "limit_reached",
      "customer_limit_reached",
      "code_used_up",
      "daily_limit_reached",
      "budget_exhausted",
      "below_minimum_basket",
      "no_matching_items",
    ];
    // Lift each failing condition in turn: the next one in the order becomes the refusal.
    const c = structuredClone(everything);
    const lift: (() => void)[] = [
      () => {
        c.campaign!.status = "active";
      },
      () => delete c.campaign!.config.conditions.validTo,
      () => {
        c.campaign!.config.conditions.locations = [];
      },
      () => {
        c.campaign!.config.conditions.channels = [];
      },
      () => {
        c.campaign!.config.conditions.weekdays = [];
      },
      () => delete c.campaign!.config.conditions.hours,
      () => {
        c.campaign!.config.conditions.tiers = [];
      },
      () => delete c.campaign!.config.limits.total,
      () => delete c.campaign!.config.limits.perCustomer,
      () => {
        c.codeMaxUses = 2;
      },
      () => delete c.campaign!.config.limits.perDay,
      () => delete c.campaign!.config.limits.budget,
      () => {
        c.campaign!.config.conditions.minBasket = 0;
      },
      () => delete c.campaign!.config.conditions.requires,
    ];
    order.forEach((code, i) => {
      expect(refusedWith(c)).toBe(code);
      lift[i]!();
    });
    expect(refusedWith(c)).toBeNull();
  });
});

describe("a used-up coupon is refused for that, not for what the basket lacks", () => {
  const welcomeFries = (usage: Partial<KnownCoupon["usage"]>, limits: Record<string, unknown> = {}) =>
    coupon(
      "WELCOME-7KQ4",
      {
        benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES-L"] } },
        codes: { kind: "unique", pattern: "WELCOME-XXXX" },
        limits,
      },
      { usage: { ...noUsage, ...usage } },
    );
  const burgerOnly = { basket: { ...basket, lines: [line("BURGER", 790)] }, subtotal: 790 };

  it("says the code was used, with only a burger in the order, as it would with fries", () => {
    expect(refusedWith(welcomeFries({}), burgerOnly)).toBe("no_matching_items");
    expect(refusedWith(welcomeFries({ code: 1 }), burgerOnly)).toBe("code_used_up");
    expect(refusedWith(welcomeFries({ customer: 1 }, { perCustomer: 1 }), burgerOnly)).toBe("customer_limit_reached");
    expect(refusedWith(welcomeFries({ total: 5 }, { total: 5 }), { ...burgerOnly, subtotal: 0 })).toBe("limit_reached");
  });

  it("usedUpByCustomer: the code used up, or the campaign used as often as the customer may", () => {
    expect(usedUpByCustomer(welcomeFries({}))).toBe(false);
    expect(usedUpByCustomer(welcomeFries({ code: 1 }))).toBe(true);
    expect(usedUpByCustomer(welcomeFries({ customer: 1 }, { perCustomer: 2 }))).toBe(false);
    expect(usedUpByCustomer(welcomeFries({ customer: 2 }, { perCustomer: 2 }))).toBe(true);
    // Others using up the campaign is not this customer's doing: the coupon stays, saying why it cannot be used.
    expect(usedUpByCustomer(welcomeFries({ total: 5 }, { total: 5 }))).toBe(false);
    expect(usedUpByCustomer(coupon("LUNCH", tenOff, { usage: { ...noUsage, code: 500 } }))).toBe(false);
  });
});

describe("withinHours", () => {
  const at = (iso: string) => new Date(iso);
  it("is [from, to) in local time", () => {
    const h = { from: "11:00", to: "15:00" };
    expect(withinHours(h, at("2025-03-05T10:00:00Z"), WARSAW)).toBe(true);
    expect(withinHours(h, at("2025-03-05T09:59:59Z"), WARSAW)).toBe(false);
    expect(withinHours(h, at("2025-03-05T13:59:59Z"), WARSAW)).toBe(true);
    expect(withinHours(h, at("2025-03-05T14:00:00Z"), WARSAW)).toBe(false);
  });

  it("spans midnight when `to` is before `from`", () => {
    const late = { from: "22:00", to: "02:00" };
    expect(withinHours(late, at("2025-03-04T22:30:00Z"), WARSAW)).toBe(true); // 23:30
    expect(withinHours(late, at("2025-03-05T00:59:00Z"), WARSAW)).toBe(true); // 01:59
    expect(withinHours(late, at("2025-03-05T01:00:00Z"), WARSAW)).toBe(false); // 02:00
    expect(withinHours(late, at("2025-03-04T20:59:00Z"), WARSAW)).toBe(false); // 21:59
  });

  it("reads the wall clock on a daylight-saving day, not the time elapsed since midnight", () => {
    // 2025-03-30: Warsaw skips 02:00-03:00. 08:30 UTC is 10:30 local, though only 9.5 hours after midnight.
    expect(withinHours({ from: "10:00", to: "11:00" }, at("2025-03-30T08:30:00Z"), WARSAW)).toBe(true);
    expect(withinHours({ from: "09:00", to: "10:00" }, at("2025-03-30T08:30:00Z"), WARSAW)).toBe(false);
  });

  it("from = to means the whole day", () => {
    expect(withinHours({ from: "00:00", to: "00:00" }, at("2025-03-05T03:17:00Z"), WARSAW)).toBe(true);
  });
});

describe("stackingRefusal", () => {
  const plain = campaignConfig(tenOff);
  const exclusive = campaignConfig({ ...tenOff, stacking: { exclusive: true } });
  const breakfast = campaignConfig({ ...tenOff, stacking: { group: "breakfast" } });

  it("coupons stack unless exclusive or of the same group", () => {
    expect(stackingRefusal(plain, emptyStack())).toBeNull();
    expect(stackingRefusal(exclusive, emptyStack())).toBeNull();
    const onePlain = { codes: ["A"], applied: [{ exclusive: false, group: undefined }] };
    expect(stackingRefusal(plain, onePlain)).toBeNull();
    expect(stackingRefusal(exclusive, onePlain)?.code).toBe("not_combinable");
    expect(stackingRefusal(plain, { codes: ["A"], applied: [{ exclusive: true, group: undefined }] })?.code).toBe(
      "not_combinable",
    );
    expect(
      stackingRefusal(breakfast, { codes: ["A"], applied: [{ exclusive: false, group: "breakfast" }] })?.code,
    ).toBe("not_combinable");
    expect(stackingRefusal(breakfast, onePlain)).toBeNull();
  });

  it("a coupon refused earlier does not count as applied", () => {
    expect(stackingRefusal(exclusive, { codes: ["REFUSED"], applied: [] })).toBeNull();
  });
});
