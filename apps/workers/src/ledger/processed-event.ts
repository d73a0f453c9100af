import { lineAmount, type TransactionMessage, type TransactionProcessed } from "@regulars/contracts";

export function processedEvent(m: TransactionMessage, customerId: string | null, points: number): TransactionProcessed {
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
  };
}
