import { tierWindowStart } from "@regulars/rules";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LoyaltyState, planRefund, planSale, type SaleRecord, saleRecordOf } from "../src/index.ts";
import type { WindowTotal } from "../src/loyalty.ts";
import { base, CUSTOMER, member, programme, refundMessage, saleMessage, WARSAW } from "./fixtures.ts";
import { december, january, meal, windowOf, year, yearly } from "./tier-periods-fixtures.ts";

// Sales and refunds around tier-period boundaries: however a stream is cut into batches, it ends the same.

/** A sale, or (`refunds`: the index of an earlier sale in the list) a refund of all of that sale. */
type Op = { at: string; points: number; refunds?: number };
type Window = { since: Date; until: Date | null };
const keyOf = (w: Window) => `${w.since.getTime()}/${w.until?.getTime() ?? ""}`;
const within = (w: Window, at: Date) => at >= w.since && (w.until === null || at < w.until);

/**
 * Sales and refunds in arrival order applied in the given batches. Each batch loads what the store holds, as
 * `loadLoyaltyStates` does: the window of the customer's latest transaction in `qualifying`, and the window of every
 * transaction (and of every refund's sale) whose own is another in `windowsByTime`, and the tier upgrades no refund
 * took back (`upgrades`). A refund's reversal counts where its sale counts.
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
  let standing: Pick<LoyaltyState, "tier" | "tierSince" | "tierByFloor" | "upgrades"> = {
    tier: null,
    tierSince: null,
    tierByFloor: false,
    upgrades: [],
  };
  const moves: string[] = [];
  let kept: { window: Window; qualifying: number }[] = [];
  for (const batch of batches) {
    const latest = batch.map((s) => s.at).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
    const window = windowAt(latest);
    const others = new Map<string, WindowTotal>();
    const windowsByTime = new Map<number, WindowTotal>();
    // A refund of a sale outside its own window adds the sale's time: it is judged on that window's total
    // (`loadStates`).
    const pastSale = (s: Op) => {
      const sale = s.refunds === undefined ? undefined : list[s.refunds]!.at;
      return sale && !within(windowAt(s.at), new Date(sale)) ? [sale] : [];
    };
    const times = batch.flatMap((s) => [s.at, ...pastSale(s)]);
    for (const at of times) {
      const own = windowAt(at);
      if (keyOf(own) === keyOf(window)) continue;
      if (!others.has(keyOf(own))) others.set(keyOf(own), { ...own, qualifying: loaded(own) });
      windowsByTime.set(Date.parse(at), others.get(keyOf(own))!);
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
    standing = {
      tier: state.tier,
      tierSince: state.tierSince,
      tierByFloor: state.tierByFloor,
      upgrades: [...(state.upgrades ?? [])],
    };
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

/**
 * One batch ends as every split of it, and as one batch per sale (stream order, the SPEC's reference). `prior` sales
 * are applied first, one batch each, and `list`'s refunds may refund them (indices count `prior` first): their sales
 * are never in the refund's batch.
 */
function equalsEverySplit(prog: typeof yearly, windowAt: (at: string) => Window) {
  return (before: Op[], { prior, list }: { prior: Op[]; list: Op[] }) => {
    const fromStore = () => before.map((s) => ({ at: new Date(s.at), points: s.points }));
    const all = [...prior, ...list];
    const reference = applyInBatches(
      prog,
      windowAt,
      fromStore(),
      all,
      all.map((s) => [s]),
    );
    for (const batches of splits(list)) {
      const result = applyInBatches(prog, windowAt, fromStore(), all, [...prior.map((s) => [s]), ...batches]);
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
  /**
   * Sales, and refunds of earlier sales (each refunded once, all of it, no earlier than it was made), `prior`'s among
   * them (their indices first, as `equalsEverySplit` counts them).
   */
  const withRefunds = (at: fc.Arbitrary<string>, max: number, prior: Op[] = []) =>
    fc
      .array(fc.record({ at, points, refund: fc.option(fc.nat(), { freq: 3 }) }), { minLength: 1, maxLength: max })
      .map((ops) => {
        const list: Op[] = [];
        const open: number[] = prior.map((_, k) => k);
        const opAt = (k: number) => (k < prior.length ? prior[k]! : list[k - prior.length]!);
        for (const { at, points, refund } of ops) {
          if (refund === null || !open.length) {
            open.push(prior.length + list.length);
            list.push({ at, points });
            continue;
          }
          const of = open.splice(refund % open.length, 1)[0]!;
          const sale = opAt(of);
          list.push({ at: Date.parse(at) < Date.parse(sale.at) ? sale.at : at, points: sale.points, refunds: of });
        }
        return { prior, list };
      });
  /** Sales of `priorAt` applied first, each in a batch of its own, then `withRefunds`, which may refund them. */
  const afterPrior = (priorAt: fc.Arbitrary<string>, at: fc.Arbitrary<string>, max: number) =>
    fc
      .array(fc.record({ at: priorAt, points }), { minLength: 1, maxLength: 3 })
      .chain((prior) => withRefunds(at, max, prior));
  const noPrior = (list: fc.Arbitrary<Op[]>) => list.map((l) => ({ prior: [] as Op[], list: l }));

  it("calendar year: sales of a December and the January after, some of December's stored already", () => {
    fc.assert(
      fc.property(yearEnd(aroundNewYear, 3), noPrior(yearEnd(aroundNewYear, 7)), equalsEverySplit(yearly, windowOf)),
      { numRuns: 150 },
    );
  });

  it("calendar year: sales and refunds of a December and the January after", () => {
    fc.assert(
      fc.property(yearEnd(aroundNewYear, 3), withRefunds(aroundNewYear, 7), equalsEverySplit(yearly, windowOf)),
      { numRuns: 150 },
    );
  });

  it("calendar year: refunds in a batch of December sales applied in earlier batches, gold among them", () => {
    const inDecember = fc.integer({ min: 1, max: 31 }).map(december);
    fc.assert(
      fc.property(yearEnd(inDecember, 3), afterPrior(inDecember, aroundNewYear, 6), equalsEverySplit(yearly, windowOf)),
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

  it("rolling 12 months: refunds in a batch of sales applied in earlier batches, over fifteen months", () => {
    fc.assert(
      fc.property(
        yearEnd(overFifteenMonths, 3),
        afterPrior(overFifteenMonths, overFifteenMonths, 6),
        equalsEverySplit(rolling, rollingWindow),
      ),
      { numRuns: 150 },
    );
  });
});
