import type { ProgrammeConfig, TierProgramme } from "@regulars/contracts";
import type { SaleUpgrade } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { type LoyaltyState, planRefund, planSale, saleRecordOf } from "../src/index.ts";
import { base, CUSTOMER, type LineSpec, member, programme, refundMessage, saleMessage } from "./fixtures.ts";
import { meal, windowOf, year, yearly } from "./tier-periods-fixtures.ts";

// Gold kept on 1 January of `year + 1` on the points of `year` (judged by the year-end run), held since the year
// before: a refund on 2 January of a sale of `year` lowers the year the run judged, and is judged on it in turn.
const at = (y: number, monthDay: string) => `${y}-${monthDay}T12:00:00+01:00`;
const heldSince = new Date(at(year - 1, "06-10"));
const refundAt = at(year + 1, "01-02");
const judgedYear = windowOf(at(year, "06-10"));

/** The sale of `points` made at `soldAt` by a gold member (no upgrade: gold is held), and its record. */
function saleByGold(id: string, points: number, soldAt: string) {
  const sale = saleMessage(id, meal(points), soldAt);
  const sold = planSale(
    sale,
    member({ tier: "gold", tierSince: heldSince, qualifyingWindow: windowOf(soldAt) }),
    yearly,
  );
  expect(sold.effects.tier).toBeNull();
  return saleRecordOf(sale, CUSTOMER, sold);
}

/** The state a refund on 2 January loads: the new year's total, and that of the sale's year under the sale's time. */
const onJanuary2 = (saleAt: string, saleYearTotal: number, more: Partial<LoyaltyState> = {}) =>
  member({
    tier: "gold",
    tierSince: heldSince,
    qualifying: 0,
    qualifyingWindow: windowOf(refundAt),
    windowsByTime: new Map([[Date.parse(saleAt), { ...windowOf(saleAt), qualifying: saleYearTotal }]]),
    upgrades: [],
    ...more,
  });

/** The whole sale `id` of `points` made at `soldAt` by the gold member, refunded on 2 January with `state` loaded. */
function refundWhole(id: string, points: number, soldAt: string, state: LoyaltyState) {
  const record = saleByGold(id, points, soldAt);
  const plan = planRefund(refundMessage(`R-${id}`, id, meal(points), refundAt), record, state, yearly.config);
  if (plan.rejected) throw new Error(plan.rejected.message);
  return plan;
}

describe("a refund of a sale of the year the last year-end run judged, of a tier no upgrade of that year explains", () => {
  const december20 = at(year, "12-20");

  it("falls to the level the year left earns, announced once under the refund's id, and takes back no reward", () => {
    const state = onJanuary2(december20, 550);
    const plan = refundWhole("S-DEC", 100, december20, state);
    expect(plan.events).toEqual([
      expect.objectContaining({
        id: `tier:${CUSTOMER}:refund:tx_R-S-DEC`,
        from: "gold",
        to: "silver",
        direction: "down",
        qualifyingValue: 450,
      }),
    ]);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -100]]);
    expect(plan.effects.tierRevoked).toBeNull();
    expect(state).toMatchObject({
      tier: "silver",
      tierSince: new Date(refundAt),
      tierByFloor: false,
      tierChanged: true,
    });
  });

  it("keeps the tier while the year still qualifies, or the new year already earns it", () => {
    const stillGold = onJanuary2(december20, 650);
    expect(refundWhole("S-DEC", 100, december20, stillGold).events).toEqual([]);
    const requalified = onJanuary2(december20, 550, { qualifying: 520 });
    expect(refundWhole("S-DEC", 100, december20, requalified).events).toEqual([]);
    expect([stillGold.tier, requalified.tier, requalified.tierChanged]).toEqual(["gold", "gold", false]);
  });

  it("lands where a floor in force holds it: not below the floor's level, and kept as the floor's", () => {
    const until = new Date(at(year + 1, "06-01"));
    const atFloor = onJanuary2(december20, 550, { tierFloor: { tier: "gold", until } });
    expect(refundWhole("S-DEC", 100, december20, atFloor).events).toEqual([]);
    expect(atFloor).toMatchObject({ tier: "gold", tierChanged: false });
    const silverFloor = onJanuary2(december20, 550, { tierFloor: { tier: "silver", until } });
    const plan = refundWhole("S-DEC", 400, december20, silverFloor); // 150 left: bronze, the floor's silver
    expect(plan.events).toMatchObject([{ from: "gold", to: "silver" }]);
    expect(silverFloor).toMatchObject({ tier: "silver", tierByFloor: true });
  });

  it("leaves alone a tier kept on a later year than the sale's, even where that year's total was not loaded", () => {
    const older = at(year - 1, "11-20");
    const state = onJanuary2(older, 100);
    expect(refundWhole("S-OLD", 100, older, state).events).toEqual([]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
  });

  it("judges the tier the upgrades taken back leave too: one announcement, to the level the year earns", () => {
    // Silver held from the year before, gold reached on 10 December by another sale, then June's 400 refunded: the
    // year keeps 150, so the run would have found bronze, not the silver held before the upgrade.
    const june = at(year, "06-10");
    const gold: SaleUpgrade = {
      saleId: "tx_S-UP",
      at: new Date(at(year, "12-10")),
      upgrade: {
        from: "silver",
        fromSince: heldSince.toISOString(),
        fromByFloor: false,
        to: "gold",
        rewardPoints: 100,
        rewardKey: "tier-reward:up",
      },
    };
    const state = onJanuary2(june, 550, { tierSince: gold.at, upgrades: [gold] });
    const plan = refundWhole("S-JUNE", 400, june, state);
    expect(plan.events).toMatchObject([{ from: "gold", to: "bronze", qualifyingValue: 150 }]);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["reverse", -400],
      ["bonus", -100],
    ]);
    expect(plan.effects.tierRevoked).toEqual({ from: "gold", to: "bronze", sales: ["tx_S-UP"] });
    expect(state).toMatchObject({ tier: "bronze", tierSince: new Date(refundAt), tierChanged: true });
  });

  it("leaves a refund inside the year to the year-end run: a tier held from the year before stays till then", () => {
    const inYear = member({ tier: "gold", tierSince: heldSince, qualifying: 550, qualifyingWindow: judgedYear });
    const record = saleByGold("S-DEC", 100, december20);
    const plan = planRefund(
      refundMessage("R-DEC", "S-DEC", meal(100), at(year, "12-21")),
      record,
      inYear,
      yearly.config,
    );
    if (plan.rejected) throw new Error(plan.rejected.message);
    expect(plan.events).toEqual([]);
    expect(inYear).toMatchObject({ tier: "gold", tierChanged: false });
  });
});

// A version of the programme that took effect after the year-end run (in force at the refund) did not judge the
// closed year: the run did, with the tiers in force on 1 January.
const yearEndRun = windowOf(refundAt).since;
const goldAt = (gold: number, basis = "points_earned") =>
  programme({
    rules: [base],
    tiers: {
      ...yearly.config.tiers,
      basis,
      levels: yearly.config.tiers!.levels.map((l) => (l.id === "gold" ? { ...l, threshold: gold } : l)),
    },
  }).config;

/**
 * `refundLines` of the gold member's sale `sold` refunded on 2 January under `now`, the version in force then, with
 * `atRun` the tiers the year-end run judged with (none: no version known, as without `tiersAt`).
 */
function refundUnder(
  now: ProgrammeConfig,
  atRun: TierProgramme | undefined,
  state: LoyaltyState,
  sold: { id: string; lines: LineSpec[]; at: string },
  refundLines: LineSpec[] = sold.lines,
) {
  const tiersAt = atRun && ((at: Date) => (at.getTime() <= yearEndRun.getTime() ? atRun : now.tiers));
  const sale = saleMessage(sold.id, sold.lines, sold.at);
  const record = saleRecordOf(sale, CUSTOMER, planSale(sale, member({ tier: "gold", tierSince: heldSince }), yearly));
  const refund = refundMessage(`R-${sold.id}`, sold.id, refundLines, refundAt);
  const plan = planRefund(refund, record, state, now, undefined, tiersAt);
  if (plan.rejected) throw new Error(plan.rejected.message);
  return plan;
}

describe("a refund of a sale of the year the year-end run judged, under a version of the programme made since", () => {
  const december20 = at(year, "12-20");
  const sold = (points: number) => ({ id: "S-DEC", lines: meal(points), at: december20 });
  const goldAtRun = yearly.config.tiers!; // 500

  it("keeps gold the run gave on 720 at 500 though gold is 800 now: a raised threshold waits for the year's end", () => {
    const state = onJanuary2(december20, 720);
    const plan = refundUnder(goldAt(800), goldAtRun, state, sold(10));
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -10]]);
    expect(plan.events).toEqual([]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
  });

  it("judges nothing again when the refund reverses no points, whatever the thresholds now", () => {
    const state = onJanuary2(december20, 720);
    const withSauce = { ...sold(10), lines: [...meal(10), { sku: "sauce", unitPrice: 40 }] }; // 0.40 earns nothing
    const plan = refundUnder(goldAt(800), undefined, state, withSauce, [{ sku: "sauce", unitPrice: 40, lineNo: 1 }]);
    expect(plan.movements).toEqual([]);
    expect(plan.events).toEqual([]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
  });

  it("keeps gold on 450 where a version lowered it to 400 since the run: the lower of the two thresholds", () => {
    const state = onJanuary2(december20, 550);
    expect(refundUnder(goldAt(400), goldAtRun, state, sold(100)).events).toEqual([]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
  });

  it("still lowers a tier the year earns under neither version", () => {
    const state = onJanuary2(december20, 550);
    const plan = refundUnder(goldAt(800), goldAtRun, state, sold(100));
    expect(plan.events).toMatchObject([{ from: "gold", to: "silver", qualifyingValue: 450 }]);
  });

  it("leaves a year the run judged on another basis alone: its value says nothing against today's thresholds", () => {
    const state = onJanuary2(december20, 550);
    expect(refundUnder(yearly.config, goldAt(500, "spend").tiers, state, sold(100)).events).toEqual([]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
  });
});
