import type { ProgrammeConfig } from "@regulars/contracts";
import { exactNumber, type RawTx, sqlArray } from "@regulars/db";
import type { LoyaltyState } from "@regulars/ledger";
import { localDate, startOfLocalDay, tierPeriodEnd, tierWindowStart } from "@regulars/rules";
import { earnedSinceStatement, qualifyingValues } from "../accounts/qualifying.ts";
import { loadOtherWindows, loadWindowsOfTiers, tierWindowOf } from "./other-windows.ts";
import { loadTierHistoryOfLateSales, loadUpgrades } from "./upgrades.ts";

export { tierWindowOf } from "./other-windows.ts";

type Tiers = NonNullable<ProgrammeConfig["tiers"]>;

export interface StateScope {
  /** The programme in force at the batch's latest transaction: `qualifying` is loaded on its tiers. */
  config: ProgrammeConfig;
  /**
   * The other programme versions in force at the batch's transactions (a sale dated before a programme change beside
   * ones dated after it): day totals and stamp progress are loaded when any version caps days or has stamp cards, so
   * the older sale meets its own version's cap and continues its card, as alone. Omitted: `config` alone decides.
   */
  otherConfigs?: readonly ProgrammeConfig[];
  /**
   * Transactions judged by another version's tiers, whose window or basis differs from `config`'s: each customer's
   * times, per such version. Each is judged on its own version's window (`loadWindowsOfTiers`), not `config`'s.
   */
  otherTiers?: readonly { tiers: Tiers; timesOf: ReadonlyMap<string, readonly string[]> }[];
  timezone: string;
  /** Earliest and latest `occurredAt` of the batch's transactions for these customers. */
  from: string;
  to: string;
  /**
   * A customer's own latest `occurredAt` in the batch, where it differs from `to`: their tier window ends there. An
   * offline sale of 20 December uploaded on 3 January beside another customer's sale of that day is judged in the
   * year it was made.
   */
  toOf?: ReadonlyMap<string, string>;
  /**
   * Every `occurredAt` of a customer's transactions in the batch judged on `config`'s tier window and basis (the
   * others are in `otherTiers`): those whose tier window is not their latest's are judged in their own
   * (`loadOtherWindows`). Without it, each customer's transactions are judged in one window.
   */
  timesOf?: ReadonlyMap<string, readonly string[]>;
  /** The batch refunds: load the tier upgrades no refund took back, for its refunds to take back those left unbacked. */
  upgrades?: boolean;
  /**
   * The batch refunds a sale that stamped a card: load stamp progress whatever the versions' cards, as the refund
   * takes back the stamps of a card removed since (at what the sale recorded of it).
   */
  stamps?: boolean;
}

/**
 * Locks customers, in id order, for the rest of the caller's transaction. Every writer of a customer's
 * loyalty (the ledger worker, the event resolver) takes this lock BEFORE it asks whether a message was
 * applied already and before it reads the customer's state, so a redelivered message handled by a second
 * worker at the same time waits, then finds the first worker's commit, and applies nothing twice.
 */
export async function lockCustomers(tx: RawTx, customerIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(customerIds)].sort();
  if (ids.length)
    await tx.$queryRaw`SELECT id FROM customers WHERE id = ANY(${sqlArray(ids)}::text[]) ORDER BY id FOR UPDATE`;
}

/**
 * Serialises work on the same sales across workers: a refund parks when its sale is missing and a sale
 * takes the refunds parked for it, both under the sale's lock. Transaction-scoped advisory locks, taken in
 * one sorted statement so two batches never wait for each other in opposite orders.
 */
export async function lockSales(tx: RawTx, saleIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(saleIds)].sort();
  if (ids.length)
    await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(id, 0))) FROM (SELECT unnest(${sqlArray(ids)}::text[]) AS id ORDER BY 1) AS sales`;
}

/**
 * Loads the loyalty state of a tenant's customers in a handful of set-based queries. The caller holds
 * their locks (`lockCustomers`).
 */
export async function loadLoyaltyStates(
  tx: RawTx,
  tenantId: string,
  customerIds: string[],
  scope: StateScope,
): Promise<Map<string, LoyaltyState>> {
  const ids = [...new Set(customerIds)].sort();
  const idList = sqlArray(ids); // read by up to two statements below
  const rows = await tx.$queryRaw<
    {
      id: string;
      date_of_birth: Date | null;
      tier: string | null;
      tier_since: Date | null;
      tier_by_floor: boolean | null;
      last_activity_at: Date | null;
      tier_floor: string | null;
      tier_floor_until: Date | null;
    }[]
  >`
    SELECT c.id, c.date_of_birth, l.tier, l.tier_since, l.tier_by_floor, l.last_activity_at, l.tier_floor, l.tier_floor_until
    FROM customers c LEFT JOIN customer_loyalty l ON l.customer_id = c.id
    WHERE c.id = ANY(${idList}::text[]) ORDER BY c.id`;
  const states = new Map<string, LoyaltyState>(
    rows.map((r) => [
      r.id,
      {
        customerId: r.id,
        tenantId,
        tier: r.tier,
        tierSince: r.tier_since,
        tierByFloor: r.tier_by_floor ?? false,
        tierChanged: false,
        tierFloor: floorOf(r),
        dateOfBirth: r.date_of_birth ? r.date_of_birth.toISOString().slice(0, 10) : null,
        lastActivityAt: r.last_activity_at,
        earnedByDay: new Map(),
        qualifying: 0,
        qualifyingWindow: null,
        stamps: new Map(),
      },
    ]),
  );

  const configs = [scope.config, ...(scope.otherConfigs ?? [])];
  if (configs.some((c) => c.caps.perDay)) {
    const since = startOfLocalDay(scope.from, scope.timezone);
    const earned = await tx.$queryRaw<{ customer_id: string; occurred_at: Date; amount: bigint }[]>(
      earnedSinceStatement(tenantId, ids, since),
    );
    for (const e of earned) {
      const day = localDate(e.occurred_at.toISOString(), scope.timezone);
      const s = states.get(e.customer_id)!;
      s.earnedByDay.set(day, (s.earnedByDay.get(day) ?? 0) + exactNumber(e.amount));
    }
  }

  const tiers = scope.config.tiers;
  if (tiers) {
    // Each customer's window ends at their own latest sale; one statement reads every window. A calendar year
    // ends with that sale's year: an offline sale of last year is judged on last year's points alone, not on
    // what the customer has earned in the new one as well.
    const latest = ids.map((id) => scope.toOf?.get(id) ?? scope.to);
    const since = latest.map((at) => tierWindowStart(tiers.window, at, scope.timezone) ?? new Date(0));
    const until =
      tiers.window === "calendar_year"
        ? latest.map((at) => tierPeriodEnd("calendar_year", at, scope.timezone)!)
        : undefined;
    ids.forEach((id, i) => {
      states.get(id)!.qualifyingWindow = { since: since[i]!, until: until?.[i] ?? null };
    });
    for (const q of await qualifyingValues(tx, tenantId, ids, tiers.basis, since, until))
      states.get(q.customer_id)!.qualifying = exactNumber(q.value);
    if (scope.timesOf)
      await loadOtherWindows(
        tx,
        tenantId,
        states,
        tiers,
        scope.timezone,
        withYearsBefore(scope.timesOf, states, tiers, scope.timezone),
      );
  }
  for (const other of scope.otherTiers ?? [])
    await loadWindowsOfTiers(
      tx,
      tenantId,
      states,
      other.tiers,
      scope.timezone,
      withYearsBefore(other.timesOf, states, other.tiers, scope.timezone),
    );
  if (scope.upgrades && (tiers || scope.otherTiers?.length)) await loadUpgrades(tx, tenantId, states);
  // A sale dated before its customer's tier was reached earns at the tier held then (`tierHeldAt`).
  await loadTierHistoryOfLateSales(tx, tenantId, states, [
    scope.timesOf,
    ...(scope.otherTiers ?? []).map((o) => o.timesOf),
  ]);

  if (scope.stamps || configs.some((c) => c.stampCards.length)) {
    const progress = await tx.$queryRaw<{ customer_id: string; card_id: string; stamps: number; completed: number }[]>`
      SELECT customer_id, card_id, stamps, completed FROM stamp_card_progress WHERE customer_id = ANY(${idList}::text[])`;
    for (const p of progress)
      states.get(p.customer_id)!.stamps.set(p.card_id, { stamps: p.stamps, completed: p.completed, changed: false });
  }
  return states;
}

/**
 * Each customer's times, plus the last instant of the calendar year before a transaction's year where the tier was
 * judged on that year: a refund of a sale older than it (the last year-end run kept the tier on that year, which the
 * refund does not touch: `pastSaleQualifying`), or a late sale of a year whose end lowered the tier since (the year
 * before tells whether the tier was held through the sale's: `planSale` restores it without a second reward). Read in
 * the statement of the other windows; nothing is added for any other batch.
 */
function withYearsBefore(
  timesOf: ReadonlyMap<string, readonly string[]>,
  states: ReadonlyMap<string, LoyaltyState>,
  tiers: Tiers,
  timezone: string,
): ReadonlyMap<string, readonly string[]> {
  if (tiers.window !== "calendar_year") return timesOf;
  const out = new Map<string, readonly string[]>();
  for (const [id, times] of timesOf) {
    const tierSince = states.get(id)?.tierSince?.getTime() ?? Number.NEGATIVE_INFINITY;
    const earliest = Math.min(...times.map((at) => Date.parse(at)));
    const before = new Set<string>();
    for (const at of times) {
      const own = tierWindowOf(tiers, at, timezone);
      const lastInstant = new Date(own.since.getTime() - 1).toISOString();
      const lateSale = own.until !== null && tierSince >= own.until.getTime();
      if (lateSale || earliest < tierWindowOf(tiers, lastInstant, timezone).since.getTime()) before.add(lastInstant);
    }
    out.set(id, before.size ? [...times, ...before] : times);
  }
  return out;
}

export const floorOf = (r: { tier_floor: string | null; tier_floor_until: Date | null }) =>
  r.tier_floor !== null && r.tier_floor_until !== null ? { tier: r.tier_floor, until: r.tier_floor_until } : null;

/**
 * Writes back tier, activity and stamp progress that changed in memory (never the floor: see setTierFloor). Whether
 * the tier is a floor's (`tier_by_floor`) is the state's, read under the same customer lock `setTierFloor` takes: an
 * upgrade makes it a qualified one, a refund going back to a floor's tier makes it the floor's again.
 */
export async function saveLoyaltyStates(tx: RawTx, states: Iterable<LoyaltyState>): Promise<void> {
  const all = [...states];
  if (!all.length) return;
  await tx.$executeRaw`
    INSERT INTO customer_loyalty (customer_id, tenant_id, tier, tier_since, last_activity_at, tier_by_floor)
    SELECT * FROM unnest(${sqlArray(all.map((s) => s.customerId))}::text[], ${sqlArray(all.map((s) => s.tenantId))}::text[], ${sqlArray(all.map((s) => s.tier))}::text[],
      ${sqlArray(all.map((s) => s.tierSince))}::timestamptz[], ${sqlArray(all.map((s) => s.lastActivityAt))}::timestamptz[],
      ${sqlArray(all.map((s) => s.tierByFloor))}::boolean[])
    ON CONFLICT (customer_id) DO UPDATE SET tier = excluded.tier, tier_since = excluded.tier_since,
      tier_by_floor = excluded.tier_by_floor,
      last_activity_at = GREATEST(customer_loyalty.last_activity_at, excluded.last_activity_at), updated_at = now()`;
  const stamps = all.flatMap((s) =>
    [...s.stamps].filter(([, p]) => p.changed).map(([cardId, p]) => ({ s, cardId, p })),
  );
  if (stamps.length) {
    await tx.$executeRaw`
      INSERT INTO stamp_card_progress (customer_id, card_id, tenant_id, stamps, completed)
      SELECT * FROM unnest(${sqlArray(stamps.map((x) => x.s.customerId))}::text[], ${sqlArray(stamps.map((x) => x.cardId))}::text[], ${sqlArray(stamps.map((x) => x.s.tenantId))}::text[],
        ${sqlArray(stamps.map((x) => x.p.stamps))}::int[], ${sqlArray(stamps.map((x) => x.p.completed))}::int[])
      ON CONFLICT (customer_id, card_id) DO UPDATE SET stamps = excluded.stamps, completed = excluded.completed, updated_at = now()`;
  }
}
