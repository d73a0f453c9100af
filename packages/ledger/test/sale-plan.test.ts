import { describe, expect, it } from "vitest";
import { planSale, stampRewardKey, tierRewardKey } from "../src/index.ts";
import {
  base,
  CUSTOMER,
  coffeeCard,
  member,
  NOON,
  NOON_DAY,
  noAlcohol,
  programme,
  saleMessage,
  TENANT,
  tiers,
} from "./fixtures.ts";

// Every figure below is worked out by hand from the programme: 1 point per 1.00 paid, floored once.
const at = new Date(NOON);
const credit = { tenantId: TENANT, customerId: CUSTOMER, unit: "points" };

describe("planSale: points", () => {
  it("earns 1 point per 1.00 on eligible lines, floored once; the lot expires 12 local months later", () => {
    const p = programme({ rules: [base, noAlcohol], expiry: { kind: "after_earning", months: 12 } });
    const state = member();
    // 12.50 + 2 × 3.50 = 19.50 eligible (19.5 points, floored to 19); the 6.00 beer is excluded.
    const m = saleMessage("S-1", [
      { sku: "burger", unitPrice: 1250 },
      { sku: "fries", unitPrice: 350, quantity: 2 },
      { sku: "beer", unitPrice: 600, tags: ["alcohol"] },
    ]);
    const plan = planSale(m, state, p);

    expect(plan.points).toBe(19);
    expect(plan.movements).toEqual([
      {
        ...credit,
        kind: "earn",
        amount: 19,
        idempotencyKey: "tx:tx_S-1",
        transactionId: "tx_S-1",
        occurredAt: at,
        // 2025-03-06 12:00 in Warsaw (UTC+1 in March) is 11:00 UTC.
        lot: { availableAt: at, expiresAt: new Date("2025-03-06T11:00:00Z") },
      },
    ]);
    expect(plan.events).toEqual([]);
    expect(plan.effects).toEqual({ stamps: {}, tier: null });
    expect(plan.explanation?.capped).toBeNull();
    expect(plan.explanation?.lines.map((l) => [l.amount, l.eligible, l.excludedBy, l.points])).toEqual([
      [1250, true, null, 12.5],
      [700, true, null, 7],
      [600, false, "no-alcohol", 0],
    ]);
    expect(plan.explanation?.rules.map((r) => [r.ruleId, r.type, r.points, r.lines])).toEqual([
      ["no-alcohol", "exclusion", 0, [2]],
      ["base", "base_rate", 19.5, [0, 1]],
    ]);
    // The state moves on, so the next message of the batch sees this sale.
    expect([...state.earnedByDay]).toEqual([[NOON_DAY, 19]]);
    expect(state.lastActivityAt).toEqual(at);
  });

  it("a sale that earns nothing posts no movement but still counts as activity", () => {
    const p = programme({ rules: [base] });
    const state = member({ lastActivityAt: new Date("2024-03-01T10:00:00Z") });
    const plan = planSale(saleMessage("S-0", [{ sku: "water", unitPrice: 99 }]), state, p);
    expect(plan.points).toBe(0);
    expect(plan.movements).toEqual([]);
    expect(state.lastActivityAt).toEqual(at);
    // An older sale arriving late does not move the last activity back.
    planSale(saleMessage("S-OLD", [{ sku: "water", unitPrice: 99 }], "2024-03-02T09:00:00+01:00"), state, p);
    expect(state.lastActivityAt).toEqual(at);
  });

  it("daily cap: with 40 of 50 earned today a 19-point sale earns 10, the next earns 0, and the cap is per local day", () => {
    const p = programme({ rules: [base], caps: { perDay: 50 } });
    const state = member({ earnedByDay: new Map([[NOON_DAY, 40]]) });

    const first = planSale(saleMessage("S-1", [{ sku: "burger", unitPrice: 1950 }]), state, p);
    expect(first.points).toBe(10);
    expect(first.explanation?.capped).toEqual({ by: "per_day", uncapped: 19 });
    expect(first.movements.map((m) => [m.kind, m.amount])).toEqual([["earn", 10]]);
    expect(state.earnedByDay.get(NOON_DAY)).toBe(50);

    const second = planSale(
      saleMessage("S-2", [{ sku: "burger", unitPrice: 1000 }], "2024-03-06T20:00:00+01:00"),
      state,
      p,
    );
    expect(second.points).toBe(0);
    expect(second.explanation?.capped).toEqual({ by: "per_day", uncapped: 10 });
    expect(second.movements).toEqual([]);

    // 23:30 UTC on the 6th is 00:30 on the 7th in Warsaw: a new local day, a fresh cap.
    const nextDay = planSale(
      saleMessage("S-3", [{ sku: "burger", unitPrice: 1000 }], "2024-03-06T23:30:00Z"),
      state,
      p,
    );
    expect(nextDay.points).toBe(10);
    expect(nextDay.explanation?.capped).toBeNull();
    expect(Object.fromEntries(state.earnedByDay)).toEqual({ "2024-03-06": 50, "2024-03-07": 10 });
  });

  it("per-transaction cap cuts one sale; the daily cap then applies to what is left of the day", () => {
    const p = programme({ rules: [base], caps: { perTransaction: 15, perDay: 100 } });
    const lines = [{ sku: "burger", unitPrice: 1950 }];

    const fresh = planSale(saleMessage("S-1", lines), member(), p);
    expect(fresh.points).toBe(15);
    expect(fresh.explanation?.capped).toEqual({ by: "per_transaction", uncapped: 19 });

    // 90 earned today: min(15, 100 - 90) = 10, and the explanation names the cap that had the last word.
    const late = planSale(saleMessage("S-2", lines), member({ earnedByDay: new Map([[NOON_DAY, 90]]) }), p);
    expect(late.points).toBe(10);
    expect(late.explanation?.capped).toEqual({ by: "per_day", uncapped: 19 });
    expect(late.movements.map((m) => m.amount)).toEqual([10]);
  });
});

describe("planSale: tiers", () => {
  it("crossing 500 points earned upgrades silver to gold at once: the gold reward and a tier.changed event", () => {
    const state = member({ tier: "silver", qualifying: 480 });
    const plan = planSale(
      saleMessage("S-UP", [{ sku: "menu", unitPrice: 3000 }]),
      state,
      programme({ rules: [base], tiers }),
    );

    const rewardKey = `tier-reward:${CUSTOMER}:gold:tx_S-UP`;
    expect(tierRewardKey(CUSTOMER, "gold", "tx_S-UP")).toBe(rewardKey);
    // The upgrading sale itself still earns at the silver rate: 30, not 60.
    expect(plan.points).toBe(30);
    expect(plan.movements).toEqual([
      expect.objectContaining({ kind: "earn", amount: 30, idempotencyKey: "tx:tx_S-UP" }),
      {
        ...credit,
        kind: "bonus",
        amount: 100,
        idempotencyKey: rewardKey,
        transactionId: "tx_S-UP",
        occurredAt: at,
        reason: "reached tier Gold",
        lot: { availableAt: at, expiresAt: null },
      },
    ]);
    expect(plan.events).toEqual([
      {
        type: "tier.changed",
        id: `tier:${CUSTOMER}:tx_S-UP`,
        tenantId: TENANT,
        customerId: CUSTOMER,
        occurredAt: "2024-03-06T11:00:00.000Z",
        from: "silver",
        to: "gold",
        direction: "up",
        qualifyingValue: 510,
      },
    ]);
    expect(plan.effects.tier).toEqual({
      from: "silver",
      fromSince: null,
      fromByFloor: false,
      to: "gold",
      rewardPoints: 100,
      rewardKey,
    });
    expect(state).toMatchObject({ tier: "gold", tierSince: at, tierChanged: true, qualifying: 510 });
  });

  it("gold's 2× applies from the next sale on: the same two sales earn 50 in one order and 40 in the other", () => {
    const p = programme({ rules: [base], tiers });
    const big = saleMessage("S-BIG", [{ sku: "menu", unitPrice: 3000 }], "2024-03-06T12:00:00+01:00");
    const small = saleMessage("S-SMALL", [{ sku: "coffee", unitPrice: 1000 }], "2024-03-06T13:00:00+01:00");

    // Big first: 30 at silver (480 → 510, gold), then 10 × 2 = 20 at gold.
    const bigFirst = member({ tier: "silver", qualifying: 480 });
    expect(planSale(big, bigFirst, p).points).toBe(30);
    const doubled = planSale(small, bigFirst, p);
    expect(doubled.points).toBe(20);
    expect(doubled.events).toEqual([]); // already gold: no second upgrade
    expect(doubled.explanation?.rules.map((r) => [r.ruleId, r.type, r.points])).toEqual([
      ["base", "base_rate", 10],
      ["tier:gold", "tier_multiplier", 10],
    ]);
    expect(bigFirst.qualifying).toBe(530);

    // Small first: 10 at silver (490, still silver), then 30 at silver (520, gold): no sale is doubled.
    const smallFirst = member({ tier: "silver", qualifying: 480 });
    expect(planSale(small, smallFirst, p).points).toBe(10);
    expect(smallFirst.tier).toBe("silver");
    expect(planSale(big, smallFirst, p).points).toBe(30);
    expect(smallFirst).toMatchObject({ tier: "gold", qualifying: 520 });
  });

  it("a sale that stays within the tier changes no tier; a first sale places a new member in the entry tier without a reward", () => {
    const p = programme({ rules: [base], tiers });
    const silver = member({ tier: "silver", qualifying: 300 });
    const stay = planSale(saleMessage("S-1", [{ sku: "menu", unitPrice: 3000 }]), silver, p);
    expect(stay.events).toEqual([]);
    expect(stay.effects.tier).toBeNull();
    expect(silver).toMatchObject({ tier: "silver", tierChanged: false, qualifying: 330 });

    const newcomer = member();
    const first = planSale(saleMessage("S-2", [{ sku: "coffee", unitPrice: 1000 }]), newcomer, p);
    expect(first.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(first.events).toEqual([expect.objectContaining({ type: "tier.changed", from: null, to: "bronze" })]);
    expect(first.effects.tier).toEqual({
      from: null,
      fromSince: null,
      fromByFloor: false,
      to: "bronze",
      rewardPoints: 0,
      rewardKey: null,
    });
  });

  it("a tier a programme change removed is kept: a sale reaching a remaining tier cannot rank above it", () => {
    const withoutSilver = programme({ rules: [base], tiers: { ...tiers, levels: [tiers.levels[0], tiers.levels[2]] } });
    const since = new Date("2024-01-10T12:00:00Z");
    const holder = member({ tier: "silver", tierSince: since, qualifying: 300 });
    const plan = planSale(saleMessage("S-1", [{ sku: "menu", unitPrice: 1000 }]), holder, withoutSilver);
    expect(plan.events).toEqual([]);
    expect(plan.effects.tier).toBeNull();
    expect(plan.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(holder).toMatchObject({ tier: "silver", tierSince: since, tierChanged: false, qualifying: 310 });
  });

  it("a first sale that reaches gold at once pays gold's reward (and only gold's: silver was skipped)", () => {
    const newcomer = member();
    const big = planSale(
      saleMessage("S-1", [{ sku: "feast", unitPrice: 60_000 }]),
      newcomer,
      programme({ rules: [base], tiers }),
    );
    expect(big.effects.tier).toMatchObject({ from: null, to: "gold", rewardPoints: 100 });
    expect(big.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 600],
      ["bonus", 100],
    ]);
    expect(newcomer.tier).toBe("gold");
  });

  it("tiers on spend or on orders qualify on the sale's total or on one order", () => {
    const lines = [{ sku: "menu", unitPrice: 3000 }];
    const onSpend = member({ tier: "bronze", qualifying: 10_000 });
    planSale(saleMessage("S-1", lines), onSpend, programme({ rules: [base], tiers: { ...tiers, basis: "spend" } }));
    expect(onSpend.qualifying).toBe(13_000);

    const onOrders = member({ tier: "bronze", qualifying: 199 });
    const plan = planSale(
      saleMessage("S-2", lines),
      onOrders,
      programme({ rules: [base], tiers: { ...tiers, basis: "orders" } }),
    );
    expect(onOrders).toMatchObject({ qualifying: 200, tier: "silver" });
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 30],
      ["bonus", 50],
    ]);
  });
});

describe("planSale: stamp cards", () => {
  const p = programme({ rules: [base], stampCards: [coffeeCard] });

  it("3 stamps + 4 coffees completes the 5-stamp card once and carries 2 over; the card pays 40 points", () => {
    const state = member({ stamps: new Map([["coffee", { stamps: 3, completed: 1, changed: false }]]) });
    const m = saleMessage("S-C", [
      { sku: "flat-white", unitPrice: 300, quantity: 4, tags: ["coffee"] },
      { sku: "croissant", unitPrice: 250 },
    ]);
    const plan = planSale(m, state, p);

    expect(stampRewardKey("tx_S-C", "coffee")).toBe("stamp:tx_S-C:coffee");
    expect(plan.points).toBe(14); // 14.50 paid
    expect(plan.movements).toEqual([
      expect.objectContaining({ kind: "earn", amount: 14, idempotencyKey: "tx:tx_S-C" }),
      {
        ...credit,
        kind: "bonus",
        amount: 40,
        idempotencyKey: "stamp:tx_S-C:coffee",
        transactionId: "tx_S-C",
        occurredAt: at,
        reason: 'stamp card "Coffee card" completed',
        lot: { availableAt: at, expiresAt: null },
      },
    ]);
    expect(plan.events).toEqual([
      {
        type: "stamp_card.completed",
        id: "stamp:tx_S-C:coffee",
        tenantId: TENANT,
        customerId: CUSTOMER,
        occurredAt: "2024-03-06T11:00:00.000Z",
        cardId: "coffee",
        completions: 1,
        rewardPoints: 40,
        transactionId: "tx_S-C",
      },
    ]);
    // Recorded per line, so a refund of the coffees can take exactly those stamps back.
    expect(plan.effects.stamps).toEqual({ coffee: { added: 4, perLine: [4, 0], stampsRequired: 5, rewardPoints: 40 } });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 2, completed: 2, changed: true });
  });

  it("4 stamps + 11 coffees completes the card 3 times at once: one event, 3 × 40 points, nothing carried", () => {
    const state = member({ stamps: new Map([["coffee", { stamps: 4, completed: 0, changed: false }]]) });
    const plan = planSale(
      saleMessage("S-11", [{ sku: "espresso", unitPrice: 300, quantity: 11, tags: ["coffee"] }]),
      state,
      p,
    );
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 33],
      ["bonus", 120],
    ]);
    expect(plan.events).toEqual([expect.objectContaining({ completions: 3, rewardPoints: 120 })]);
    expect(state.stamps.get("coffee")).toEqual({ stamps: 0, completed: 3, changed: true });
  });

  it("stamps short of a completion are counted with no reward; a sale without coffee stamps nothing", () => {
    const state = member();
    const plan = planSale(
      saleMessage("S-2", [{ sku: "latte", unitPrice: 400, quantity: 2, tags: ["coffee"] }]),
      state,
      p,
    );
    expect(plan.events).toEqual([]);
    expect(plan.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(plan.effects.stamps).toEqual({ coffee: { added: 2, perLine: [2], stampsRequired: 5, rewardPoints: 40 } });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 2, completed: 0, changed: true });

    const none = planSale(saleMessage("S-3", [{ sku: "croissant", unitPrice: 250 }]), state, p);
    expect(none.effects.stamps).toEqual({});
    expect(state.stamps.get("coffee")).toEqual({ stamps: 2, completed: 0, changed: true });
  });
});

describe("planSale: pending points", () => {
  it("with 14 pending days the earned lot becomes spendable 14 days later; rewards are spendable at once", () => {
    const p = programme({
      rules: [base],
      pendingDays: 14,
      stampCards: [coffeeCard],
      expiry: { kind: "after_earning", months: 6 },
    });
    const state = member({ stamps: new Map([["coffee", { stamps: 4, completed: 0, changed: false }]]) });
    const plan = planSale(
      saleMessage("S-P", [
        { sku: "espresso", unitPrice: 300, tags: ["coffee"] },
        { sku: "bagel", unitPrice: 1700 },
      ]),
      state,
      p,
    );
    // Expiry counts from the sale, not from availability: 2024-09-06 12:00 in Warsaw (UTC+2 in summer).
    const expiresAt = new Date("2024-09-06T10:00:00Z");
    expect(plan.movements.map((m) => [m.kind, m.amount, m.lot])).toEqual([
      ["earn", 20, { availableAt: new Date("2024-03-20T11:00:00Z"), expiresAt }],
      ["bonus", 40, { availableAt: at, expiresAt }],
    ]);
  });
});

describe("planSale: replay", () => {
  it("keys and event ids derive from the transaction id: replaying the sale plans the same movements", () => {
    const p = programme({ rules: [base], tiers, stampCards: [coffeeCard] });
    const fresh = () =>
      member({
        tier: "silver",
        qualifying: 480,
        stamps: new Map([["coffee", { stamps: 4, completed: 0, changed: false }]]),
      });
    // 5 coffees at 6.00: 30 points (480 → 510: gold) and the 5th stamp completes the card.
    const m = saleMessage("S-R", [{ sku: "cold-brew", unitPrice: 600, quantity: 5, tags: ["coffee"] }]);
    const plan = planSale(m, fresh(), p);

    expect(plan.movements.map((mv) => [mv.kind, mv.amount, mv.idempotencyKey])).toEqual([
      ["earn", 30, "tx:tx_S-R"],
      ["bonus", 40, "stamp:tx_S-R:coffee"],
      ["bonus", 100, `tier-reward:${CUSTOMER}:gold:tx_S-R`],
    ]);
    expect(plan.events.map((e) => e.id)).toEqual(["stamp:tx_S-R:coffee", `tier:${CUSTOMER}:tx_S-R`]);
    expect(planSale(m, fresh(), p)).toEqual(plan);

    // Another transaction with the same basket gets keys of its own.
    const other = planSale({ ...m, transactionId: "tx_S-R2" }, fresh(), p);
    const keys = new Set(plan.movements.map((mv) => mv.idempotencyKey));
    expect(other.movements.filter((mv) => keys.has(mv.idempotencyKey))).toEqual([]);
  });
});
