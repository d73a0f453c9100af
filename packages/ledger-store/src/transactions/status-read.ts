import type { PostedCouponOutcome } from "@regulars/contracts";
import { type Db, exactNumber } from "@regulars/db";
import { customerBalances } from "../accounts/balances.ts";
import { refundWaitingUnder } from "./parked.ts";
import { couponCodesOf } from "./posted-codes.ts";
import { standingOf } from "./status-standing.ts";

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
  | {
      status: "accepted";
      externalId: string;
      id: string;
      receivedAt: string;
      /** Set while a refund waits for the sale it refunds (and until when); null otherwise. */
      waitingForSale: { refundOf: string; until: string } | null;
      /** As for a processed one: later posts of this externalId with a different body. */
      conflicts: number;
    };

/**
 * Where a posted transaction stands: processed (with its points, the customer's balance and what became of
 * its coupon codes), accepted and still on its way or waiting for its sale, or rejected (with the reason).
 * Null when nothing of it is known. Which of these answers is `standingOf`'s to say.
 */
export async function transactionStatus(
  db: Db,
  tenantId: string,
  externalId: string,
): Promise<TransactionStatus | null> {
  const [processed, waiting, rejections, receipt] = await Promise.all([
    db.transaction.findUnique({ where: { tenantId_externalId: { tenantId, externalId } } }),
    refundWaitingUnder(db, tenantId, externalId),
    db.transactionRejection.findMany({ where: { tenantId, externalId }, orderBy: { rejectedAt: "desc" } }),
    db.transactionReceipt.findUnique({ where: { tenantId_externalId: { tenantId, externalId } } }),
  ]);
  const standing = standingOf({ processed, waiting, rejections, receipt });
  switch (standing?.status) {
    case undefined:
      return null;
    case "processed": {
      const tx = standing.processed;
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
        conflicts: standing.conflicts,
        couponCodes: couponCodesOf(tx.explanation),
      };
    }
    case "waiting": {
      const { transactionId, receivedAt, refundOf, until } = standing.waiting;
      return {
        status: "accepted",
        externalId,
        // The receipt may be pruned or not written yet; the parked message carries the same facts.
        id: receipt?.transactionId ?? transactionId,
        receivedAt: receipt?.receivedAt.toISOString() ?? new Date(receivedAt).toISOString(),
        waitingForSale: { refundOf, until: until.toISOString() },
        conflicts: standing.conflicts,
      };
    }
    case "rejected": {
      const { code, message, rejectedAt } = standing.rejection;
      return { status: "rejected", externalId, reason: { code, message }, rejectedAt: rejectedAt.toISOString() };
    }
    case "accepted": {
      const { transactionId, receivedAt } = standing.receipt;
      return {
        status: "accepted",
        externalId,
        id: transactionId,
        receivedAt: receivedAt.toISOString(),
        waitingForSale: null,
        conflicts: standing.conflicts,
      };
    }
  }
}
