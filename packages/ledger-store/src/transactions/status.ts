import type { PostedCouponOutcome, RejectionCode } from "@regulars/contracts";
import { type Db, exactNumber, type RawTx, sqlArray } from "@regulars/db";
import { customerBalances } from "../accounts/balances.ts";
import { couponCodesOf } from "./posted-codes.ts";

export interface Rejection {
  tenantId: string;
  externalId: string;
  bodyHash: string;
  code: RejectionCode;
  message: string;
}

/** Records refusals (in the caller's transaction, with the change that refused them); a repeat is a no-op. */
export async function recordRejections(tx: RawTx, rejections: Rejection[]): Promise<void> {
  if (!rejections.length) return;
  await tx.$executeRaw`
    INSERT INTO transaction_rejections (tenant_id, external_id, body_hash, code, message)
    SELECT * FROM unnest(${sqlArray(rejections.map((r) => r.tenantId))}::text[], ${sqlArray(rejections.map((r) => r.externalId))}::text[],
      ${sqlArray(rejections.map((r) => r.bodyHash))}::text[], ${sqlArray(rejections.map((r) => r.code))}::text[], ${sqlArray(rejections.map((r) => r.message))}::text[])
    ON CONFLICT DO NOTHING`;
}

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

export type TransactionStatus =
  | {
      status: "processed";
      externalId: string;
      id: string;
      type: "sale" | "refund";
      occurredAt: string;
      processedAt: string;
      customerId: string | null;
      pointsAwarded: number;
      /** The customer's balances now (not as of this transaction). */
      balance: { points: number; pending: number } | null;
      /** Later posts of this externalId with a different body, refused as idempotency conflicts. */
      conflicts: number;
      /** The coupon codes the sale posted, each counted or not (and why not). */
      couponCodes: PostedCouponOutcome[];
    }
  | { status: "rejected"; externalId: string; reason: { code: string; message: string }; rejectedAt: string }
  | { status: "accepted"; externalId: string; id: string; receivedAt: string };

/**
 * Where a posted transaction stands: processed (with its points, the customer's balance and what became of
 * its coupon codes), rejected (with the reason), or accepted and still on its way. Null when nothing of it
 * is known.
 */
export async function transactionStatus(
  db: Db,
  tenantId: string,
  externalId: string,
): Promise<TransactionStatus | null> {
  const [tx, rejections, receipt] = await Promise.all([
    db.transaction.findUnique({ where: { tenantId_externalId: { tenantId, externalId } } }),
    db.transactionRejection.findMany({ where: { tenantId, externalId }, orderBy: { rejectedAt: "desc" } }),
    db.transactionReceipt.findUnique({ where: { tenantId_externalId: { tenantId, externalId } } }),
  ]);
  if (tx) {
    const balances = tx.customerId ? await customerBalances(db, tenantId, tx.customerId) : null;
    return {
      status: "processed",
      externalId,
      id: tx.id,
      type: tx.type as "sale" | "refund",
      occurredAt: tx.occurredAt.toISOString(),
      processedAt: tx.processedAt.toISOString(),
      customerId: tx.customerId,
      pointsAwarded: exactNumber(tx.pointsAwarded),
      balance: balances ? { points: balances.points, pending: balances.pendingPoints } : null,
      conflicts: rejections.filter((r) => r.code === "idempotency_conflict").length,
      couponCodes: couponCodesOf(tx.explanation),
    };
  }
  const latest = rejections[0];
  if (latest)
    return {
      status: "rejected",
      externalId,
      reason: { code: latest.code, message: latest.message },
      rejectedAt: latest.rejectedAt.toISOString(),
    };
  if (receipt)
    return { status: "accepted", externalId, id: receipt.transactionId, receivedAt: receipt.receivedAt.toISOString() };
  return null;
}

/**
 * Receipts answer "accepted" until the ledger has decided; long after the stream itself forgot a message
 * (7 days) they only take space. Outcomes of behavioural events answer their status and guard against
 * redeliveries and replays from the dead-letter stream (kept 30 days). Both are pruned in slices, older than these
 * ages.
 */
export async function pruneAcceptanceRecords(
  db: Db,
  now: Date,
  opts: { tenantIds?: string[]; receiptsDays?: number; appliedEventsDays?: number } = {},
): Promise<number> {
  const keep = { receiptsDays: opts.receiptsDays ?? 35, appliedEventsDays: opts.appliedEventsDays ?? 60 };
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
