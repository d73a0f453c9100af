import { describe, expect, it } from "vitest";
import {
  type LoyaltyState,
  planRefund,
  planSale,
  type QualifyingMove,
  type TierGapState,
  tierGapChanges,
} from "../src/index.ts";
import { base, member, programme, recordOf, refundMessage, saleMessage } from "./fixtures.ts";

// Bronze 0 / silver 200 / gold 500 on points earned, no multiplier: each 1.00 paid earns 1 point.
const tiers = {
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
    { id: "gold", name: "Gold", threshold: 500 },
  ],
} as const;
const p = programme({ rules: [base], tiers });
const levels = tiers.levels.map((l) => ({ id: l.id, threshold: l.threshold }));
const nearGold = [{ tierId: "gold", within: 20 }];

let n = 0;
/** A sale earning `points`, planned as the ledger batch plans it, with the qualifying move it reports. */
function sale(state: LoyaltyState, points: number) {
  const m = saleMessage(`S-${++n}`, [{ sku: "menu", unitPrice: points * 100 }]);
  const plan = planSale(m, state, p);
  return { m, plan, move: moveOf(state, plan.qualifying, m.transactionId) };
}

function moveOf(state: LoyaltyState, q: { before: number; after: number } | null, transactionId: string) {
  if (!q) throw new Error("the plan reported no qualifying move");
  const move: QualifyingMove = {
    tenantId: state.tenantId,
    customerId: state.customerId,
    occurredAt: new Date("2024-03-06T11:00:00Z"),
    transactionId,
    ...q,
    heldTier: state.tier,
    levels,
  };
  return move;
}

const gapEvents = (moves: QualifyingMove[], state: Map<string, TierGapState>) =>
  tierGapChanges(nearGold, moves, state).events.map((e) => (e.type === "tier.gap" ? [e.value, e.gap, e.crossing] : e));

describe("tierGapChanges: 'Only 20 points to gold' on points earned, never the balance", () => {
  it("A, who spent 100 and is gold by 500 earned, gets nothing when the balance later reaches 480", () => {
    const a = member();
    const crossings = new Map<string, TierGapState>();
    const moves = [sale(a, 400).move]; // earned 400 (silver); the 100 redeemed never lowers what was earned
    moves.push(sale(a, 100).move); // earned 500: gold
    expect(a.tier).toBe("gold");
    moves.push(sale(a, 80).move); // earned 580, balance 480
    expect(gapEvents(moves, crossings)).toEqual([]);
  });

  it("B, who earned 480 but spent 100 (balance 380), is told once, with the gap", () => {
    const b = member();
    const crossings = new Map<string, TierGapState>();
    const first = sale(b, 400);
    const second = sale(b, 80);
    expect(b.tier).toBe("silver");
    expect(gapEvents([first.move, second.move], crossings)).toEqual([[480, 20, 1]]);
    // Still in the band: no second message.
    expect(gapEvents([sale(b, 5).move], crossings)).toEqual([]);
  });

  it("a refund below the band closes the crossing: the next rise into it is a new one", () => {
    const c = member({ tier: "silver", qualifying: 400 });
    const crossings = new Map<string, TierGapState>();
    const rise = sale(c, 90);
    expect(gapEvents([rise.move], crossings)).toEqual([[490, 10, 1]]);
    const refund = refundMessage("R-1", rise.m.transaction.externalId, [{ sku: "menu", unitPrice: 9000 }]);
    const back = planRefund(refund, recordOf(rise.m, rise.plan), c, p.config, p.timezone);
    if (back.rejected) throw new Error(back.rejected.message);
    const fall = moveOf(c, back.qualifying, refund.transactionId);
    expect(fall).toMatchObject({ before: 490, after: 400 });
    const closed = tierGapChanges(nearGold, [fall], crossings);
    expect(closed.closes).toEqual([{ customerId: c.customerId, tierId: "gold", within: 20, crossing: 1 }]);
    expect(gapEvents([sale(c, 85).move], crossings)).toEqual([[485, 15, 2]]);
  });

  it("a jump past the threshold, a value already in the band, or a tier at or above announce nothing", () => {
    const move = (before: number, after: number, heldTier: string | null = "silver"): QualifyingMove => ({
      tenantId: "ten_1",
      customerId: "cus_1",
      occurredAt: new Date(0),
      transactionId: null,
      before,
      after,
      heldTier,
      levels,
    });
    expect(gapEvents([move(400, 520)], new Map())).toEqual([]);
    expect(gapEvents([move(485, 490)], new Map())).toEqual([]);
    expect(gapEvents([move(470, 490, "gold")], new Map())).toEqual([]);
    // A held tier the levels no longer have cannot be ranked: nothing rather than a wrong message.
    expect(gapEvents([move(470, 490, "platinum")], new Map())).toEqual([]);
    expect(gapEvents([move(470, 490, null)], new Map())).toEqual([[490, 10, 1]]);
    // A level the programme does not have is no band.
    expect(tierGapChanges([{ tierId: "diamond", within: 5 }], [move(0, 10)], new Map()).events).toEqual([]);
  });

  it("a value that fell unseen (the window turned) while a crossing was open starts a new crossing", () => {
    const crossings = new Map<string, TierGapState>([["cus_1:gold:20", { crossing: 1, open: true }]]);
    const changes = tierGapChanges(
      nearGold,
      [
        {
          tenantId: "t",
          customerId: "cus_1",
          occurredAt: new Date(0),
          transactionId: null,
          before: 0,
          after: 485,
          heldTier: null,
          levels,
        },
      ],
      crossings,
    );
    expect(changes.closes.map((c) => c.crossing)).toEqual([1]);
    expect(changes.inserts.map((c) => c.crossing)).toEqual([2]);
    expect(changes.events.map((e) => e.id)).toEqual(["tier_gap:cus_1:gold:20:2"]);
  });
});

describe("tierGapChanges judges the batch where it ends and when it runs", () => {
  const move = (before: number, after: number, heldTier: string | null, extra: Partial<QualifyingMove> = {}) => ({
    tenantId: "t",
    customerId: "cus_1",
    occurredAt: new Date(0),
    transactionId: null,
    before,
    after,
    heldTier,
    levels,
    ...extra,
  });
  const now = new Date();
  const year = now.getUTCFullYear();
  const lastYear = { since: new Date(Date.UTC(year - 1, 0, 1)), until: new Date(Date.UTC(year, 0, 1)) };
  const thisYear = { since: new Date(Date.UTC(year, 0, 1)), until: new Date(Date.UTC(year + 1, 0, 1)) };

  it("a move counted in a closed window (a late sale of last year) announces and closes nothing", () => {
    const crossings = new Map<string, TierGapState>([["cus_1:gold:20", { crossing: 1, open: true }]]);
    const late = tierGapChanges(nearGold, [move(470, 485, "silver", { window: lastYear })], crossings, { now });
    expect(late).toEqual({ inserts: [], closes: [], events: [] });
    const fresh = new Map<string, TierGapState>();
    const current = tierGapChanges(nearGold, [move(470, 485, "silver", { window: thisYear })], fresh, { now });
    expect(current.events.map((e) => (e.type === "tier.gap" ? e.gap : e))).toEqual([15]);
  });

  it("into the band and past gold in one batch: nothing told and nothing stored", () => {
    const crossings = new Map<string, TierGapState>();
    const changes = tierGapChanges(nearGold, [move(470, 485, "silver"), move(485, 525, "gold")], crossings);
    expect(changes).toEqual({ inserts: [], closes: [], events: [] });
    // The tier held after the whole batch, as the store passes it, decides over the last move's.
    const lifted = tierGapChanges(nearGold, [move(470, 485, "silver")], new Map(), {
      finalTiers: new Map([["cus_1", "gold"]]),
    });
    expect(lifted.events).toEqual([]);
  });
});
