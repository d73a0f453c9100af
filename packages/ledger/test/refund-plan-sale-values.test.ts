import { describe, expect, it } from "vitest";
import { planRefund, planSale, type RefundPlan } from "../src/index.ts";
import { base, coffeeCard, member, programme, recordOf, refundMessage, saleMessage } from "./fixtures.ts";

/**
 * A refund takes back what its sale counted and paid, as the store judges it, not what the programme or the batch's
 * own arithmetic would say at the refund: spend as posted, an order paid without money, a stamp card's reward.
 */

type Planned = Exclude<RefundPlan, { rejected: object }>;
const applied = (plan: RefundPlan): Planned => {
  if (plan.rejected) throw new Error(`expected the refund to apply, got ${plan.rejected.code}`);
  return plan;
};
const moved = (plan: Planned) => plan.movements.map((m) => [m.kind, m.amount, m.idempotencyKey]);

describe("planRefund: spend counts the totals as posted, on both sides", () => {
  const onSpend = programme({
    rules: [base],
    tiers: {
      basis: "spend",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 5000, benefits: { rewardPoints: 50 } },
      ],
    },
  });

  it("a hold sale posted at list price upgrades on its posted total, as the tier job would", () => {
    const state = member({ tier: "bronze", qualifying: 1000 });
    const posted = saleMessage("S-H", [{ sku: "feast", unitPrice: 4000 }]);
    const paid = saleMessage("S-H", [{ sku: "feast", unitPrice: 4000, discount: 2500 }]);
    const plan = planSale(paid, state, onSpend, posted.transaction.total);
    expect(state).toMatchObject({ tier: "silver", qualifying: 5000 });
    expect(plan.events).toMatchObject([{ type: "tier.changed", to: "silver", qualifyingValue: 5000 }]);
  });

  it("a hold sale posted at list price and refunded in full leaves the spend of the customer's other sales", () => {
    // The customer's upgrades loaded, as for a batch that refunds: S-0's silver is one a refund could take back.
    const state = member({ upgrades: [] });
    planSale(saleMessage("S-0", [{ sku: "meal", unitPrice: 6000 }]), state, onSpend);
    expect(state).toMatchObject({ tier: "silver", qualifying: 6000 });
    // Posted at list price (10000); the hold paid 5000 of it in points, so 5000 is left to pay (`paidAfterCheckout`).
    const posted = saleMessage("S-1", [{ sku: "feast", unitPrice: 10_000 }]);
    const paid = saleMessage("S-1", [{ sku: "feast", unitPrice: 10_000, discount: 5000 }]);
    const plan = planSale(paid, state, onSpend, posted.transaction.total);
    expect(plan.points).toBe(50); // earned on what was paid
    expect(state.qualifying).toBe(16_000); // counted as posted, as the store and the tier job count it
    const record = recordOf(posted, plan);

    const refund = applied(
      planRefund(
        refundMessage("R-1", "S-1", [{ sku: "feast", unitPrice: 10_000, lineNo: 0 }]),
        record,
        state,
        onSpend.config,
      ),
    );
    expect(refund.events).toEqual([]);
    expect(moved(refund)).toEqual([["reverse", -50, "tx:tx_R-1"]]);
    expect(refund.effects.tierRevoked).toBeNull();
    expect(state).toMatchObject({ tier: "silver", qualifying: 6000 });
  });

  it("a refund lowers spend by no more than is left of what its sale counted", () => {
    const state = member({ tier: "silver", qualifying: 9000 });
    const posted = saleMessage("S-2", [{ sku: "feast", unitPrice: 3000 }]);
    const record = recordOf(posted, planSale(posted, state, onSpend));
    expect(state.qualifying).toBe(12_000);
    // Refunds stored before they recorded the lines they took, whose lines no longer match (`legacyAllocation`):
    // their money counts in the record's total, not line by line.
    record.refundedTotal = 2000;
    applied(
      planRefund(
        refundMessage("R-2", "S-2", [{ sku: "feast", unitPrice: 3000, lineNo: 0 }]),
        { ...record, refundedPerLine: [0] },
        state,
        onSpend.config,
      ),
    );
    expect(state.qualifying).toBe(11_000);
  });
});

describe("planRefund: an order paid without money is void once its refunds named every line", () => {
  const onOrders = programme({
    rules: [base],
    tiers: {
      basis: "orders",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 2, benefits: { rewardPoints: 50 } },
      ],
    },
  });
  const free = [
    { sku: "meal", unitPrice: 1000, discount: 1000 },
    { sku: "tea", unitPrice: 300, discount: 300 },
  ];

  it("naming one line keeps the order; naming the last takes it back with the silver it reached", () => {
    const state = member({ tier: "bronze", qualifying: 1 });
    const sale = saleMessage("S-Z", free);
    expect(sale.transaction.total).toBe(0);
    const plan = planSale(sale, state, onOrders);
    expect(state).toMatchObject({ tier: "silver", qualifying: 2 });
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["bonus", 50]]);
    const record = recordOf(sale, plan);

    const first = applied(
      planRefund(
        refundMessage("R-Z1", "S-Z", [{ sku: "meal", unitPrice: 1000, discount: 1000, lineNo: 0 }]),
        record,
        state,
        onOrders.config,
      ),
    );
    expect(first.events).toEqual([]);
    expect(state).toMatchObject({ tier: "silver", qualifying: 2 });
    expect(record.linesNamed).toEqual([0]);

    const last = applied(
      planRefund(
        refundMessage("R-Z2", "S-Z", [{ sku: "tea", unitPrice: 300, discount: 300 }]),
        record,
        state,
        onOrders.config,
      ),
    );
    expect(last.refundsLineNo).toEqual([1]);
    expect(last.effects.tierRevoked).toEqual({ from: "silver", to: "bronze" });
    expect(moved(last)).toEqual([["bonus", -50, "tier-undo:tx_R-Z2"]]);
    expect(state).toMatchObject({ tier: "bronze", qualifying: 1 });

    // Named again by a third refund: the order went already, it is not taken twice.
    applied(
      planRefund(
        refundMessage("R-Z3", "S-Z", [{ sku: "tea", unitPrice: 300, discount: 300, lineNo: 1 }]),
        record,
        state,
        onOrders.config,
      ),
    );
    expect(state.qualifying).toBe(1);
  });

  it("lines named by refunds read from the store count with this one's", () => {
    const state = member({ tier: "bronze", qualifying: 1 });
    const sale = saleMessage("S-Y", free);
    const record = { ...recordOf(sale, planSale(sale, state, onOrders)), refundCount: 1, linesNamed: [1] };
    expect(state).toMatchObject({ tier: "silver", qualifying: 2 });
    applied(
      planRefund(
        refundMessage("R-Y", "S-Y", [{ sku: "meal", unitPrice: 1000, discount: 1000, lineNo: 0 }]),
        record,
        state,
        onOrders.config,
      ),
    );
    expect(state).toMatchObject({ tier: "bronze", qualifying: 1 });
  });
});

describe("planRefund: a stamp card's completion goes back at what the sale's programme paid", () => {
  const latte = [{ sku: "latte", unitPrice: 1500, tags: ["coffee"] }];
  const cardsAt = (card: Record<string, unknown> | null) =>
    programme({ rules: [base], stampCards: card ? [card] : [] });
  /** 4 of 5 stamps; the latte completes the card, which pays 40 under the sale's programme. */
  const completed = () => {
    const state = member({ stamps: new Map([["coffee", { stamps: 4, completed: 0, changed: false }]]) });
    const sale = saleMessage("S-L", latte);
    const plan = planSale(sale, state, cardsAt(coffeeCard));
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 15],
      ["bonus", 40],
    ]);
    expect(plan.effects.stamps.coffee).toMatchObject({ stampsRequired: 5, rewardPoints: 40 });
    return { state, record: recordOf(sale, plan) };
  };
  const refundLatte = () => refundMessage("R-L", "S-L", [{ sku: "latte", unitPrice: 1500, lineNo: 0 }]);

  it("takes back 40 and the card's own 5 stamps after the programme raised the reward and the card's size", () => {
    const { state, record } = completed();
    const raised = cardsAt({ ...coffeeCard, stampsRequired: 8, rewardPoints: 100 });
    const plan = applied(planRefund(refundLatte(), record, state, raised.config));
    expect(moved(plan)).toEqual([
      ["reverse", -15, "tx:tx_R-L"],
      ["bonus", -40, "stamp-undo:tx_R-L:coffee"],
    ]);
    expect(plan.movements[1]).toMatchObject({ sourceKey: "stamp:tx_S-L:coffee" });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 4, completed: 0, changed: true });
  });

  it("takes back the stamps and reward of a card removed from the programme since", () => {
    const { state, record } = completed();
    const plan = applied(planRefund(refundLatte(), record, state, cardsAt(null).config));
    expect(moved(plan)).toEqual([
      ["reverse", -15, "tx:tx_R-L"],
      ["bonus", -40, "stamp-undo:tx_R-L:coffee"],
    ]);
    expect(plan.effects.stampsTaken).toEqual({ coffee: 1 });
    expect(state.stamps.get("coffee")).toEqual({ stamps: 4, completed: 0, changed: true });
  });

  it("a sale stored before its card was recorded is judged by the card in force, and skipped without one", () => {
    const { state, record } = completed();
    const { added, perLine } = record.effects.stamps.coffee!;
    const unrecorded = { ...record, effects: { ...record.effects, stamps: { coffee: { added, perLine } } } };
    const raised = cardsAt({ ...coffeeCard, rewardPoints: 100 });
    const plan = applied(planRefund(refundLatte(), { ...unrecorded }, state, raised.config));
    expect(moved(plan)).toContainEqual(["bonus", -100, "stamp-undo:tx_R-L:coffee"]);

    const again = completed();
    const removed = applied(
      planRefund(refundLatte(), { ...again.record, effects: unrecorded.effects }, again.state, cardsAt(null).config),
    );
    expect(removed.effects.stampsTaken).toEqual({});
  });
});
