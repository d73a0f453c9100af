import { type Db, type DbTx, Prisma, sqlArray } from "@regulars/db";

/**
 * Under an inactivity policy all of a customer's points expire N months after their clock. The clock is the last
 * purchase, or the customer's last inactivity expiry when that is later: points credited after an expiry (a win-back
 * bonus, action points) get a full period from it, where keying the expiry by the purchase alone never expired them.
 * Only an inactivity expiry (`expire:inactive:` key, see `expirePoints`) counts: a dated lot expiring on its date
 * is no activity, and counting it kept the rest of the balance N more months without a purchase (SPEC). Nor does one
 * undone by a purchase uploaded late (`undoInactivityExpiries`): that purchase is the later activity.
 * A customer who never bought starts the clock at their first points credit, so a welcome bonus expires too.
 * Read from the ledger itself (`ledger_movements_customer_time_idx`), so no writer has to keep a second date.
 */
const clockOf = Prisma.sql`COALESCE(
  GREATEST(l.last_activity_at, (
    SELECT max(m.occurred_at) FROM ledger_movements m
    WHERE m.tenant_id = a.tenant_id AND m.customer_id = a.owner AND m.kind = 'expire' AND m.unit = 'points'
      AND m.idempotency_key LIKE 'expire:inactive:%'
      AND NOT EXISTS (SELECT 1 FROM ledger_movements u
        WHERE u.tenant_id = m.tenant_id AND u.idempotency_key = 'unexpire:' || m.idempotency_key))),
  (SELECT min(m.occurred_at) FROM ledger_movements m
    WHERE m.tenant_id = a.tenant_id AND m.customer_id = a.owner AND m.unit = 'points' AND m.amount > 0))`;

export interface InactivityClock {
  customer_id: string;
  clock_at: Date;
  balance: bigint;
}

/**
 * Customers with points whose clock lies in (`after`, `upTo`], a page at a time in id order after `afterId`.
 * A purchase after `upTo` rules a customer out before the clock is read, which keeps a daily pass to the inactive.
 */
export function inactivityClocksBetween(
  db: Db,
  tenantId: string,
  range: { upTo: Date; after?: Date; afterId: string; limit: number },
): Promise<InactivityClock[]> {
  return db.$queryRaw<InactivityClock[]>`
    SELECT * FROM (
      SELECT a.owner AS customer_id, a.balance, ${clockOf} AS clock_at
      FROM ledger_accounts a LEFT JOIN customer_loyalty l ON l.customer_id = a.owner
      WHERE a.tenant_id = ${tenantId} AND a.kind = 'points' AND a.balance > 0 AND a.owner > ${range.afterId}
        AND (l.last_activity_at IS NULL OR l.last_activity_at <= ${range.upTo})
      ORDER BY a.owner
    ) c
    WHERE c.clock_at <= ${range.upTo} AND c.clock_at > ${range.after ?? new Date(0)}
    ORDER BY c.customer_id LIMIT ${range.limit}`;
}

/** The clocks of the named customers who hold points (the caller locks them first when it will act on them). */
export function inactivityClocksOf(db: Db | DbTx, tenantId: string, customerIds: string[]): Promise<InactivityClock[]> {
  if (!customerIds.length) return Promise.resolve([]);
  return db.$queryRaw<InactivityClock[]>`
    SELECT * FROM (
      SELECT a.owner AS customer_id, a.balance, ${clockOf} AS clock_at
      FROM ledger_accounts a LEFT JOIN customer_loyalty l ON l.customer_id = a.owner
      WHERE a.tenant_id = ${tenantId} AND a.kind = 'points' AND a.owner = ANY(${sqlArray(customerIds)}::text[])
    ) c
    WHERE c.clock_at IS NOT NULL`;
}
