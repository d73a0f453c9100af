import {
  type LoyaltyEvent,
  lineAmount,
  type ProgrammeConfig,
  type RejectionCode,
  type TierProgramme,
  type TransactionMessage,
} from "@regulars/contracts";
import {
  effectiveTier,
  localDate,
  matchRefundLines,
  orderVoided,
  pricesNamedAfter,
  refundedAfter,
  refundedEntries,
  refundReversal,
  stampsToTakeBack,
  takeBackStamps,
  tierAfterRefund,
  tierOnJudgedPeriod,
} from "@regulars/rules";
import type { LoyaltyState, SaleRecord, StoredRefundEffects } from "./loyalty.ts";
import type { NewMovement } from "./movement.ts";
import {
  countInWindows,
  inQualifyingWindow,
  judgingWindow,
  pastSaleQualifying,
  type Window,
} from "./qualifying-window.ts";
import { tierSinceBeforeSale, tiersOfYearEndRun, tiersWhenMade, upgradesBehind } from "./refund-tier-upgrades.ts";
import { countEarnedOnDay, stampRewardKey } from "./sale-plan.ts";

export type RefundPlan =
  | { rejected: { code: RejectionCode; message: string } }
  | {
      rejected?: undefined;
      points: number;
      explanation: unknown;
      movements: NewMovement[];
      events: LoyaltyEvent[];
      effects: StoredRefundEffects;
      /** The tier's qualifying value before and after, in the window the refund is judged in (as `SalePlan`'s). */
      qualifying: { before: number; after: number; window: Window } | null;
      /** Per refund line, the sale line it took back when it took back exactly one. */
      refundsLineNo: (number | null)[];
    };

/**
 * Everything a refund takes back, decided in memory: the points earned on the refunded lines (their
 * share measured by money), and where the programme says so the stamps the sale added (undoing a card
 * completion and its reward) and the tier upgrades (with their rewards) the remaining qualifying value no longer backs,
 * the sale's own and those of other sales it was holding up (`tierAfterRefund`). Reversals may leave a
 * negative balance, which later earning pays off; points of the share that had expired from the sale's lot are not
 * taken a second time (`expired` in the effects and the explanation). A reward taken back is a negative bonus (not a
 * `reverse`), so it does not count against points earned, which tiers qualify on. The sale's record and the customer's state are updated
 * so a second refund of the same sale in the batch sees this one, and so is the day total of the per-day cap: the
 * reversal gives back the room its sale used on the sale's local day in `timezone` (the tenant's), as the store reads
 * it (`earnedSinceStatement`). Without `timezone` (no programme, so no cap) the day totals are left as they are.
 * An admin's tier floor in force at the refund holds the tier up as it holds up a sale's (`effectiveTier`).
 * `tiersAt` gives the tiers in force at an instant: each upgrade is judged by the thresholds it was reached at
 * (`tiersWhenMade`), a closed year by those of the run that judged it (`tiersOfYearEndRun`); without it, by the refund's.
 */
export function planRefund(
  m: TransactionMessage,
  sale: SaleRecord,
  state: LoyaltyState | undefined,
  config: ProgrammeConfig,
  timezone?: string,
  tiersAt?: (at: Date) => TierProgramme | undefined,
): RefundPlan {
  const t = m.transaction;
  if (sale.type !== "sale")
    return { rejected: { code: "refund_of_refund", message: `${t.refundOf} is a refund; only sales can be refunded` } };
  const match = matchRefundLines(
    sale.lines,
    sale.refundedPerLine,
    t.lines.map((l) => ({ lineNo: l.lineNo, sku: l.sku, amount: lineAmount(l) })),
  );
  if (!match.ok)
    return { rejected: { code: match.code, message: `${match.path}: ${match.message} (refund of ${t.refundOf})` } };

  const before = sale.refundedPerLine;
  const after = refundedAfter(before, sale.lines.length, match.lines);
  // The sale line each refund line names, stored with it (`refunds_line_no`): what voids a sale that cost no money.
  const refundsLineNo = t.lines.map((_, k) => {
    const taken = match.lines.filter((l) => l.refundLine === k);
    return taken.length === 1 ? taken[0]!.lineNo : null;
  });
  const namedAfter = new Set([...(sale.linesNamed ?? []), ...refundsLineNo.filter((n): n is number => n !== null)]);
  const refunded = refundedEntries(sale.lines, match.lines, t.lines);
  const pricesNamed = pricesNamedAfter(sale.pricesNamed, sale.lines.length, refunded);
  const reversed = refundReversal({
    awardedPoints: sale.points,
    saleLines: sale.lines,
    refundedBefore: before,
    refund: match.lines,
  });
  // The share's points that had expired from the sale's lot left the customer then: taken again, a refund of a sale
  // whose points expired would cost the customer twice what the sale earned. They are spared first, before what was
  // spent of the lot (which the refund takes from other points or leaves as a debt).
  const expired = Math.min(reversed, Math.max(0, sale.expiredPoints - sale.expiredSpared));
  const taken = reversed - expired;
  // 0 rather than -0 when nothing is reversed (Intl formats -0 as "-0").
  const points = taken > 0 ? -taken : 0;
  const occurredAt = new Date(t.occurredAt);
  const base = { tenantId: m.tenantId, unit: "points" as const, transactionId: m.transactionId, occurredAt };
  const movements: NewMovement[] = [];
  const events: LoyaltyEvent[] = [];
  const effects: StoredRefundEffects = {
    refunded,
    stampsTaken: {},
    tierRevoked: null,
    ...(expired > 0 ? { expired } : {}),
  };
  const customerId = sale.customerId;
  let qualifyingMove: { before: number; after: number; window: Window } | null = null;
  if (customerId && taken > 0) {
    movements.push({
      ...base,
      customerId,
      kind: "reverse",
      amount: -taken,
      idempotencyKey: `tx:${m.transactionId}`,
      sourceKey: `tx:${sale.id}`,
      reason: `refund of ${t.refundOf}`,
    });
    if (state && timezone) countEarnedOnDay(state, localDate(sale.occurredAt.toISOString(), timezone), -taken);
  }

  if (customerId && state) {
    if (config.refunds.stampCards) {
      for (const [cardId, count] of Object.entries(
        stampsToTakeBack(sale.effects, sale.lines, after, sale.stampsTaken, pricesNamed),
      )) {
        // The card as the sale's programme had it, recorded with the sale: a completion goes back at what it paid, also
        // when a later version pays more or removed the card. Effects stored before that was recorded have only the
        // card in force now to go by, and nothing without it.
        const recorded = sale.effects.stamps[cardId];
        const card = config.stampCards.find((c) => c.id === cardId);
        const stampsRequired = recorded?.stampsRequired ?? card?.stampsRequired;
        const rewardPoints = recorded?.rewardPoints ?? card?.rewardPoints;
        const progress = state.stamps.get(cardId);
        if (stampsRequired === undefined || rewardPoints === undefined || !progress) continue;
        const undone = takeBackStamps(progress, count, stampsRequired);
        state.stamps.set(cardId, { stamps: undone.stamps, completed: undone.completed, changed: true });
        effects.stampsTaken[cardId] = count;
        const points = undone.undoneCompletions * rewardPoints;
        if (points > 0) {
          const ownReward = (sale.effects.stamps[cardId]?.added ?? 0) > 0 ? stampRewardKey(sale.id, cardId) : null;
          movements.push({
            ...base,
            customerId,
            kind: "bonus",
            amount: -points,
            idempotencyKey: `stamp-undo:${m.transactionId}:${cardId}`,
            sourceKey: ownReward,
            reason: `refund of ${t.refundOf} took back a completed "${card?.name ?? cardId}"`,
          });
        }
      }
    }
    const tiers = config.tiers;
    if (tiers) {
      const orderBefore = { money: sale.refundedTotal, linesNamed: new Set(sale.linesNamed), count: sale.refundCount };
      const orderAfter = { money: sale.refundedTotal + t.total, linesNamed: namedAfter, count: sale.refundCount + 1 };
      const orderRefunded = orderVoided(sale, orderAfter) && !orderVoided(sale, orderBefore);
      // A refund counts in its sale's window(s) (as the store reads them): a refund in January of a December sale
      // takes nothing from the new year. It is judged, as a sale is, in the window of its own time (as in a batch
      // of its own). Of a sale inside that window, on that window's total after it. Of a sale of a past period, on
      // the sale's own window's total after it (the store loads it for every such refund, `windowsByTime` at the
      // sale's time), on the period before the refund's (which the tier job last judged the tier on) and on the window
      // in force: the upgrade stays while any of them still qualifies (whoever qualifies in a later period keeps the
      // tier, as the tier job judges), and is undone when none does. Judged on the new period's total alone, a
      // January refund would demote a customer whose December still qualifies, and a refund of a sale two years back
      // one whom last year's points kept; never judged, a refund after the tier job closed December would leave an
      // upgrade December no longer earned for a year.
      const judged = judgingWindow(state, occurredAt);
      const counted = inQualifyingWindow(judged.window, sale.occurredAt);
      // Points earned lose the whole refunded share, the expired part too: spared from the balance only, it was
      // never earned for good (the stored window total subtracts it with the reversals), else a sale refunded after
      // its points expired would keep its tier for good. Spend loses the refund's total as posted, as the store counts
      // it, never more than is left of what its sale added (its total as posted, `planSale`'s `postedTotal`).
      const spendLeft = Math.max(0, sale.total - sale.refundedTotal);
      const lowerBy = { points_earned: reversed, spend: Math.min(t.total, spendLeft), orders: orderRefunded ? 1 : 0 };
      const valueBefore = judged.total();
      countInWindows(state, sale.occurredAt, -lowerBy[tiers.basis]);
      if (counted) qualifyingMove = { before: valueBefore, after: judged.total(), window: judged.window };
      const qualifying = counted ? judged.total() : pastSaleQualifying(state, sale.occurredAt, judged);
      const back =
        qualifying !== null && config.refunds.tierRewards
          ? tierAfterRefund(
              tiers,
              state.tier,
              qualifying,
              upgradesBehind(state, sale, counted ? judged.window : judgingWindow(state, sale.occurredAt).window),
              tiersWhenMade(tiers, tiersAt),
            )
          : null;
      const heldBefore = state.tier;
      if (back && qualifying !== null && state.tier) {
        // A floor in force at the refund holds the tier up, as the tier job and setTierFloor judge it. The upgrades the
        // refund leaves unbacked are still taken back with their rewards: those were paid for qualifying, which the
        // refund undid, not for the floor. A tier the floor keeps is not announced as a change.
        const to = effectiveTier(tiers, back.tier.id, state.tierFloor, occurredAt) ?? back.tier.id;
        const sales = back.revoked.map((u) => u.saleId);
        effects.tierRevoked = {
          from: state.tier,
          to,
          ...(sales.length === 1 && sales[0] === sale.id ? {} : { sales }),
        };
        for (const { saleId, upgrade } of back.revoked) {
          if (upgrade.rewardPoints <= 0) continue;
          movements.push({
            ...base,
            customerId,
            kind: "bonus",
            amount: -upgrade.rewardPoints,
            // The refunded sale's own keeps the key it always had, so a redelivery stored before finds it.
            idempotencyKey:
              saleId === sale.id ? `tier-undo:${m.transactionId}` : `tier-undo:${m.transactionId}:${saleId}`,
            sourceKey: upgrade.rewardKey,
            reason: `refund of ${t.refundOf} took back tier ${upgrade.to}`,
          });
        }
        const earliest = back.revoked.at(-1)!.upgrade;
        if (to !== back.tier.id) {
          // Held by the floor alone now: judged when the floor ends, not a window after the upgrade taken back.
          if (to !== state.tier) state.tierSince = occurredAt;
          state.tierByFloor = true;
        } else {
          const restored = tierSinceBeforeSale(earliest, to);
          state.tierSince = restored === undefined ? occurredAt : restored;
          // Back to a floor's tier, it is the floor's again: judged when the floor ends, not kept a window on.
          state.tierByFloor = restored !== undefined && earliest.fromByFloor === true;
        }
        state.tier = to;
        state.tierChanged = true;
        state.upgrades = state.upgrades?.filter((u) => !sales.includes(u.saleId));
        // A level the upgrade skipped, still earned, stays as the refund's own upgrade: a later refund that leaves it
        // unearned takes it back, as it would have had the sales been refunded the other way round.
        if (back.left) {
          effects.tier = back.left;
          if (state.upgrades)
            state.upgrades = [...state.upgrades, { saleId: m.transactionId, at: occurredAt, upgrade: back.left }];
        }
        if (sales.includes(sale.id)) sale.tierRevoked = true;
      }
      // A sale of the calendar year the last year-end run judged (its window ends where the refund's begins): the run
      // kept the tier on the higher of that year's value and the new year's (`qualifying` here), which the refund
      // lowers, and no run judges that year again: a tier held from the year before would stay a year unearned. Only
      // a refund that lowers the value redoes the run, with the thresholds the run had: else a version raising one
      // since would act through any refund, not at the end of the qualification period.
      const saleYearEnd = judgingWindow(state, sale.occurredAt).window?.until;
      const closed = tiers.window === "calendar_year" && saleYearEnd && +saleYearEnd === +(judged.window?.since ?? 0);
      const judgedBy = closed && lowerBy[tiers.basis] > 0 ? tiersOfYearEndRun(tiers, tiersAt, saleYearEnd) : null;
      const down =
        judgedBy && qualifying !== null && config.refunds.tierRewards
          ? tierOnJudgedPeriod(tiers, state.tier, qualifying, state.tierFloor, occurredAt, judgedBy)
          : null;
      if (down) {
        if (effects.tierRevoked) effects.tierRevoked.to = down.tier;
        // A skipped level the upgrades taken back left is not held either: no later refund takes it back.
        delete effects.tier;
        state.upgrades = state.upgrades?.filter((u) => u.saleId !== m.transactionId);
        state.tier = down.tier;
        state.tierSince = occurredAt;
        state.tierByFloor = down.byFloor;
        state.tierChanged = true;
      }
      // One announcement per refund, whichever judging moved the tier; a tier a floor keeps is not a change.
      if (heldBefore && state.tier && state.tier !== heldBefore && qualifying !== null)
        events.push({
          type: "tier.changed",
          id: `tier:${customerId}:refund:${m.transactionId}`,
          tenantId: m.tenantId,
          customerId,
          occurredAt: occurredAt.toISOString(),
          from: heldBefore,
          to: state.tier,
          direction: "down",
          qualifyingValue: qualifying,
        });
    }
  }

  sale.refundedPerLine = after;
  sale.pricesNamed = pricesNamed;
  sale.linesNamed = [...namedAfter];
  sale.refundedTotal += t.total;
  sale.refundCount += 1;
  sale.expiredSpared += expired;
  for (const [card, n] of Object.entries(effects.stampsTaken))
    sale.stampsTaken[card] = (sale.stampsTaken[card] ?? 0) + n;
  return {
    points,
    qualifying: qualifyingMove,
    explanation: {
      rules: [
        {
          ruleId: "refund",
          type: "reverse",
          points,
          lines: t.lines.map((_, n) => n),
          detail:
            `share by money of the ${sale.points} points earned by ${t.refundOf}` +
            (expired > 0 ? `; ${expired} of them had expired and are not taken again` : ""),
          ...(expired > 0 ? { expired } : {}),
        },
      ],
      refunded: effects.refunded,
    },
    movements,
    events,
    effects,
    refundsLineNo,
  };
}
