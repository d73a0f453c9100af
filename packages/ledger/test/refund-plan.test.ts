import type { TransactionMessage } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { type LoyaltyState, type ProgrammeAt, planRefund, planSale, type RefundPlan } from "../src/index.ts";
import {
  base,
  CUSTOMER,
  coffeeCard,
  type LineSpec,
  member,
  programme,
  recordOf,
  refundMessage,
  saleMessage,
  TENANT,
  tiers,
} from "./fixtures.ts";

const REFUNDED_AT = "2024-03-08T18:00:00+01:00"; // refundMessage's default: two days after the sale
const refundedAt = new Date(REFUNDED_AT);

/** A member's sale planned and recorded as the worker records it; returns what a refund reads. */
const sold = (p: ProgrammeAt, externalId: string, lines: LineSpec[], state: LoyaltyState = member()) => {
  const m = saleMessage(externalId, lines);
  const plan = planSale(m, state, p);
  return { record: recordOf(m, plan), plan, state };
};

type Planned = Exclude<RefundPlan, { rejected: object }>;
const applied = (plan: RefundPlan): Planned => {
  if (plan.rejected)
    throw new Error(`expected the refund to apply, got ${plan.rejected.code}: ${plan.rejected.message}`);
  return plan;
};
const refund = (id: string, of: string, lines: LineSpec[]): TransactionMessage => refundMessage(id, of, lines);

// Sale S-1: burger 20.00 (20 points), 2 × fries 5.00 (10 points), coffee 5.00 (5 points) = 35 points.
const p = programme({ rules: [base] });
const s1Lines: LineSpec[] = [
  { sku: "burger", unitPrice: 2000 },
  { sku: "fries", unitPrice: 500, quantity: 2 },
  { sku: "coffee", unitPrice: 500 },
];

describe("planRefund: points back by money, line by line", () => {
  it("one of two fries (half line 1's money) reverses half its 10 points, out of the sale's own lot", () => {
    const { record, state } = sold(p, "S-1", s1Lines);
    expect(record.points).toBe(35);
    const plan = applied(
      planRefund(refund("R-1", "S-1", [{ sku: "fries", unitPrice: 500, lineNo: 1 }]), record, state, p.config),
    );

    expect(plan.points).toBe(-5);
    expect(plan.movements).toEqual([
      {
        tenantId: TENANT,
        customerId: CUSTOMER,
        unit: "points",
        transactionId: "tx_R-1",
        occurredAt: refundedAt,
        kind: "reverse",
        amount: -5,
        idempotencyKey: "tx:tx_R-1",
        sourceKey: "tx:tx_S-1",
        reason: "refund of S-1",
      },
    ]);
    expect(plan.events).toEqual([]);
    expect(plan.effects).toEqual({ refunded: [{ lineNo: 1, amount: 500 }], stampsTaken: {}, tierRevoked: null });
    expect(plan.refundsLineNo).toEqual([1]);
    expect(plan.explanation).toEqual({
      rules: [
        {
          ruleId: "refund",
          type: "reverse",
          points: -5,
          lines: [0],
          detail: "share by money of the 35 points earned by S-1",
        },
      ],
      refunded: [{ lineNo: 1, amount: 500 }],
    });
    // The record moves on so a second refund of the sale in the same batch sees this one.
    expect(record).toMatchObject({ refundedPerLine: [0, 500, 0], refundedTotal: 500 });
  });

  it("partial refunds add up to exactly what the sale earned, and a sku without lineNo takes the money left on it", () => {
    const { record, state } = sold(p, "S-1", s1Lines);
    const fries = { sku: "fries", unitPrice: 500 };
    const first = applied(planRefund(refund("R-1", "S-1", [{ ...fries, lineNo: 1 }]), record, state, p.config));
    const second = applied(planRefund(refund("R-2", "S-1", [fries]), record, state, p.config));
    expect(second.refundsLineNo).toEqual([1]);
    const rest = applied(
      planRefund(
        refund("R-3", "S-1", [
          { sku: "burger", unitPrice: 2000, lineNo: 0 },
          { sku: "coffee", unitPrice: 500 },
        ]),
        record,
        state,
        p.config,
      ),
    );
    expect([first.points, second.points, rest.points]).toEqual([-5, -5, -25]);
    expect(rest.refundsLineNo).toEqual([0, 2]);
    expect(record).toMatchObject({ refundedPerLine: [2000, 1000, 500], refundedTotal: 3500 });
  });

  it("by sku, the first line with that sku and money left; a refund line spanning two sale lines names neither", () => {
    // coffee 3.00, cake 4.50, coffee 3.00: 10.5 points floored to 10, spread 3 : 4.5 : 3 over the lines.
    const lines = [
      { sku: "coffee", unitPrice: 300 },
      { sku: "cake", unitPrice: 450 },
      { sku: "coffee", unitPrice: 300 },
    ];
    const coffee = { sku: "coffee", unitPrice: 300 };
    const a = sold(p, "S-2", lines);
    const first = applied(planRefund(refund("R-1", "S-2", [coffee]), a.record, a.state, p.config));
    expect(first.refundsLineNo).toEqual([0]);
    expect(first.points).toBe(-2); // floor(10 × 3 / 10.5) = floor(2.86)
    const second = applied(planRefund(refund("R-2", "S-2", [coffee]), a.record, a.state, p.config));
    expect(second.refundsLineNo).toEqual([2]);
    expect(second.points).toBe(-3); // floor(10 × 6 / 10.5) = 5, minus the 2 already taken back

    const b = sold(p, "S-3", lines);
    const both = applied(planRefund(refund("R-3", "S-3", [{ ...coffee, quantity: 2 }]), b.record, b.state, p.config));
    expect(both.effects.refunded).toEqual([
      { lineNo: 0, amount: 300 },
      { lineNo: 2, amount: 300 },
    ]);
    expect(both.refundsLineNo).toEqual([null]);
    expect(both.points).toBe(-5);
  });

  it("a capped award is shared out by line points: the burger's 20 of 35 takes back 11 of the 20 awarded", () => {
    const capped = programme({ rules: [base], caps: { perTransaction: 20 } });
    const { record, state } = sold(capped, "S-1", s1Lines);
    expect(record.points).toBe(20);
    const burger = applied(
      planRefund(refund("R-1", "S-1", [{ sku: "burger", unitPrice: 2000, lineNo: 0 }]), record, state, capped.config),
    );
    expect(burger.points).toBe(-11); // floor(20 × 20 / 35) = floor(11.43)
    const rest = applied(
      planRefund(
        refund("R-2", "S-1", [
          { sku: "fries", unitPrice: 500, quantity: 2 },
          { sku: "coffee", unitPrice: 500 },
        ]),
        record,
        state,
        capped.config,
      ),
    );
    expect(rest.points).toBe(-9);
  });

  it("an anonymous sale is refunded without touching anyone's points", () => {
    const m = saleMessage("S-ANON", s1Lines);
    const record = recordOf(m, null, null);
    const plan = applied(
      planRefund(refund("R-1", "S-ANON", [{ sku: "coffee", unitPrice: 500 }]), record, undefined, p.config),
    );
    // 0, not -0: a receipt formatting it with Intl would print "-0".
    expect(plan.points).toBe(0);
    expect(plan.explanation).toMatchObject({ rules: [{ points: 0 }] });
    expect(plan.movements).toEqual([]);
    expect(plan.events).toEqual([]);
    expect(plan.refundsLineNo).toEqual([2]);
    expect(record.refundedPerLine).toEqual([0, 0, 500]);
  });
});

describe("planRefund: a sale whose points expired", () => {
  const burger = (id: string) => refund(id, "S-1", [{ sku: "burger", unitPrice: 2000, lineNo: 0 }]); // 20 points
  const rest = (id: string) =>
    refund(id, "S-1", [
      { sku: "fries", unitPrice: 500, quantity: 2, lineNo: 1 },
      { sku: "coffee", unitPrice: 500, lineNo: 2 },
    ]); // 15 points

  it("takes back none of what expired: those points left the customer once already", () => {
    const { record, state } = sold(p, "S-1", s1Lines);
    record.expiredPoints = 35;
    const plan = applied(planRefund(burger("R-1"), record, state, p.config));
    expect(plan.points).toBe(0);
    expect(plan.movements).toEqual([]);
    expect(plan.effects).toEqual({
      refunded: [{ lineNo: 0, amount: 2000 }],
      stampsTaken: {},
      tierRevoked: null,
      expired: 20,
    });
    expect(plan.explanation).toMatchObject({
      rules: [
        {
          points: 0,
          expired: 20,
          detail: "share by money of the 35 points earned by S-1; 20 of them had expired and are not taken again",
        },
      ],
    });
  });

  it("what was spent of the lot still comes off: the expired share is spared first, once over all the refunds", () => {
    // 35 earned: 15 spent, then 20 expired.
    const { record, state } = sold(p, "S-1", s1Lines);
    record.expiredPoints = 20;
    const first = applied(planRefund(rest("R-1"), record, state, p.config));
    expect(first.points).toBe(0);
    expect(first.effects.expired).toBe(15);
    const second = applied(planRefund(burger("R-2"), record, state, p.config));
    expect(second.points).toBe(-15);
    expect(second.movements).toMatchObject([{ kind: "reverse", amount: -15, sourceKey: "tx:tx_S-1" }]);
    expect(second.effects.expired).toBe(5);
    expect(record.expiredSpared).toBe(20);
  });

  it("an earlier refund's spared points (as the store reads them back) are not spared again", () => {
    const { record, state } = sold(p, "S-1", s1Lines);
    Object.assign(record, { expiredPoints: 20, expiredSpared: 20, refundedPerLine: [0, 1000, 500] });
    const plan = applied(planRefund(burger("R-2"), record, state, p.config));
    expect(plan.points).toBe(-20);
    expect(plan.effects).not.toHaveProperty("expired");
  });

  it("points earned lose the whole refunded share, the expired part too: only the balance spares it", () => {
    const t = programme({ rules: [base], tiers });
    const { record, state } = sold(t, "S-1", s1Lines, member({ qualifying: 100 }));
    expect(state.qualifying).toBe(135);
    record.expiredPoints = 5;
    expect(applied(planRefund(burger("R-1"), record, state, t.config)).points).toBe(-15);
    expect(state.qualifying).toBe(115);
  });

  it("a sale refunded in full after all its points expired takes back the upgrade it made", () => {
    const t = programme({ rules: [base], tiers });
    const saleLines: LineSpec[] = [{ sku: "menu", unitPrice: 3000 }];
    const { record, state } = sold(t, "S-UP", saleLines, member({ tier: "silver", qualifying: 480 }));
    expect(state).toMatchObject({ tier: "gold", qualifying: 510 });
    record.expiredPoints = 30;
    const plan = applied(
      planRefund(refund("R-1", "S-UP", [{ sku: "menu", unitPrice: 3000, lineNo: 0 }]), record, state, t.config),
    );
    expect(plan.points).toBe(0);
    expect(plan.movements.filter((m) => m.kind === "reverse")).toEqual([]);
    expect(plan.effects).toMatchObject({ expired: 30, tierRevoked: { from: "gold", to: "silver" } });
    expect(state).toMatchObject({ tier: "silver", qualifying: 480 });
  });
});

describe("planRefund: rejected", () => {
  const rejected = (lines: LineSpec[]) => {
    const { record, state } = sold(p, "S-1", s1Lines);
    const before = structuredClone(record);
    const plan = planRefund(refund("R-X", "S-1", lines), record, state, p.config);
    // A rejected refund changes nothing a later refund would see.
    expect(record).toEqual(before);
    return plan.rejected;
  };

  it("more money than a line has left: refund_exceeds_sale, naming the refund line", () => {
    expect(rejected([{ sku: "coffee", unitPrice: 600, lineNo: 2 }])).toEqual({
      code: "refund_exceeds_sale",
      message: "lines.0: refunds 600 of line 2, which has 500 left to refund (refund of S-1)",
    });
    expect(rejected([{ sku: "fries", unitPrice: 500, quantity: 3 }])).toEqual({
      code: "refund_exceeds_sale",
      message: 'lines.0: refunds 1500 of sku "fries", which has 1000 left to refund (refund of S-1)',
    });
  });

  it("two refund lines that together exceed a line: rejected whole, the first line is not applied", () => {
    expect(
      rejected([
        { sku: "fries", unitPrice: 500, quantity: 2, lineNo: 1 },
        { sku: "fries", unitPrice: 500, lineNo: 1 },
      ])?.code,
    ).toBe("refund_exceeds_sale");
  });

  it("lines the sale never had: refund_line_not_in_sale", () => {
    expect(rejected([{ sku: "burger", unitPrice: 100, lineNo: 7 }])).toEqual({
      code: "refund_line_not_in_sale",
      message: "lines.0.lineNo: the sale has no line 7 (it has lines 0-2) (refund of S-1)",
    });
    expect(rejected([{ sku: "fries", unitPrice: 100, lineNo: 0 }])?.code).toBe("refund_line_not_in_sale");
    expect(rejected([{ sku: "salad", unitPrice: 100 }])?.code).toBe("refund_line_not_in_sale");
  });

  it("after a full refund nothing is left: a further refund exceeds the sale", () => {
    const { record, state } = sold(p, "S-1", s1Lines);
    applied(planRefund(refund("R-1", "S-1", s1Lines), record, state, p.config));
    const again = planRefund(refund("R-2", "S-1", [{ sku: "coffee", unitPrice: 1 }]), record, state, p.config);
    expect(again.rejected?.code).toBe("refund_exceeds_sale");
  });

  it("a refund of a refund: refund_of_refund", () => {
    const first = refund("R-1", "S-1", [{ sku: "coffee", unitPrice: 500 }]);
    const plan = planRefund(
      refund("R-2", "R-1", [{ sku: "coffee", unitPrice: 500 }]),
      recordOf(first, null),
      member(),
      p.config,
    );
    expect(plan.rejected).toEqual({ code: "refund_of_refund", message: "R-1 is a refund; only sales can be refunded" });
  });
});

describe("planRefund: stamps", () => {
  // 3 stamps + 4 coffees completes the card (40 points) with 2 carried over; the sale earns 12 + 20 = 32.
  const saleLines: LineSpec[] = [
    { sku: "flat-white", unitPrice: 300, quantity: 4, tags: ["coffee"] },
    { sku: "burger", unitPrice: 2000 },
  ];
  const twoCoffees = { sku: "flat-white", unitPrice: 300, quantity: 2, lineNo: 0 };
  const withStamps = () => member({ stamps: new Map([["coffee", { stamps: 3, completed: 1, changed: false }]]) });

  it("refunded coffees take their stamps back; once the completion is undone its reward goes back too", () => {
    const cards = programme({ rules: [base], stampCards: [coffeeCard] });
    const { record, state } = sold(cards, "S-C", saleLines, withStamps());
    expect(state.stamps.get("coffee")).toEqual({ stamps: 2, completed: 2, changed: true });

    // 2 of 4 coffees: 2 stamps back, 2 - 2 = 0 on the card, the completion stands.
    const half = applied(planRefund(refund("R-1", "S-C", [twoCoffees]), record, state, cards.config));
    expect(half.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -6]]);
    expect(half.effects.stampsTaken).toEqual({ coffee: 2 });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 0, completed: 2, changed: true });

    // The other 2: 10 - 2 = 8 stamps ever, one completed card and 3 stamps; the S-C completion is undone.
    const rest = applied(planRefund(refund("R-2", "S-C", [twoCoffees]), record, state, cards.config));
    expect(rest.movements).toEqual([
      expect.objectContaining({ kind: "reverse", amount: -6 }),
      {
        tenantId: TENANT,
        customerId: CUSTOMER,
        unit: "points",
        transactionId: "tx_R-2",
        occurredAt: refundedAt,
        kind: "bonus",
        amount: -40,
        idempotencyKey: "stamp-undo:tx_R-2:coffee",
        sourceKey: "stamp:tx_S-C:coffee",
        reason: 'refund of S-C took back a completed "Coffee card"',
      },
    ]);
    expect(rest.effects.stampsTaken).toEqual({ coffee: 2 });
    expect(record.stampsTaken).toEqual({ coffee: 4 });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 3, completed: 1, changed: true });
  });

  it("with refunds.stampCards off the stamps and the card's reward stay", () => {
    const lenient = programme({ rules: [base], stampCards: [coffeeCard], refunds: { stampCards: false } });
    const { record, state } = sold(lenient, "S-C", saleLines, withStamps());
    const plan = applied(
      planRefund(
        refund("R-1", "S-C", [{ sku: "flat-white", unitPrice: 300, quantity: 4, lineNo: 0 }]),
        record,
        state,
        lenient.config,
      ),
    );
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -12]]);
    expect(plan.effects.stampsTaken).toEqual({});
    expect(record.stampsTaken).toEqual({});
    expect(state.stamps.get("coffee")).toEqual({ stamps: 2, completed: 2, changed: true });
  });
});

describe("planRefund: tiers", () => {
  // Silver with 480 points earned; the sale earns 20 + 10 = 30 (510: gold, reward 100).
  const saleLines: LineSpec[] = [
    { sku: "menu", unitPrice: 2000 },
    { sku: "dessert", unitPrice: 1000 },
  ];
  const silver = () => member({ tier: "silver", qualifying: 480 });

  it("gold stays while the points earned stay at 500; below, back to silver with the gold reward taken back", () => {
    const strict = programme({ rules: [base], tiers });
    const { record, state } = sold(strict, "S-UP", saleLines, silver());
    expect(state.tier).toBe("gold");

    const dessert = applied(
      planRefund(refund("R-1", "S-UP", [{ sku: "dessert", unitPrice: 1000, lineNo: 1 }]), record, state, strict.config),
    );
    expect(dessert.events).toEqual([]);
    expect(dessert.effects.tierRevoked).toBeNull();
    expect(state).toMatchObject({ tier: "gold", qualifying: 500 });

    const menu = applied(
      planRefund(refund("R-2", "S-UP", [{ sku: "menu", unitPrice: 2000, lineNo: 0 }]), record, state, strict.config),
    );
    expect(menu.movements).toEqual([
      expect.objectContaining({ kind: "reverse", amount: -20, sourceKey: "tx:tx_S-UP" }),
      {
        tenantId: TENANT,
        customerId: CUSTOMER,
        unit: "points",
        transactionId: "tx_R-2",
        occurredAt: refundedAt,
        kind: "bonus",
        amount: -100,
        idempotencyKey: "tier-undo:tx_R-2",
        sourceKey: `tier-reward:${CUSTOMER}:gold:tx_S-UP`,
        reason: "refund of S-UP took back tier gold",
      },
    ]);
    expect(menu.events).toEqual([
      {
        type: "tier.changed",
        id: `tier:${CUSTOMER}:refund:tx_R-2`,
        tenantId: TENANT,
        customerId: CUSTOMER,
        occurredAt: "2024-03-08T17:00:00.000Z",
        from: "gold",
        to: "silver",
        direction: "down",
        qualifyingValue: 480,
      },
    ]);
    expect(menu.effects.tierRevoked).toEqual({ from: "gold", to: "silver" });
    expect(record.tierRevoked).toBe(true);
    // Silver's own since comes back (unknown here, as before the sale): see refund-tier-since.test.ts.
    expect(state).toMatchObject({ tier: "silver", tierSince: null, tierChanged: true, qualifying: 480 });
  });

  it("a refund of a sale outside the window being counted takes nothing from it, nor the tier the new window holds", () => {
    const strict = programme({ rules: [base], tiers });
    const { record, state } = sold(strict, "S-OLD", saleLines, silver());
    expect(state.tier).toBe("gold");
    // The batch counts a later window (the new year, say), which the sale is not in; it earned 500 there.
    state.qualifyingWindow = { since: new Date(record.occurredAt.getTime() + 86_400_000), until: null };
    state.qualifying = 500;
    const plan = applied(planRefund(refund("R-OLD", "S-OLD", saleLines), record, state, strict.config));
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -30]]);
    expect(plan.effects.tierRevoked).toBeNull();
    expect(state).toMatchObject({ tier: "gold", qualifying: 500 });
  });

  it("with refunds.tierRewards off the upgrade and its reward stay, though the points earned go down", () => {
    const lenient = programme({ rules: [base], tiers, refunds: { tierRewards: false } });
    const { record, state } = sold(lenient, "S-UP", saleLines, silver());
    const plan = applied(planRefund(refund("R-1", "S-UP", saleLines), record, state, lenient.config));
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -30]]);
    expect(plan.events).toEqual([]);
    expect(plan.effects.tierRevoked).toBeNull();
    expect(record.tierRevoked).toBe(false);
    expect(state).toMatchObject({ tier: "gold", qualifying: 480 });
  });

  it("on order count, only refunding the whole order takes the order back (and the silver it reached)", () => {
    const orders = programme({ rules: [base], tiers: { ...tiers, basis: "orders" } });
    const { record, state } = sold(orders, "S-O", saleLines, member({ tier: "bronze", qualifying: 199 }));
    expect(state).toMatchObject({ tier: "silver", qualifying: 200 });

    const part = applied(
      planRefund(refund("R-1", "S-O", [{ sku: "menu", unitPrice: 2000, lineNo: 0 }]), record, state, orders.config),
    );
    expect(part.events).toEqual([]);
    expect(state).toMatchObject({ tier: "silver", qualifying: 200 });

    const whole = applied(
      planRefund(refund("R-2", "S-O", [{ sku: "dessert", unitPrice: 1000, lineNo: 1 }]), record, state, orders.config),
    );
    expect(whole.effects.tierRevoked).toEqual({ from: "silver", to: "bronze" });
    expect(whole.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["reverse", -10],
      ["bonus", -50],
    ]);
    expect(state).toMatchObject({ tier: "bronze", qualifying: 199 });
  });
});
