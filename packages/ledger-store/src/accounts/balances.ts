import { type Db, type DbTx, exactNumber, sqlArray } from "@regulars/db";
import { TENANT_OWNER } from "@regulars/ledger";
import type { Standing } from "../customers/standing.ts";
import { holdLapsed } from "../holds/release.ts";

export interface CustomerBalances {
  points: number;
  pendingPoints: number;
  wallet: number;
  /** Reserved by checkout holds in force: part of the balances, not spendable elsewhere. */
  heldPoints: number;
  heldWallet: number;
}

/** Cached balances of a customer's accounts (kept equal to the sum of entries by postMovements). */
export async function customerBalances(db: Db, tenantId: string, customerId: string): Promise<CustomerBalances> {
  return (await customerSummary(db, tenantId, customerId)).balances;
}

interface SummaryRow {
  points: bigint;
  pending: bigint;
  wallet: bigint;
  held_points: bigint;
  held_wallet: bigint;
  tier: string | null;
  tier_since: Date | null;
  tier_floor: string | null;
  tier_floor_until: Date | null;
  last_activity_at: Date | null;
  has_standing: boolean;
}

/**
 * What an app shows of a customer's loyalty in one statement: the balances, what checkout holds reserve, and the
 * standing (null before the ledger kept any). A customer view is read far more often than it changes (a kiosk at
 * every identification, an app polling after a purchase), so it costs one statement, not three.
 */
export async function customerSummary(
  db: Db,
  tenantId: string,
  customerId: string,
): Promise<{ balances: CustomerBalances; standing: Standing | null }> {
  const [row] = await db.$queryRaw<SummaryRow[]>`
    SELECT a.points, a.pending, a.wallet, h.held_points, h.held_wallet,
      l.tier, l.tier_since, l.tier_floor, l.tier_floor_until, l.last_activity_at, l.customer_id IS NOT NULL AS has_standing
    FROM (
      SELECT coalesce(sum(balance) FILTER (WHERE kind = 'points'), 0)::int8 AS points,
        coalesce(sum(balance) FILTER (WHERE kind = 'points_pending'), 0)::int8 AS pending,
        coalesce(sum(balance) FILTER (WHERE kind = 'wallet'), 0)::int8 AS wallet
      FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId}
    ) a
    CROSS JOIN (
      SELECT coalesce(sum(points), 0)::int8 AS held_points, coalesce(sum(wallet), 0)::int8 AS held_wallet
      FROM checkout_holds WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND status = 'held'
        -- As liveHold (holds/checkout-state.ts): a lapsed hold reserves nothing, swept yet or not.
        AND NOT ${holdLapsed(new Date())}
    ) h
    LEFT JOIN customer_loyalty l ON l.customer_id = ${customerId}`;
  const r = row!;
  return {
    balances: {
      points: exactNumber(r.points),
      pendingPoints: exactNumber(r.pending),
      wallet: exactNumber(r.wallet),
      heldPoints: exactNumber(r.held_points),
      heldWallet: exactNumber(r.held_wallet),
    },
    standing: r.has_standing
      ? {
          tier: r.tier,
          tierSince: r.tier_since,
          tierFloor: r.tier_floor,
          tierFloorUntil: r.tier_floor_until,
          lastActivityAt: r.last_activity_at,
        }
      : null,
  };
}

/**
 * Accounts whose cached balance differs from the sum of their entries: must always be empty. Compared in Postgres,
 * one grouped pass over the tenant's entries: a national chain's tenant has millions of accounts, and only the
 * drifted ones (none) travel.
 */
export async function findBalanceDrift(
  db: Db,
  tenantId: string,
): Promise<{ accountId: string; cached: number; summed: number }[]> {
  const rows = await db.$queryRaw<{ id: bigint; balance: bigint; summed: bigint }[]>`
    SELECT a.id, a.balance, coalesce(e.total, 0)::bigint AS summed
    FROM ledger_accounts a
    LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries WHERE tenant_id = ${tenantId} GROUP BY 1) e
      ON e.account_id = a.id
    WHERE a.tenant_id = ${tenantId} AND a.balance <> coalesce(e.total, 0)
    ORDER BY a.id`;
  return rows.map((r) => ({
    accountId: r.id.toString(),
    cached: exactNumber(r.balance),
    summed: exactNumber(r.summed),
  }));
}

/** The tenant's counter-account of a unit (points or wallet issued): the sum of its shares. */
export async function tenantIssued(db: Db, tenantId: string, unit: "points" | "wallet"): Promise<number> {
  const [row] = await db.$queryRaw<{ balance: bigint | null }[]>`
    SELECT sum(balance) AS balance FROM ledger_accounts
    WHERE tenant_id = ${tenantId} AND kind = ${`${unit}_issued`} AND (owner = ${TENANT_OWNER} OR owner LIKE ${`${TENANT_OWNER}:%`})`;
  return exactNumber(row?.balance ?? 0);
}

/** The points balance of each of `customerIds` by id; a customer without an account yet is absent (no points). */
export async function pointsBalancesOf(
  db: Db | DbTx,
  tenantId: string,
  customerIds: readonly string[],
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const rows = await db.$queryRaw<{ owner: string; balance: bigint }[]>`
    SELECT owner, balance FROM ledger_accounts
    WHERE tenant_id = ${tenantId} AND kind = 'points' AND owner = ANY(${sqlArray([...customerIds])}::text[])`;
  return new Map(rows.map((r) => [r.owner, exactNumber(r.balance)]));
}

/**
 * The tenant's ledger as its accounting sees it: per account kind the entries' sum, the cached balances' sum and
 * the number of accounts, the accounts whose balance is not the sum of their entries (must be 0), and the sales
 * recorded. What must not change when a customer's personal data is erased.
 */
export async function ledgerTotals(db: Db, tenantId: string) {
  const kinds = await db.$queryRaw<{ kind: string; entries: string; balances: string; accounts: bigint }[]>`
    SELECT a.kind, coalesce(sum(e.total), 0)::text AS entries, sum(a.balance)::text AS balances, count(*) AS accounts
    FROM ledger_accounts a
    LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries WHERE tenant_id = ${tenantId} GROUP BY 1) e
      ON e.account_id = a.id
    WHERE a.tenant_id = ${tenantId} GROUP BY a.kind ORDER BY a.kind`;
  const drift = (await findBalanceDrift(db, tenantId)).length;
  const [sales] = await db.$queryRaw<{ n: bigint; total: string }[]>`
    SELECT count(*) AS n, coalesce(sum(total), 0)::text AS total FROM transactions WHERE tenant_id = ${tenantId}`;
  return { kinds, drift, sales };
}
