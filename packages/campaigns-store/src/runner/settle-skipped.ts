import { NO_LONGER_DUE, REMOVED_BY_EDIT, type SkipReason } from "@regulars/campaigns";
import type { CampaignEnrolled } from "@regulars/contracts";
import { type DbTx, Prisma, sqlArray } from "@regulars/db";
import { type OutboxItem, writeOutbox } from "@regulars/ledger-store";

/**
 * The reasons a step that did nothing leaves its enrolment with nothing to come: those of the customer's own that
 * planning records an enrolment `skipped` for; a step refused later for one of them (consent withdrawn, address
 * removed, caps used since planning) counts the same, as does a points-expiring reminder whose points stopped expiring
 * (the customer bought since): nothing reached them, and a later expiry must not be refused by `once`. A step an edit
 * removed (`removed_by_edit`) too: the campaign's doing, but an enrolment whose every step went that way (or for the
 * customer's reasons) reached no one and never will, and left `entered` it would count in reach and results as treated
 * for good. Not a template gone or a campaign ended: those steps fail or are cancelled, and the enrolment stays.
 */
const endingReasons: readonly (SkipReason | typeof NO_LONGER_DUE | typeof REMOVED_BY_EDIT)[] = [
  "no_consent",
  "no_profiling_consent",
  "no_address",
  "capped",
  NO_LONGER_DUE,
  REMOVED_BY_EDIT,
];

interface SettledRow {
  id: string;
  tenant_id: string;
  campaign_id: string;
  version: number;
  customer_id: string;
  occurrence: string;
  occurred_at: Date;
}

/**
 * The correction of the enrolment's `campaign.enrolled`, announced `entered` at planning: the same enrolment at the
 * same time (the first row's partition); ClickHouse keeps it as a row of its own (`<enrolment>:skipped`), and results
 * leave out an enrolment that has one. Its id is its own, so JetStream does not drop it as a copy of the first.
 * Migration 0050 builds the same payload for the enrolments it settled.
 */
const skippedEvent = (r: SettledRow): CampaignEnrolled => ({
  type: "campaign.enrolled",
  id: `campaign-enrolled:${r.id}:skipped`,
  tenantId: r.tenant_id,
  customerId: r.customer_id,
  occurredAt: r.occurred_at.toISOString(),
  campaignId: r.campaign_id,
  version: r.version,
  enrolmentId: r.id,
  occurrence: r.occurrence,
  outcome: "skipped",
});

/**
 * Ends `skipped` the `entered` enrolments matched by `where` (on `e`) of which it is now known that no step ran:
 * each step skipped when it was run, or its message cancelled by the sender's check, for one of `endingReasons`. A step still pending, done otherwise or with its message still queued keeps the enrolment entered. The reason
 * is the first step's, as planning records it. As at planning, a skipped enrolment is no history a later occurrence
 * is refused by (`once`, the cooldown). Each one settled is announced in the transaction (`skippedEvent`); the
 * events are returned to publish after the commit (the relay publishes what the caller does not).
 */
async function settle(tx: DbTx, where: Prisma.Sql): Promise<OutboxItem[]> {
  const ending = sqlArray(endingReasons);
  const settled = await tx.$queryRaw<SettledRow[]>`
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
            (s.status = 'skipped' AND s.reason = ANY(${ending}::text[]))
              OR (s.status = 'done' AND m.status = 'cancelled' AND m.failure_code = ANY(${ending}::text[])),
            false))
    )
    UPDATE campaign_enrolments e SET outcome = 'skipped', reason = u.reason
    FROM unreached u WHERE e.id = u.id AND e.outcome = 'entered'
    RETURNING e.id, e.tenant_id, e.campaign_id, e.version, e.customer_id, e.occurrence, e.occurred_at`;
  const outbox = settled.map(skippedEvent).map((e) => ({ id: e.id, tenantId: e.tenantId, type: e.type, payload: e }));
  await writeOutbox(tx, outbox);
  return outbox;
}

/** After steps of these enrolments were skipped, or their messages cancelled: those that reached no one end skipped. */
export const settleSkippedEnrolments = (tx: DbTx, enrolmentIds: readonly string[]): Promise<OutboxItem[]> =>
  enrolmentIds.length
    ? settle(tx, Prisma.sql`e.id = ANY(${sqlArray([...new Set(enrolmentIds)])}::text[])`)
    : Promise.resolve([]);

/** `settleSkippedEnrolments` for the enrolments whose steps queued these messages (the sender cancelled them). */
export const settleSkippedEnrolmentsOfMessages = (tx: DbTx, messageIds: readonly string[]): Promise<OutboxItem[]> =>
  messageIds.length
    ? settle(
        tx,
        Prisma.sql`e.id IN (
          SELECT s.enrolment_id FROM messages m JOIN campaign_steps s ON s.key = m.step_key
          WHERE m.id = ANY(${sqlArray([...new Set(messageIds)])}::text[]))`,
      )
    : Promise.resolve([]);

/**
 * Before planning these customers again: a message the sender cancelled is settled by the sender, but a crash between
 * its two transactions (or a sender older than that) leaves it to here at the latest, before the enrolment's history
 * could refuse the occurrence.
 */
export const settleSkippedEnrolmentsOf = (
  tx: DbTx,
  campaignId: string,
  customerIds: readonly string[],
): Promise<OutboxItem[]> =>
  settle(tx, Prisma.sql`e.campaign_id = ${campaignId} AND e.customer_id = ANY(${sqlArray(customerIds)}::text[])`);
