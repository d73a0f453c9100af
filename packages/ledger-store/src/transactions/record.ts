import { type Db, exactNumber } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { transactionMovements } from "../accounts/history.ts";
import { storedLine } from "./processed-event.ts";
import { transactionStatus } from "./status-read.ts";

/** The externalId a transaction id was accepted under (ids are derived from it, so only a record tells). */
export async function externalIdOf(db: Db, tenantId: string, id: string): Promise<string | null> {
  const [tx, receipt] = await Promise.all([
    db.transaction.findFirst({ where: { id, tenantId }, select: { externalId: true } }),
    db.transactionReceipt.findFirst({ where: { transactionId: id, tenantId }, select: { externalId: true } }),
  ]);
  return tx?.externalId ?? receipt?.externalId ?? null;
}

/**
 * A transaction's status (see `transactionStatus`) and, once processed, its whole record: lines (with the
 * sale line a refund line took back), the movements it caused and the earning explanation. Null when
 * nothing of it is known.
 */
export async function transactionRecord(db: Db, tenantId: string, externalId: string) {
  const status = await transactionStatus(db, tenantId, externalId);
  if (status?.status !== "processed") return status;
  const tx = await db.transaction.findFirstOrThrow({
    where: { id: stableId("transaction", tenantId, externalId), tenantId },
    include: { lines: { orderBy: { lineNo: "asc" } } },
  });
  return {
    ...status,
    refundOf: tx.refundOf,
    locationId: tx.locationId,
    channel: tx.channel,
    currency: tx.currency,
    total: exactNumber(tx.total),
    discountTotal: exactNumber(tx.discountTotal),
    programmeVersion: tx.programmeVersion,
    explanation: tx.explanation,
    lines: tx.lines.map((l) => ({ ...storedLine(l), refundsLineNo: l.refundsLineNo })),
    movements: (await transactionMovements(db, tenantId, tx.id)).map(({ id, kind, unit, amount, occurredAt }) => ({
      id,
      kind,
      unit,
      amount,
      occurredAt,
    })),
  };
}
