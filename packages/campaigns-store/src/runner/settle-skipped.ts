import type { SkipReason } from "@regulars/campaigns";
import { type Db, type DbTx, Prisma, sqlArray } from "@regulars/db";

/**
 * The reasons of the customer's own that planning records an enrolment `skipped` for; a step refused later for one
 * of them (consent withdrawn, address removed, caps used since planning) counts the same. Not a template gone or a
 * campaign ended: those are the campaign's doing, and the enrolment stays as planned.
 */
const ownReasons: readonly SkipReason[] = ["no_consent", "no_profiling_consent", "no_address", "capped"];

/**
 * Ends `skipped` the `entered` enrolments matched by `where` (on `e`) of which it is now known that no step ran:
 * each step skipped when it was run, or its message cancelled by the sender's check, for a reason of the customer's
 * own. A step still pending, done otherwise or with its message still queued keeps the enrolment entered. The reason
 * is the first step's, as planning records it. As at planning, a skipped enrolment is no history a later occurrence
 * is refused by (`once`, the cooldown).
 */
async function settle(db: Db | DbTx, where: Prisma.Sql): Promise<number> {
  const own = sqlArray(ownReasons);
  return db.$executeRaw`
    WITH unreached AS (
      SELECT e.id, (
        SELECT CASE WHEN s.status = 'skipped' THEN s.reason ELSE m.failure_code END
        FROM campaign_steps s LEFT JOIN messages m ON m.step_key = s.key
        WHERE s.enrolment_id = e.id ORDER BY s.step_index LIMIT 1
      ) AS reason
      FROM campaign_enrolments e
      WHERE ${where} AND e.outcome = 'entered'
        AND EXISTS (SELECT 1 FROM campaign_steps s WHERE s.enrolment_id = e.id)
        AND NOT EXISTS (
          SELECT 1 FROM campaign_steps s LEFT JOIN messages m ON m.step_key = s.key
          WHERE s.enrolment_id = e.id AND NOT coalesce(
            (s.status = 'skipped' AND s.reason = ANY(${own}::text[]))
              OR (s.status = 'done' AND m.status = 'cancelled' AND m.failure_code = ANY(${own}::text[])),
            false))
    )
    UPDATE campaign_enrolments e SET outcome = 'skipped', reason = u.reason
    FROM unreached u WHERE e.id = u.id AND e.outcome = 'entered'`;
}

/** After steps of these enrolments were skipped, or their messages cancelled: those that reached no one end skipped. */
export const settleSkippedEnrolments = (db: Db | DbTx, enrolmentIds: readonly string[]): Promise<number> =>
  enrolmentIds.length
    ? settle(db, Prisma.sql`e.id = ANY(${sqlArray([...new Set(enrolmentIds)])}::text[])`)
    : Promise.resolve(0);

/**
 * Before planning these customers again: a message the sender cancelled is not seen by the step executor, so an
 * enrolment it left with nothing run is settled here at the latest, before its history could refuse the occurrence.
 */
export const settleSkippedEnrolmentsOf = (
  tx: DbTx,
  campaignId: string,
  customerIds: readonly string[],
): Promise<number> =>
  settle(tx, Prisma.sql`e.campaign_id = ${campaignId} AND e.customer_id = ANY(${sqlArray(customerIds)}::text[])`);
