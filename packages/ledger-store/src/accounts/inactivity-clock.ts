import { type Db, Prisma, type RawTx, sqlArray } from "@regulars/db";

/** An inactivity policy's length and the tenant's calendar it is counted in. */
export interface InactivityPeriod {
  months: number;
  timezone: string;
}

/**
 * Under an inactivity policy all of a customer's points expire N months after their clock. The clock is the last
 * purchase, or the customer's last inactivity expiry when that is later: points credited after an expiry (a win-back
 * bonus, action points) get a full period from it, where keying the expiry by the purchase alone never expired them.
 * Only an inactivity expiry (`expire:inactive:` key, see `expirePoints`) counts: a dated lot expiring on its date
 * is no activity, and counting it kept the rest of the balance N more months without a purchase (SPEC). Nor does one
 * undone by a purchase uploaded late (`undoInactivityExpiries`): that purchase is the later activity.
 * A customer who never bought starts the clock at their first points credit, so a welcome bonus expires too.
 * A period that ran out with nothing to expire posts no expiry, so the first credit after it restarts the clock as
 * that expiry would have: else a customer left with no points had a later bonus due at once, while one left with a
 * point had it expired and kept the same bonus a full period. Nothing to expire means no balance just before that
 * credit: points still due when it lands keep the old clock and go with it. A restarted period that runs out so
 * restarts again. A given-back expiry (positive, `expire` kind) restores old points and is no such credit.
 * Read from the ledger itself (`ledger_movements_customer_time_idx`, then the entries of the few movements since the
 * credit), so no writer has to keep a second date. Without a period the clock does not restart.
 */
function clockOf(period: InactivityPeriod | undefined): Prisma.Sql {
  const months = period?.months ?? null;
  const zone = period?.timezone ?? null;
  return Prisma.sql`(WITH RECURSIVE k(at) AS (
    SELECT COALESCE(
      GREATEST(l.last_activity_at, (
        SELECT max(m.occurred_at) FROM ledger_movements m
        WHERE m.tenant_id = a.tenant_id AND m.customer_id = a.owner AND m.kind = 'expire' AND m.unit = 'points'
          AND m.idempotency_key LIKE 'expire:inactive:%'
          AND NOT EXISTS (SELECT 1 FROM ledger_movements u
            WHERE u.tenant_id = m.tenant_id AND u.idempotency_key = 'unexpire:' || m.idempotency_key))),
      (SELECT min(m.occurred_at) FROM ledger_movements m
        WHERE m.tenant_id = a.tenant_id AND m.customer_id = a.owner AND m.unit = 'points' AND m.amount > 0))
    UNION ALL
    SELECT c.occurred_at FROM k
    CROSS JOIN LATERAL (SELECT (k.at AT TIME ZONE ${zone}::text) + make_interval(months => ${months}::int) AS wall) w
    -- The period's end as the rules engine reads a wall time (addMonthsLocal): a repeated one is its first occurrence.
    CROSS JOIN LATERAL (SELECT w.wall AT TIME ZONE ${zone}::text AS later) t
    CROSS JOIN LATERAL (SELECT CASE WHEN (t.later - interval '1 hour') AT TIME ZONE ${zone}::text = w.wall
      THEN t.later - interval '1 hour' ELSE t.later END AS at) e
    CROSS JOIN LATERAL (
      SELECT m.occurred_at FROM ledger_movements m
      WHERE m.tenant_id = a.tenant_id AND m.customer_id = a.owner AND m.unit = 'points' AND m.amount > 0
        AND m.kind <> 'expire' AND m.occurred_at >= e.at AND m.occurred_at > k.at
      ORDER BY m.occurred_at LIMIT 1) c
    WHERE a.balance <= (SELECT COALESCE(sum(x.amount), 0) FROM ledger_movements s
      JOIN ledger_entries x ON x.movement_id = s.id AND x.account_id = a.id
      WHERE s.tenant_id = a.tenant_id AND s.customer_id = a.owner AND s.occurred_at >= c.occurred_at)
  ) SELECT max(k.at) FROM k)`;
}

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
  period: InactivityPeriod,
  range: ClockRange,
): Promise<InactivityClock[]> {
  return db.$queryRaw<InactivityClock[]>(inactivityClocksBetweenStatement(tenantId, period, range));
}

interface ClockRange {
  upTo: Date;
  after?: Date;
  afterId: string;
  limit: number;
}

export function inactivityClocksBetweenStatement(
  tenantId: string,
  period: InactivityPeriod,
  range: ClockRange,
): Prisma.Sql {
  return Prisma.sql`
    SELECT * FROM (
      SELECT a.owner AS customer_id, a.balance, ${clockOf(period)} AS clock_at
      FROM ledger_accounts a LEFT JOIN customer_loyalty l ON l.customer_id = a.owner
      WHERE a.tenant_id = ${tenantId} AND a.kind = 'points' AND a.balance > 0 AND a.owner > ${range.afterId}
        AND (l.last_activity_at IS NULL OR l.last_activity_at <= ${range.upTo})
      ORDER BY a.owner OFFSET 0 -- kept a subquery, or the planner reads the clock again for each condition on it
    ) c
    WHERE c.clock_at <= ${range.upTo} AND c.clock_at > ${range.after ?? new Date(0)}
    ORDER BY c.customer_id LIMIT ${range.limit}`;
}

/**
 * The clocks of the named customers who hold points (the caller locks them first when it will act on them). Pass the
 * policy's period wherever the clock dates an expiry, as the expiry and notice passes do, or it will not restart.
 */
export function inactivityClocksOf(
  db: RawTx,
  tenantId: string,
  customerIds: string[],
  period?: InactivityPeriod,
): Promise<InactivityClock[]> {
  if (!customerIds.length) return Promise.resolve([]);
  return db.$queryRaw<InactivityClock[]>(inactivityClocksOfStatement(tenantId, customerIds, period));
}

export function inactivityClocksOfStatement(
  tenantId: string,
  customerIds: string[],
  period: InactivityPeriod | undefined,
): Prisma.Sql {
  return Prisma.sql`
    SELECT * FROM (
      SELECT a.owner AS customer_id, a.balance, ${clockOf(period)} AS clock_at
      FROM ledger_accounts a LEFT JOIN customer_loyalty l ON l.customer_id = a.owner
      WHERE a.tenant_id = ${tenantId} AND a.kind = 'points' AND a.owner = ANY(${sqlArray(customerIds)}::text[])
      OFFSET 0 -- kept a subquery, or the planner reads the clock twice: once to filter, once to return
    ) c
    WHERE c.clock_at IS NOT NULL`;
}
