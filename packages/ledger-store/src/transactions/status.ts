import { defaultOccurredAtWindow, type RejectionCode } from "@regulars/contracts";
import { type Db, type RawTx, sqlArray } from "@regulars/db";
import { releaseRejectedSalesClaims, type SaleClaim } from "../holds/release.ts";

export interface Rejection {
  tenantId: string;
  externalId: string;
  bodyHash: string;
  code: RejectionCode;
  message: string;
  /** A sale naming a checkout hold: the claim its receipt made on the hold, which the rejection gives back. */
  claim?: SaleClaim;
}

/**
 * Records refusals (in the caller's transaction, with the change that refused them); a repeat is a no-op. A rejected
 * sale commits no hold: the claim it made on the hold it named goes with it (`releaseRejectedSalesClaims`).
 */
export async function recordRejections(tx: RawTx, rejections: Rejection[]): Promise<void> {
  if (!rejections.length) return;
  await releaseRejectedSalesClaims(
    tx,
    rejections.flatMap((r) => (r.claim ? [r.claim] : [])),
  );
  await tx.$executeRaw`
    INSERT INTO transaction_rejections (tenant_id, external_id, body_hash, code, message)
    SELECT * FROM unnest(${sqlArray(rejections.map((r) => r.tenantId))}::text[], ${sqlArray(rejections.map((r) => r.externalId))}::text[],
      ${sqlArray(rejections.map((r) => r.bodyHash))}::text[], ${sqlArray(rejections.map((r) => r.code))}::text[], ${sqlArray(rejections.map((r) => r.message))}::text[])
    ON CONFLICT DO NOTHING`;
}

/** Replays from the dead-letter stream (kept 30 days) must find the outcome of an event already decided. */
const APPLIED_EVENTS_MIN_DAYS = 60;
/** Past the gateway's window: a retry accepted on its last day may still wait on the stream (7 days) and be retried. */
const APPLIED_EVENTS_MARGIN_DAYS = 25;

export interface Receipt {
  tenantId: string;
  externalId: string;
  transactionId: string;
  receivedAt: Date;
}

/** Remembers what the gateway accepted (answered 202), so its status reads "accepted" until processed. */
export async function recordReceipts(db: Db, receipts: Receipt[]): Promise<void> {
  if (!receipts.length) return;
  await db.$executeRaw`
    INSERT INTO transaction_receipts (tenant_id, external_id, transaction_id, received_at)
    SELECT * FROM unnest(${sqlArray(receipts.map((r) => r.tenantId))}::text[], ${sqlArray(receipts.map((r) => r.externalId))}::text[],
      ${sqlArray(receipts.map((r) => r.transactionId))}::text[], ${sqlArray(receipts.map((r) => r.receivedAt))}::timestamptz[])
    ON CONFLICT DO NOTHING`;
}

/**
 * Receipts answer "accepted" until the ledger has decided; long after the stream itself forgot a message
 * (7 days) they only take space, and no retry is told apart by them (the ledger's `transactions` row does that).
 * Outcomes of behavioural events are what stops a retried event from paying again, so they stay as long as the
 * gateway still accepts that event: `occurredAtMaxAgeDays` (its OCCURRED_AT_MAX_AGE_DAYS) plus a margin for the time
 * a retry may wait on the stream, and never less than the dead-letter stream's replays need. Both are pruned in
 * slices, older than these ages.
 */
export async function pruneAcceptanceRecords(
  db: Db,
  now: Date,
  opts: { tenantIds?: string[]; receiptsDays?: number; occurredAtMaxAgeDays?: number } = {},
): Promise<number> {
  const acceptedDays = opts.occurredAtMaxAgeDays ?? defaultOccurredAtWindow.maxAgeDays;
  const keep = {
    receiptsDays: opts.receiptsDays ?? 35,
    appliedEventsDays: Math.max(APPLIED_EVENTS_MIN_DAYS, acceptedDays + APPLIED_EVENTS_MARGIN_DAYS),
  };
  // Without a list, every tenant (null matches all); with one, only those (a pass limited to some tenants).
  const tenants = opts.tenantIds ?? null;
  const day = 24 * 60 * 60 * 1000;
  const receiptsBefore = new Date(now.getTime() - keep.receiptsDays * day);
  const eventsBefore = new Date(now.getTime() - keep.appliedEventsDays * day);
  let deleted = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM transaction_receipts WHERE (tenant_id, external_id) IN (
        SELECT tenant_id, external_id FROM transaction_receipts
        WHERE received_at < ${receiptsBefore} AND (${tenants}::text[] IS NULL OR tenant_id = ANY(${tenants}::text[])) LIMIT 10000)`;
    const m = await db.$executeRaw`
      DELETE FROM applied_events WHERE (tenant_id, event_id) IN (
        SELECT tenant_id, event_id FROM applied_events
        WHERE applied_at < ${eventsBefore} AND (${tenants}::text[] IS NULL OR tenant_id = ANY(${tenants}::text[])) LIMIT 10000)`;
    deleted += n + m;
    if (n < 10_000 && m < 10_000) return deleted;
  }
}
