import { type LoyaltyEvent, lineAmount, type TransactionMessage } from "@regulars/contracts";
import {
  applyStamps,
  type EarningResult,
  effectiveTier,
  evaluateEarning,
  expiresAt,
  localDate,
  noSaleEffects,
  type SaleEffects,
  stampsEarned,
  stampsPerLine,
  tierFor,
  walletPaidPerLine,
} from "@regulars/rules";
import type { LoyaltyState, ProgrammeAt, SaleRecord } from "./loyalty.ts";
import type { NewMovement } from "./movement.ts";
import { countInWindows, inQualifyingWindow, judgingWindow, type Window, windowBefore } from "./qualifying-window.ts";
import { tierHeldAt } from "./tier-held-at.ts";

export interface SalePlan {
  points: number;
  explanation: EarningResult | null;
  movements: NewMovement[];
  events: LoyaltyEvent[];
  /** Stamps and a tier upgrade, recorded with the sale so that a refund can take them back. */
  effects: SaleEffects;
  /**
   * The tier's qualifying value before and after the sale, in the window it is judged in (`window`): a tier-gap crossing
   * only when that window holds the batch's processing time (`tierGapChanges`).
   */
  qualifying: { before: number; after: number; window: Window } | null;
}

const dayMs = 24 * 60 * 60 * 1000;

/** Key of the bonus a tier upgrade pays; a refund of the upgrading sale reverses that lot. */
export const tierRewardKey = (customerId: string, tierId: string, transactionId: string) =>
  `tier-reward:${customerId}:${tierId}:${transactionId}`;
/** Key of the bonus a completed stamp card pays. */
export const stampRewardKey = (transactionId: string, cardId: string) => `stamp:${transactionId}:${cardId}`;

/**
 * Adds to the points `state` counts as earned on the tenant's local `day` (the per-day cap's total). A refund's
 * reversal takes from the day of the sale it reverses, where that sale's points were counted, so refunding a sale
 * gives back the room it used that day and no more: a refund today of yesterday's sale leaves today's cap as it was.
 */
export function countEarnedOnDay(state: LoyaltyState, day: string, points: number): void {
  state.earnedByDay.set(day, (state.earnedByDay.get(day) ?? 0) + points);
}

/**
 * Everything one sale does to a customer's loyalty, decided in memory (no I/O): points from the
 * rules engine, the lot's pending and expiry dates, stamps and stamp-card rewards, and an immediate
 * tier upgrade with its reward. A tier floor in force at the sale's time lifts the tier held first.
 * The state is updated so the next message of the batch sees this one. Idempotency keys derive from the
 * transaction id: replaying the sale posts nothing new.
 *
 * `m` may be the sale as its checkout left it to pay (`paidAfterCheckout`), which earns; `postedTotal` is its total as
 * posted, which spend counts: the store, the tier job and a refund (which lowers spend by its own posted total) count
 * that, so counting what was left to pay would let a refund of a hold sale take more spend than its sale added.
 */
export function planSale(
  m: TransactionMessage,
  state: LoyaltyState,
  programme: ProgrammeAt,
  postedTotal: number = m.transaction.total,
): SalePlan {
  const { config, timezone } = programme;
  const t = m.transaction;
  const occurredAt = new Date(t.occurredAt);
  const day = localDate(t.occurredAt, timezone);
  const base = {
    tenantId: m.tenantId,
    customerId: state.customerId,
    unit: "points" as const,
    transactionId: m.transactionId,
    occurredAt,
  };
  const input = { occurredAt: t.occurredAt, channel: t.channel, locationId: t.locationId, lines: t.lines };
  // A floor in force when the sale happened lifts the tier held before anything is decided: the sale earns
  // at the floor tier's rules and multiplier, an upgrade starts from it, and so does what a refund may take
  // back. The tier shown was already the floor (setTierFloor raises it), so lifting it announces nothing.
  const held = effectiveTier(config.tiers, state.tier, state.tierFloor, occurredAt);
  if (held !== state.tier) {
    state.tier = held;
    state.tierChanged = true;
  }
  // It earns at the tier held when it happened: a late sale from before an upgrade at the tier below (lifted by a
  // floor in force then). What it may upgrade is still judged from the tier held now, below.
  const then = tierHeldAt(state, occurredAt);
  const earningTier = then === state.tier ? then : effectiveTier(config.tiers, then, state.tierFloor, occurredAt);
  const explanation = evaluateEarning(
    config,
    input,
    { tier: earningTier, dateOfBirth: state.dateOfBirth, earnedToday: state.earnedByDay.get(day) ?? 0 },
    // Weekdays, hours and the birthday on the till's clock; the day of the caps stays the tenant's (`day`).
    programme.localZone ?? timezone,
  );
  const movements: NewMovement[] = [];
  const events: LoyaltyEvent[] = [];
  const effects = noSaleEffects();
  const lot = { availableAt: occurredAt, expiresAt: expiresAt(config.expiry, t.occurredAt, timezone) };

  if (explanation.points > 0) {
    movements.push({
      ...base,
      kind: "earn",
      amount: explanation.points,
      idempotencyKey: `tx:${m.transactionId}`,
      lot: { ...lot, availableAt: new Date(occurredAt.getTime() + config.pendingDays * dayMs) },
    });
    countEarnedOnDay(state, day, explanation.points);
  }
  if (!state.lastActivityAt || state.lastActivityAt < occurredAt) state.lastActivityAt = occurredAt;

  for (const card of config.stampCards) {
    if (!card.enabled) continue;
    const add = stampsEarned(card, input);
    if (add <= 0) continue;
    // What this programme's card pays, recorded: a refund takes back this, not what a later version pays.
    effects.stamps[card.id] = {
      added: add,
      perLine: stampsPerLine(card, input),
      stampsRequired: card.stampsRequired,
      rewardPoints: card.rewardPoints,
    };
    const progress = state.stamps.get(card.id) ?? { stamps: 0, completed: 0, changed: false };
    const after = applyStamps(progress.stamps, add, card.stampsRequired);
    state.stamps.set(card.id, {
      stamps: after.stamps,
      completed: progress.completed + after.completions,
      changed: true,
    });
    if (after.completions > 0) {
      const rewardPoints = card.rewardPoints * after.completions;
      if (rewardPoints > 0) {
        movements.push({
          ...base,
          kind: "bonus",
          amount: rewardPoints,
          idempotencyKey: stampRewardKey(m.transactionId, card.id),
          reason: `stamp card "${card.name}" completed`,
          lot,
        });
      }
      events.push({
        type: "stamp_card.completed",
        id: `stamp:${m.transactionId}:${card.id}`,
        tenantId: m.tenantId,
        customerId: state.customerId,
        occurredAt: occurredAt.toISOString(),
        cardId: card.id,
        completions: after.completions,
        rewardPoints,
        transactionId: m.transactionId,
      });
    }
  }
  // Which lines the wallet paid: a refund must name them to take the visit back, unlike lines that cost nothing.
  const walletPaid = Object.keys(effects.stamps).length ? walletPaidPerLine(input.lines) : undefined;
  if (walletPaid) effects.walletPaid = walletPaid;

  const tiers = config.tiers;
  // A sale is judged on the total of its own window, as in a batch of its own: a late December sale beside January
  // ones on December's (`windowsByTime`), not on the new year's. A sale outside the one window a state holds (one
  // loaded without its window) belongs to a total not loaded: added to another period's, the two periods' points
  // together would reach a tier neither did. It upgrades nothing; it earns its points and stamps.
  const judged = judgingWindow(state, occurredAt);
  let qualifyingMove: SalePlan["qualifying"] = null;
  if (tiers && inQualifyingWindow(judged.window, occurredAt)) {
    const valueBefore = judged.total();
    countInWindows(
      state,
      occurredAt,
      tiers.basis === "points_earned" ? explanation.points : tiers.basis === "spend" ? postedTotal : 1,
    );
    const qualifying = judged.total();
    qualifyingMove = { before: valueBefore, after: qualifying, window: judged.window };
    const reached = tierFor(tiers, qualifying);
    const current = tiers.levels.find((l) => l.id === state.tier);
    // Upgrades are immediate; downgrades only happen at the end of the qualification period. A held tier the
    // programme no longer has (a change removed it) has no threshold left to rank it by, so no sale moves it: the
    // tier the value reaches may be below it, and taking it would be a downgrade announced as an upgrade (with
    // tier-reached campaigns and a reset `tierSince`). The tier job's next run finds the held tier missing from the
    // version in force and places its holders at the level their value reaches (`tier-downgrades`), whatever the
    // window. Removing a single level customers hold is refused (`refuseRemovingHeldTiers`).
    if (state.tier === null || (current !== undefined && reached.threshold > current.threshold)) {
      events.push({
        type: "tier.changed",
        id: `tier:${state.customerId}:${m.transactionId}`,
        tenantId: m.tenantId,
        customerId: state.customerId,
        occurredAt: occurredAt.toISOString(),
        from: state.tier,
        to: reached.id,
        direction: "up",
        qualifyingValue: qualifying,
      });
      // Joining the entry tier pays nothing; reaching a higher one pays its reward, also on a first sale
      // (a tier skipped on the way pays nothing: the reward is the tier's the customer ends in). A tier the customer
      // held through the sale's window, lowered by the period-end run before the sale arrived, is restored without it:
      // delivered on time, the sale would have kept the tier and paid nothing.
      const restored = heldThroughWindow(state, judged.window, tiers, reached.threshold);
      const reward = reached.threshold > 0 && !restored ? (reached.benefits.rewardPoints ?? 0) : 0;
      const rewardKey = reward > 0 ? tierRewardKey(state.customerId, reached.id, m.transactionId) : null;
      if (rewardKey)
        movements.push({
          ...base,
          kind: "bonus",
          amount: reward,
          idempotencyKey: rewardKey,
          reason: `reached tier ${reached.name}`,
          lot,
        });
      const fromSince = state.tierSince?.toISOString() ?? null;
      const fromByFloor = state.tierByFloor;
      effects.tier = { from: state.tier, fromSince, fromByFloor, to: reached.id, rewardPoints: reward, rewardKey };
      // A later refund in the batch, of this sale or an earlier one, may have to take this upgrade back.
      // Tracked only where the customer's stored upgrades were loaded: `upgrades` present means all of them.
      if (state.upgrades)
        state.upgrades = [...state.upgrades, { saleId: m.transactionId, at: occurredAt, upgrade: effects.tier }];
      // An earlier-dated sale later in the batch earns at the tier held before this one (`tierHeldAt`).
      state.tierHistory = [
        ...(state.tierHistory ?? []),
        { saleId: m.transactionId, at: occurredAt, upgrade: effects.tier },
      ];
      state.tier = reached.id;
      state.tierSince = occurredAt;
      state.tierByFloor = false;
      state.tierChanged = true;
    }
  }
  return { points: explanation.points, explanation, movements, events, effects, qualifying: qualifyingMove };
}

/**
 * Whether the customer held a tier of at least `threshold` through `window` (the sale's) and lost it after the sale:
 * the tier was set after the window ended (by the run that judged it, before this late sale counted in it), and the
 * window before, which the run that opened `window` judged the tier on, reached that level. The store loads that
 * window beside such a sale (`loadLoyaltyStates`); not loaded, nothing is restored and the reward is paid.
 */
function heldThroughWindow(
  state: LoyaltyState,
  window: Window,
  tiers: NonNullable<ProgrammeAt["config"]["tiers"]>,
  threshold: number,
): boolean {
  if (!window?.until || !state.tierSince || state.tierSince < window.until) return false;
  const before = windowBefore(state, window);
  return before !== null && threshold > 0 && tierFor(tiers, before).threshold >= threshold;
}

/** What a refund needs to know about a sale just planned (the same as `loadSaleRecords` reads back once stored). */
export function saleRecordOf(m: TransactionMessage, customerId: string | null, plan: SalePlan | null): SaleRecord {
  return {
    id: m.transactionId,
    tenantId: m.tenantId,
    externalId: m.transaction.externalId,
    type: "sale",
    customerId,
    occurredAt: new Date(m.transaction.occurredAt),
    total: m.transaction.total,
    points: plan?.points ?? 0,
    lines: m.transaction.lines.map((l, n) => ({
      sku: l.sku,
      // The line as posted, as \`loadSaleRecords\` reads it back: not after the checkout's discounts, which a till may
      // leave out of what it posts (a hold sale at list price), or a refund would be judged on what the batch holds.
      amount: lineAmount(l),
      price: l.quantity * l.unitPrice,
      points: plan?.explanation?.lines[n]?.points ?? 0,
      eligible: plan?.explanation?.lines[n]?.eligible ?? true,
    })),
    effects: plan?.effects ?? { stamps: {}, tier: null },
    refundedPerLine: m.transaction.lines.map(() => 0),
    refundedTotal: 0,
    refundCount: 0,
    stampsTaken: {},
    expiredPoints: 0,
    expiredSpared: 0,
    tierRevoked: false,
  };
}
