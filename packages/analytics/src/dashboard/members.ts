import { assertIdentifier } from "../config.ts";
import type { FactsTarget } from "../loyalty-events.ts";
import { assertRange, type DashboardRange, rangeParams } from "./range.ts";
import { factTable, int, selectRows } from "./select.ts";

export const defaultActiveDays = 90;

export interface MembersQuery extends DashboardRange {
  /**
   * A member is active with a sale in the last `activeDays` days of the range (default 90), `to` included, that its
   * refunds did not void.
   */
  activeDays?: number;
}

export interface TierMembers {
  /**
   * The tier of the member's latest tier change up to the end of the range (latest applied: see `latestTier`); null
   * for members without one. After a merge, the survivor's own latest change (a merge that raised its tier announced
   * that), else the merged customer's.
   */
  tier: string | null;
  members: number;
  averagePoints: number;
}

export interface MembersAtEnd {
  activeDays: number;
  activeMembers: number;
  /**
   * Mean balance of the active members at the end of the range, from the facts: points earned (all credits,
   * pending included, but for a merge's transfer in) less redeemed, expired and reversed (rewards refunds took
   * back, admins' negative adjustments), and less what refunds took back of earned points (their transactions'
   * negative points).
   */
  averagePoints: number;
  tiers: TierMembers[];
}

/**
 * Whether a tier.changed row was published for the customer that holds it now: its id starts with
 * `tier:<customer>:` (see `TierChanged` in the contracts). A merge re-keys the merged customer's events to the
 * survivor, whose tier the ledger keeps, or raises to the merged customer's higher one and announces that as the
 * survivor's own change (`cause: "merge"`), so the survivor's own latest change outranks any of the merged
 * customer's. A survivor without changes of its own (merged before merges announced the tier they raised) is in the
 * merged customer's latest.
 */
const ownTierEvent = "startsWith(id, concat('tier:', customer_id, ':'))";

/**
 * Which of a member's tier changes up to the end of the range is the tier held then. Which changes count is decided
 * by `occurred_at` (those before the end of the range), but which of them is the latest by the order the ledger
 * applied them in (`tier_applied_at`, `tier_applied_index`, migration 0009), which their times are not: an offline
 * sale uploaded two days late raises the tier after today's live sale, a refund dated before its sale lowers it
 * after the sale raised it, and the year-end run's downgrade is undone by a late December sale applied after it.
 * A past range stays meaningful: a change from after its end is not counted, and a late change of a time within it
 * revises it, as it revised the ledger. Changes stored before the ledger stamped them rank below every stamped one
 * (applied after them) and among themselves by when they were recorded (`ingested_at`), then by their times.
 */
const appliedOrder = "tier_applied_at, tier_applied_index, ingested_at, occurred_at, id";
const latestTier = `argMax(tier_to, (${ownTierEvent}, ${appliedOrder}))`;

/**
 * Leaves out the sales their refunds voided (`voided_transactions`, migration 0008): no order, as segments and the
 * profile count them, so such a sale makes no one active. A set of ids, which a duplicate row cannot change: no FINAL.
 */
const notVoided = (target: FactsTarget) =>
  `id NOT IN (SELECT transaction_id FROM ${assertIdentifier(target.database)}.voided_transactions
               WHERE tenant_id = {tenant:String})`;

// Aliases differ from column names, which ClickHouse would otherwise resolve to the alias inside aggregates.
interface Row {
  tier_name: string;
  members: string;
  points_total: string;
}

/**
 * Active members at the end of the range, their average points and how many are in each tier. Everything
 * is as of the end of the range (its last day's midnight in the range's zone), not of today, so a past
 * range answers what the dashboard showed then; `from` only has to be a valid day. A member counts in the
 * tier held then, whatever tier their sales were made in.
 *
 * A merged customer's events move to its survivor (`mergeCustomerRows`), so the survivor's balance already
 * holds what the merged customer earned and spent: the transfer that moved that balance in would count it twice.
 */
export async function membersAtEnd(target: FactsTarget, query: MembersQuery): Promise<MembersAtEnd> {
  assertRange(query);
  const activeDays = query.activeDays ?? defaultActiveDays;
  if (!Number.isInteger(activeDays) || activeDays < 1 || activeDays > 3660) {
    throw new Error(`activeDays must be a whole number of days from 1 to 3660, not ${activeDays}`);
  }
  const events = factTable(target, "loyalty_events");
  const transactions = factTable(target, "transactions");
  const rows = await selectRows<Row>(
    target,
    `WITH toDateTime64(addDays({to:Date}, 1), 3, {tz:String}) AS range_end,
          toDateTime64(subtractDays({to:Date}, {activeDays:UInt32} - 1), 3, {tz:String}) AS active_since,
          active AS (
            SELECT DISTINCT customer_id
              FROM ${transactions} FINAL
             WHERE tenant_id = {tenant:String} AND type = 'sale' AND customer_id != ''
               AND occurred_at >= active_since AND occurred_at < range_end AND ${notVoided(target)}
          ),
          balances AS (
            SELECT customer_id, sum(change) AS member_balance
              FROM (
                SELECT customer_id,
                       sumIf(points, type = 'points.earned' AND movement_kind != 'transfer_in')
                         - sumIf(points, type != 'points.earned') AS change
                  FROM ${events} FINAL
                 WHERE tenant_id = {tenant:String}
                   AND type IN ('points.earned', 'points.reversed', 'points.redeemed', 'points.expired')
                   AND occurred_at < range_end
                   AND customer_id IN (SELECT customer_id FROM active)
                 GROUP BY customer_id
                UNION ALL
                SELECT customer_id, sum(points)
                  FROM ${transactions} FINAL
                 WHERE tenant_id = {tenant:String} AND type = 'refund' AND occurred_at < range_end
                   AND customer_id IN (SELECT customer_id FROM active)
                 GROUP BY customer_id
              )
             GROUP BY customer_id
          ),
          tiers AS (
            SELECT customer_id, ${latestTier} AS latest_tier
              FROM ${events} FINAL
             WHERE tenant_id = {tenant:String} AND type = 'tier.changed' AND occurred_at < range_end
               AND customer_id IN (SELECT customer_id FROM active)
             GROUP BY customer_id
          )
     SELECT ifNull(tiers.latest_tier, '') AS tier_name, count() AS members, sum(ifNull(balances.member_balance, 0)) AS points_total
       FROM active
       LEFT JOIN balances ON balances.customer_id = active.customer_id
       LEFT JOIN tiers ON tiers.customer_id = active.customer_id
      GROUP BY tier_name
      ORDER BY tier_name`,
    { ...rangeParams(query), activeDays },
  );
  const tiers = rows.map((r) => ({
    tier: r.tier_name === "" ? null : r.tier_name,
    members: int(r.members),
    points: int(r.points_total),
  }));
  const activeMembers = tiers.reduce((n, t) => n + t.members, 0);
  const points = tiers.reduce((n, t) => n + t.points, 0);
  return {
    activeDays,
    activeMembers,
    averagePoints: activeMembers > 0 ? points / activeMembers : 0,
    tiers: tiers.map((t) => ({ tier: t.tier, members: t.members, averagePoints: t.points / t.members })),
  };
}
