import { tierPeriodEnd, tierWindowStart } from "@regulars/rules";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRefund, planSale, saleRecordOf } from "../src/index.ts";
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
const rank = (tier: string | null) => ["bronze", "silver", "gold"].indexOf(tier ?? "") + 1;

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

  /**
   * Sales of a December and the January after, in arrival order, applied as one batch or split in two; each batch
   * loads the window of its latest sale with what the store holds in it (as `loadLoyaltyStates` does).
   */
  const sales = fc.array(
    fc.record({
      at: fc.oneof(fc.integer({ min: 1, max: 31 }).map(december), fc.integer({ min: 1, max: 31 }).map(january)),
      points: fc.integer({ min: 1, max: 400 }),
    }),
    { minLength: 1, maxLength: 8 },
  );
  function applyInBatches(list: { at: string; points: number }[], batches: { at: string; points: number }[][]) {
    const stored: { at: Date; points: number }[] = [];
    const loaded = (window: { since: Date; until: Date }) =>
      stored.filter((s) => s.at >= window.since && s.at < window.until).reduce((sum, s) => sum + s.points, 0);
    let tier: string | null = null;
    let last = member();
    let window = windowOf(list[0]!.at);
    for (const batch of batches) {
      window = windowOf(batch.map((s) => s.at).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)));
      last = member({ tier, qualifying: loaded(window), qualifyingWindow: window });
      for (const s of batch) {
        const plan = planSale(saleMessage(`S-${list.indexOf(s)}`, meal(s.points), s.at), last, yearly);
        stored.push({ at: new Date(s.at), points: plan.points });
      }
      tier = last.tier;
    }
    const reloaded = loaded(window);
    return { tier, qualifying: last.qualifying, reloaded };
  }

  it("batching never raises the tier; in one window it changes nothing; the total kept is the one the store reloads", () => {
    fc.assert(
      fc.property(sales, fc.nat(), (list, cut) => {
        const split = 1 + (cut % Math.max(1, list.length - 1));
        const whole = applyInBatches(list, [list]);
        const parts = list.length > 1 ? applyInBatches(list, [list.slice(0, split), list.slice(split)]) : whole;
        // What a batch keeps in memory is what the next batch reads back for that window.
        expect(whole.qualifying).toBe(whole.reloaded);
        expect(parts.qualifying).toBe(parts.reloaded);
        // One batch judges each sale on a total no larger than a split judges it on (a December sale there is
        // judged on December's own total, which one batch reaching into January did not load).
        expect(rank(whole.tier)).toBeLessThanOrEqual(rank(parts.tier));
        const years = new Set(list.map((s) => s.at.slice(0, 4)));
        if (years.size === 1) expect(whole.tier).toBe(parts.tier);
      }),
      { numRuns: 150 },
    );
  });
});
