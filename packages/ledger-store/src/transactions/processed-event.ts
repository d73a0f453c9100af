import {
  lineAmount,
  type ProcessedCouponUse,
  type TransactionMessage,
  type TransactionProcessed,
} from "@regulars/contracts";
import { type Db, exactNumber } from "@regulars/db";

export function processedEvent(
  m: TransactionMessage,
  customerId: string | null,
  points: number,
  couponUses: ProcessedCouponUse[] = [],
): TransactionProcessed {
  const t = m.transaction;
  return {
    type: "transaction.processed",
    id: `processed:${m.transactionId}`,
    tenantId: m.tenantId,
    transactionId: m.transactionId,
    externalId: t.externalId,
    kind: t.type,
    refundOf: t.refundOf ?? null,
    occurredAt: new Date(t.occurredAt).toISOString(),
    locationId: t.locationId,
    channel: t.channel,
    customerId,
    currency: t.currency,
    total: t.total,
    discountTotal: t.lines.reduce((acc, l) => acc + l.discount, 0),
    points,
    lines: t.lines.map((l, i) => ({
      lineNo: i,
      sku: l.sku,
      name: l.name,
      category: l.category ?? null,
      tags: l.tags,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
      amount: lineAmount(l),
    })),
    couponUses,
  };
}

/**
 * The outbox keeps only a reference for transaction.processed (the event repeats the whole basket);
 * when the relay publishes one that a crash left behind, the stored transaction is the truth and the
 * event is rebuilt from it. A sale's coupon uses are those it committed, given back by a refund since or not; a
 * refund's, those its effects say it gave back.
 */
export async function loadProcessedEvents(db: Db, ids: string[]): Promise<Map<string, TransactionProcessed>> {
  if (!ids.length) return new Map();
  const rows = await db.transaction.findMany({
    where: { id: { in: ids } },
    include: { lines: { orderBy: { lineNo: "asc" } } },
  });
  const uses = await usesBySale(
    db,
    rows.filter((r) => r.type === "sale").map((r) => r.id),
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        type: "transaction.processed" as const,
        id: `processed:${r.id}`,
        tenantId: r.tenantId,
        transactionId: r.id,
        externalId: r.externalId,
        kind: r.type as "sale" | "refund",
        refundOf: r.refundOf,
        occurredAt: r.occurredAt.toISOString(),
        locationId: r.locationId,
        channel: r.channel,
        customerId: r.customerId,
        currency: r.currency,
        total: exactNumber(r.total),
        discountTotal: exactNumber(r.discountTotal),
        points: exactNumber(r.pointsAwarded),
        lines: r.lines.map(storedLine),
        couponUses: r.type === "sale" ? (uses.get(r.id) ?? []) : givenBack(r.effects),
      },
    ]),
  );
}

const givenBack = (effects: unknown): ProcessedCouponUse[] =>
  (effects as { couponUses?: ProcessedCouponUse[] } | null)?.couponUses ?? [];

async function usesBySale(db: Db, saleIds: string[]): Promise<Map<string, ProcessedCouponUse[]>> {
  const bySale = new Map<string, ProcessedCouponUse[]>();
  if (!saleIds.length) return bySale;
  const uses = await db.couponUse.findMany({
    where: { transactionId: { in: saleIds }, status: { in: ["committed", "returned"] } },
    orderBy: [{ createdAt: "asc" }, { code: "asc" }],
  });
  for (const u of uses) {
    const list = bySale.get(u.transactionId!) ?? [];
    list.push({ code: u.code, campaignId: u.campaignId, discount: exactNumber(u.discount) });
    bySale.set(u.transactionId!, list);
  }
  return bySale;
}

/** A stored transaction line as the contracts write it (money as exact numbers). */
export const storedLine = (l: {
  lineNo: number;
  sku: string;
  name: string;
  category: string | null;
  tags: string[];
  quantity: number;
  unitPrice: bigint;
  discount: bigint;
  amount: bigint;
}) => ({
  lineNo: l.lineNo,
  sku: l.sku,
  name: l.name,
  category: l.category,
  tags: l.tags,
  quantity: l.quantity,
  unitPrice: exactNumber(l.unitPrice),
  discount: exactNumber(l.discount),
  amount: exactNumber(l.amount),
});
