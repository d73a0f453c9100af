import type { TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyAtTill, tillMessage } from "./fixtures.ts";

export const DAY = 86_400_000;
let serial = 0;

/** A customer the tills enrolled by phone (a real first sale through the ledger). */
export async function tillCustomer(db: Db, tenantId: string, now: Date): Promise<{ id: string; phone: string }> {
  const phone = `+48603${String(++serial).padStart(6, "0")}`;
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 100 }, now));
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  return { id: customer.id, phone };
}

interface Processed {
  daysAgo: number;
  total: number;
  kind?: "sale" | "refund";
  locationId?: string;
  channel?: string;
  lines?: { quantity: number; tags: string[] }[];
}

/** A `transaction.processed` event as the ledger publishes it, `daysAgo` before `now`. */
export function processed(tenantId: string, customerId: string | null, now: Date, p: Processed): TransactionProcessed {
  const n = ++serial;
  return {
    type: "transaction.processed",
    id: `evt_profile_${n}_${now.getTime()}`,
    tenantId,
    transactionId: `tx_profile_${n}_${now.getTime()}_${Math.random().toString(36).slice(2, 8)}`,
    externalId: `PROFILE-${n}`,
    kind: p.kind ?? "sale",
    refundOf: null,
    occurredAt: new Date(now.getTime() - p.daysAgo * DAY).toISOString(),
    locationId: p.locationId ?? "store-a",
    channel: p.channel ?? "pos",
    customerId,
    currency: "EUR",
    total: p.total,
    discountTotal: 0,
    points: 0,
    lines: (p.lines ?? [{ quantity: 1, tags: [] }]).map((l, lineNo) => ({
      lineNo,
      sku: `SKU-${lineNo}`,
      name: "Item",
      category: null,
      tags: l.tags,
      quantity: l.quantity,
      unitPrice: 0,
      discount: 0,
      amount: 0,
    })),
  };
}
