import { TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { type Db, type RawTx, sqlArray, withTransaction } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { recordRejections } from "./status.ts";

export interface ParkedRefund {
  message: TransactionMessage;
  /** The subject it was accepted on, to dead-letter (and replay) it from the right place. */
  subject: string;
}

/** Why a refund was refused after waiting `waitMs` for its sale, in words. */
export function saleDidNotArrive(refundOf: string | null | undefined, waitMs: number): string {
  const s = Math.round(waitMs / 1000);
  const wait =
    s < 120 ? `${s} seconds` : s < 7_200 ? `${Math.round(s / 60)} minutes` : `${Math.round(s / 3_600)} hours`;
  return `the refunded sale ${refundOf} did not arrive within ${wait}`;
}

/** Refunds whose sale has not arrived yet wait here instead of holding up their partition. */
export async function parkRefunds(
  tx: RawTx,
  refunds: (ParkedRefund & { saleId: string; deadline: Date })[],
): Promise<void> {
  if (!refunds.length) return;
  await tx.$executeRaw`
    INSERT INTO parked_refunds (tenant_id, transaction_id, sale_id, message, subject, deadline)
    SELECT t, id, s, m::jsonb, sub, d FROM unnest(
      ${sqlArray(refunds.map((r) => r.message.tenantId))}::text[], ${sqlArray(refunds.map((r) => r.message.transactionId))}::text[],
      ${sqlArray(refunds.map((r) => r.saleId))}::text[], ${sqlArray(refunds.map((r) => JSON.stringify(r.message)))}::text[],
      ${sqlArray(refunds.map((r) => r.subject))}::text[], ${sqlArray(refunds.map((r) => r.deadline))}::timestamptz[]
    ) AS x(t, id, s, m, sub, d)
    ON CONFLICT DO NOTHING`;
}

/** What a refund waiting under an id was posted with: its body's fingerprint and the sale it waits for. */
export interface WaitingBody {
  bodyHash: string;
  refundOf: string;
}

/**
 * The refunds waiting under these messages' ids, by id. A refund waits up to a day, far beyond the gateway's
 * duplicate window: a later post under its externalId is told apart from a retry here, not at the door.
 */
export async function waitingUnder(tx: RawTx, messages: TransactionMessage[]): Promise<Map<string, WaitingBody>> {
  if (!messages.length) return new Map();
  const rows = await tx.$queryRaw<{ message: unknown }[]>`
    SELECT message FROM parked_refunds WHERE (tenant_id, transaction_id) IN (
      SELECT * FROM unnest(${sqlArray(messages.map((m) => m.tenantId))}::text[], ${sqlArray(messages.map((m) => m.transactionId))}::text[]))`;
  return new Map(
    rows.map((r) => {
      const { transactionId, transaction } = TransactionMessage.parse(r.message);
      return [transactionId, { bodyHash: transactionFingerprint(transaction), refundOf: transaction.refundOf ?? "" }];
    }),
  );
}

/** A refund waiting for its sale, as its status tells it. */
export interface WaitingRefund {
  transactionId: string;
  receivedAt: string;
  refundOf: string;
  until: Date;
}

/** The refund parked under this externalId, if one waits for its sale. */
export async function refundWaitingUnder(db: Db, tenantId: string, externalId: string): Promise<WaitingRefund | null> {
  const row = await db.parkedRefund.findUnique({
    where: { tenantId_transactionId: { tenantId, transactionId: stableId("transaction", tenantId, externalId) } },
    select: { message: true, deadline: true },
  });
  if (!row) return null;
  const { transactionId, receivedAt, transaction } = TransactionMessage.parse(row.message);
  return { transactionId, receivedAt, refundOf: transaction.refundOf ?? "", until: row.deadline };
}

/** The refunds that were waiting for these sales, taken out of the parking (in the caller's transaction). */
export async function takeParkedRefunds(tx: RawTx, tenantIds: string[], saleIds: string[]): Promise<ParkedRefund[]> {
  if (!saleIds.length) return [];
  // Every batch asks; almost always nothing waits. One probe of the primary key spares sending the
  // batch's sale ids and looking each one up.
  const [waiting] = await tx.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM parked_refunds WHERE tenant_id = ANY(${sqlArray(tenantIds)}::text[])) AS any`;
  if (!waiting?.any) return [];
  const rows = await tx.$queryRaw<{ message: unknown; subject: string }[]>`
    DELETE FROM parked_refunds WHERE sale_id = ANY(${sqlArray(saleIds)}::text[]) RETURNING message, subject, parked_at
    `;
  return rows.map((r) => ({ message: TransactionMessage.parse(r.message), subject: r.subject }));
}

export type ExpiredRefund = ParkedRefund & { reason: string };

/**
 * Refunds whose sale did not arrive by their deadline are rejected (`refunded_sale_not_found`, readable in
 * their status) and returned, so the caller can dead-letter them for an operator to replay once the sale
 * turns up. Several workers may sweep at once: each parked refund is taken by one.
 *
 * `beforeCommit` (the dead-lettering) runs inside the transaction: taken out of the parking and committed
 * first, a refund whose letter then failed would be lost to the operator with no row left to sweep again.
 * When it throws, nothing is taken and the next sweep tries again; it must be safe to repeat (a letter id).
 */
export async function expireParkedRefunds(
  db: Db,
  now: Date,
  waitMs: number,
  beforeCommit?: (expired: ExpiredRefund[]) => Promise<void>,
): Promise<ExpiredRefund[]> {
  return withTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ message: unknown; subject: string }[]>`
      DELETE FROM parked_refunds WHERE (tenant_id, transaction_id) IN (
        SELECT tenant_id, transaction_id FROM parked_refunds WHERE deadline <= ${now} ORDER BY deadline LIMIT 1000 FOR UPDATE SKIP LOCKED)
      RETURNING message, subject`;
    const expired = rows.map((r) => {
      const refund = { message: TransactionMessage.parse(r.message), subject: r.subject };
      return { ...refund, reason: saleDidNotArrive(refund.message.transaction.refundOf, waitMs) };
    });
    await recordRejections(
      tx,
      expired.map((r) => ({
        tenantId: r.message.tenantId,
        externalId: r.message.transaction.externalId,
        bodyHash: transactionFingerprint(r.message.transaction),
        code: "refunded_sale_not_found" as const,
        message: r.reason,
      })),
    );
    if (expired.length) await beforeCommit?.(expired);
    return expired;
  });
}
