import { tierPeriodEnd, tierWindowStart } from "@regulars/rules";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LoyaltyState, planRefund, planSale, type SaleRecord, saleRecordOf } from "../src/index.ts";
import type { WindowTotal } from "../src/loyalty.ts";
import { base, CUSTOMER, member, programme, refundMessage, saleMessage, WARSAW } from "./fixtures.ts";

// Tiers on points earned per calendar year (Warsaw); no multiplier, so a sale earns the same whatever the tier and
// batching can only change what the tier is judged on. Gold pays 100 on reaching it.
const yearly = programme({
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
});

// A December and the January after it, both long past whenever this runs.
const year = new Date().getUTCFullYear() - 2;
const december = (day: number) => `${year}-12-${String(day).padStart(2, "0")}T12:00:00+01:00`;
const january = (day: number) => `${year + 1}-01-${String(day).padStart(2, "0")}T12:00:00+01:00`;

/** The window the store loads for a batch whose latest sale is `latest` (`loadLoyaltyStates`, calendar year). */
const windowOf = (latest: string): { since: Date; until: Date } => ({
  since: tierWindowStart("calendar_year", latest, WARSAW)!,
  until: tierPeriodEnd("calendar_year", latest, WARSAW)!,
});
const meal = (points: number) => [{ sku: "meal", unitPrice: points * 100 }];

describe("tier windows: a refund of a sale of a past period", () => {
  it("in January, of the December sale that reached gold, takes its points back but not gold nor its reward", () => {
    // December: 450 earned (silver); the sale of the 20th earns 100 (550: gold, +100).
    const dec = member({ tier: "silver", qualifying: 450, qualifyingWindow: windowOf(december(20)) });
    const sale = saleMessage("S-UP", meal(100), december(20));
    const sold = planSale(sale, dec, yearly);
    expect(dec.tier).toBe("gold");
    const record = saleRecordOf(sale, CUSTOMER, sold);

    // Refunded on 2 January: the batch counts the new year, where nothing has been earned yet.
    const jan = member({ tier: "gold", tierSince: new Date(december(20)), qualifyingWindow: windowOf(january(2)) });
    const plan = planRefund(refundMessage("R-1", "S-UP", meal(100), january(2)), record, jan, yearly.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    // December still holds 450 + (the rest of the year): judged at the new year's 0 it would drop to silver.
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -100]]);
    expect(plan.events).toEqual([]);
    expect(plan.effects.tierRevoked).toBeNull();
    expect(record.tierRevoked).toBe(false);
    expect(jan).toMatchObject({ tier: "gold", qualifying: 0, tierChanged: false });
  });
});

describe("tier windows: a batch holding sales of two periods", () => {
  it("28 December (300) and 3 January (250) in one batch reach silver, as in two batches: never 550 together", () => {
    const state = member({ qualifyingWindow: windowOf(january(3)) });
    const late = planSale(saleMessage("S-DEC", meal(300), december(28)), state, yearly);
    const now = planSale(saleMessage("S-JAN", meal(250), january(3)), state, yearly);
    expect([late.points, now.points]).toEqual([300, 250]);
    // The December sale counts in December's total, which the batch did not load: it upgrades nothing here.
    expect(late.effects.tier).toBeNull();
    expect(late.events).toEqual([]);
    expect(now.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(state).toMatchObject({ tier: "silver", qualifying: 250 });
  });

  it("with December's total loaded beside the new year's, the December sale is judged on December's", () => {
    // 450 stored in December; +100 on 28 December and +10 on 3 January uploaded together.
    const dec = windowOf(december(28));
    const state = member({
      tier: "silver",
      qualifying: 0,
      qualifyingWindow: windowOf(january(3)),
      windowsByTime: new Map([[Date.parse(december(28)), { ...dec, qualifying: 450 }]]),
    });
    const late = planSale(saleMessage("S-DEC", meal(100), december(28)), state, yearly);
    const now = planSale(saleMessage("S-JAN", meal(10), january(3)), state, yearly);
    expect(late.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 100],
      ["bonus", 100],
    ]);
    expect(now.movements.map((m) => [m.kind, m.amount])).toEqual([["earn", 10]]);
    expect(state).toMatchObject({ tier: "gold", qualifying: 10 });
    expect(state.windowsByTime!.get(Date.parse(december(28)))!.qualifying).toBe(550);
  });
});

/** A sale, or (`refunds`: the index of an earlier sale in the list) a refund of all of that sale. */
type Op = { at: string; points: number; refunds?: number };
type Window = { since: Date; until: Date | null };
const keyOf = (w: Window) => `${w.since.getTime()}/${w.until?.getTime() ?? ""}`;
const within = (w: Window, at: Date) => at >= w.since && (w.until === null || at < w.until);

/**
 * Sales and refunds in arrival order applied in the given batches. Each batch loads what the store holds, as
 * `loadLoyaltyStates` does: the window of the customer's latest transaction in `qualifying`, and the window of every
 * transaction whose own is another in `windowsByTime`. A refund's reversal counts where its sale counts.
 */
function applyInBatches(
  prog: typeof yearly,
  windowAt: (at: string) => Window,
  stored: { at: Date; points: number }[],
  list: Op[],
  batches: Op[][],
) {
  const loaded = (w: Window) => stored.filter((s) => within(w, s.at)).reduce((sum, s) => sum + s.points, 0);
  const records = new Map<number, SaleRecord>();
  let standing: Pick<LoyaltyState, "tier" | "tierSince" | "tierByFloor"> = {
    tier: null,
    tierSince: null,
    tierByFloor: false,
  };
  const moves: string[] = [];
  let kept: { window: Window; qualifying: number }[] = [];
  for (const batch of batches) {
    const latest = batch.map((s) => s.at).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
    const window = windowAt(latest);
    const others = new Map<string, WindowTotal>();
    const windowsByTime = new Map<number, WindowTotal>();
    for (const s of batch) {
      const own = windowAt(s.at);
      if (keyOf(own) === keyOf(window)) continue;
      if (!others.has(keyOf(own))) others.set(keyOf(own), { ...own, qualifying: loaded(own) });
      windowsByTime.set(Date.parse(s.at), others.get(keyOf(own))!);
    }
    const state = member({
      ...standing,
      qualifying: loaded(window),
      qualifyingWindow: window,
      ...(windowsByTime.size ? { windowsByTime } : {}),
    });
    for (const op of batch) {
      const k = list.indexOf(op);
      if (op.refunds === undefined) {
        const sale = saleMessage(`S-${k}`, meal(op.points), op.at);
        const plan = planSale(sale, state, prog);
        records.set(k, saleRecordOf(sale, CUSTOMER, plan));
        stored.push({ at: new Date(op.at), points: plan.points });
        moves.push(...plan.movements.map((m) => `${m.kind} ${m.amount}`));
      } else {
        const sale = records.get(op.refunds)!;
        const refund = refundMessage(`R-${k}`, `S-${op.refunds}`, meal(op.points), op.at);
        const plan = planRefund(refund, sale, state, prog.config);
        if (plan.rejected) throw new Error(plan.rejected.message);
        stored.push({ at: sale.occurredAt, points: plan.points });
        moves.push(...plan.movements.map((m) => `${m.kind} ${m.amount}`));
      }
    }
    standing = { tier: state.tier, tierSince: state.tierSince, tierByFloor: state.tierByFloor };
    kept = [
      { window, qualifying: state.qualifying },
      ...[...others.values()].map((w) => ({ window: w, qualifying: w.qualifying })),
    ];
  }
  // What the last batch kept in memory for each window is what the store reads back for it.
  return { tier: standing.tier, moves, reread: kept.every((k) => k.qualifying === loaded(k.window)) };
}

/** Every way to cut `list` into consecutive batches (2^(n-1) of them), the first being one batch. */
function splits<T>(list: T[]): T[][][] {
  const all: T[][][] = [];
  for (let cuts = 0; cuts < 2 ** (list.length - 1); cuts++) {
    const batches: T[][] = [[list[0]!]];
    list.slice(1).forEach((item, k) => {
      if (cuts & (1 << k)) batches.push([item]);
      else batches[batches.length - 1]!.push(item);
    });
    all.push(batches);
  }
  return all;
}

/** One batch ends as every split of it, and as one batch per sale (stream order, the SPEC's reference). */
function equalsEverySplit(prog: typeof yearly, windowAt: (at: string) => Window) {
  return (before: Op[], list: Op[]) => {
    const fromStore = () => before.map((s) => ({ at: new Date(s.at), points: s.points }));
    const reference = applyInBatches(
      prog,
      windowAt,
      fromStore(),
      list,
      list.map((s) => [s]),
    );
    for (const batches of splits(list)) {
      const result = applyInBatches(prog, windowAt, fromStore(), list, batches);
      expect({ tier: result.tier, moves: result.moves }).toEqual({ tier: reference.tier, moves: reference.moves });
      expect(result.reread).toBe(true);
    }
  };
}

describe("tier windows: one batch ends as every split of it", () => {
  const points = fc.integer({ min: 1, max: 400 });
  const aroundNewYear = fc.oneof(
    fc.integer({ min: 1, max: 31 }).map(december),
    fc.integer({ min: 1, max: 31 }).map(january),
  );
  const yearEnd = (at: fc.Arbitrary<string>, max: number) =>
    fc.array(fc.record({ at, points }), { minLength: 1, maxLength: max });
  /** Sales, and refunds of earlier sales (each refunded once, all of it, no earlier than it was made). */
  const withRefunds = (at: fc.Arbitrary<string>, max: number) =>
    fc
      .array(fc.record({ at, points, refund: fc.option(fc.nat(), { freq: 3 }) }), { minLength: 1, maxLength: max })
      .map((ops) => {
        const list: Op[] = [];
        const open: number[] = [];
        for (const { at, points, refund } of ops) {
          if (refund === null || !open.length) {
            open.push(list.length);
            list.push({ at, points });
            continue;
          }
          const of = open.splice(refund % open.length, 1)[0]!;
          const sale = list[of]!;
          list.push({ at: Date.parse(at) < Date.parse(sale.at) ? sale.at : at, points: sale.points, refunds: of });
        }
        return list;
      });

  it("calendar year: sales of a December and the January after, some of December's stored already", () => {
    fc.assert(fc.property(yearEnd(aroundNewYear, 3), yearEnd(aroundNewYear, 7), equalsEverySplit(yearly, windowOf)), {
      numRuns: 150,
    });
  });

  it("calendar year: sales and refunds of a December and the January after", () => {
    fc.assert(
      fc.property(yearEnd(aroundNewYear, 3), withRefunds(aroundNewYear, 7), equalsEverySplit(yearly, windowOf)),
      { numRuns: 150 },
    );
  });

  // Rolling 12 months: each sale's window starts 12 months before it, so sales over 15 months fall in many.
  const rolling = programme({ rules: [base], tiers: { ...yearly.config.tiers, window: "rolling_12_months" } });
  const start = Date.parse(`${year - 1}-01-01T12:00:00Z`);
  const overFifteenMonths = fc
    .integer({ min: 0, max: 450 * 24 })
    .map((hours) => new Date(start + hours * 3_600_000).toISOString());
  const rollingWindow = (at: string): Window => ({
    since: tierWindowStart("rolling_12_months", at, WARSAW)!,
    until: null,
  });

  it("rolling 12 months: sales and refunds over fifteen months, some sales stored already", () => {
    fc.assert(
      fc.property(
        yearEnd(overFifteenMonths, 3),
        withRefunds(overFifteenMonths, 7),
        equalsEverySplit(rolling, rollingWindow),
      ),
      { numRuns: 150 },
    );
  });
});
