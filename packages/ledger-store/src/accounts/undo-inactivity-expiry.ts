import { exactNumber, Prisma, type RawTx, sqlArray } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import type { TransactionRow } from "../transactions/store.ts";

/** A sale a batch applies for a known customer: any purchase is activity, whatever it earns. */
export interface CustomerSale {
  tenantId: string;
  customerId: string;
  occurredAt: Date;
}

/** The key that undoes an inactivity expiry: one per expiry, so a redelivery or a second late sale adds nothing. */
export const unexpireKey = (expiryKey: string) => `unexpire:${expiryKey}`;

/**
 * An offline till uploads a sale weeks late, after the inactivity expiry it should have prevented: the customer bought
 * before that expiry was posted, and after the clock it was counted from (the clock is in its key, see `expirePoints`),
 * so the period never ran out (SPEC: a purchase in between resets the clock). Each such expiry is given back, as a
 * lot spendable at once and without a date (an inactivity policy dates no lot).
 *
 * One indexed probe per batch (`ledger_movements_customer_time_idx`): only movements after each sale are read, none
 * for a sale made now, which is nearly every sale.
 */
export async function undoInactivityExpiries(tx: RawTx, sales: CustomerSale[], now: Date): Promise<NewMovement[]> {
  if (!sales.length) return [];
  const expiries = await tx.$queryRaw<
    { tenant_id: string; customer_id: string; idempotency_key: string; amount: bigint; sale_at: Date }[]
  >(inactivityExpiriesAfterStatement(sales));
  const undone = new Map<string, NewMovement>();
  for (const e of expiries) {
    const clock = Date.parse(e.idempotency_key.slice(`expire:inactive:${e.customer_id}:`.length));
    const key = `${e.tenant_id}\u0000${e.idempotency_key}`;
    // A sale at or before the clock was counted already: the period ran from it and did run out.
    if (!(clock < e.sale_at.getTime()) || undone.has(key)) continue;
    undone.set(key, {
      tenantId: e.tenant_id,
      customerId: e.customer_id,
      // An expiry taken back, not a refund: the dashboard nets it out of "expired" (dashboard/points.ts).
      kind: "expire",
      unit: "points",
      amount: -exactNumber(e.amount),
      idempotencyKey: unexpireKey(e.idempotency_key),
      occurredAt: now,
      reason: `a purchase on ${e.sale_at.toISOString().slice(0, 10)} came in after the inactivity expiry`,
      lot: { availableAt: now, expiresAt: null },
    });
  }
  return [...undone.values()];
}

/** The batch's sales with a customer, as `undoInactivityExpiries` takes them. */
export const customerSalesOf = (rows: readonly TransactionRow[]): CustomerSale[] =>
  rows.flatMap((r) =>
    r.customerId && r.message.transaction.type === "sale"
      ? [
          {
            tenantId: r.message.tenantId,
            customerId: r.customerId,
            occurredAt: new Date(r.message.transaction.occurredAt),
          },
        ]
      : [],
  );

/** The inactivity expiries not yet undone posted after each sale of its customer, through the customer/time index. */
export function inactivityExpiriesAfterStatement(sales: readonly CustomerSale[]): Prisma.Sql {
  return Prisma.sql`
    SELECT m.tenant_id, m.customer_id, m.idempotency_key, m.amount, s.at AS sale_at
    FROM unnest(${sqlArray(sales.map((s) => s.tenantId))}::text[], ${sqlArray(sales.map((s) => s.customerId))}::text[],
      ${sqlArray(sales.map((s) => s.occurredAt))}::timestamptz[]) AS s(tenant_id, customer_id, at)
    JOIN ledger_movements m ON m.tenant_id = s.tenant_id AND m.customer_id = s.customer_id AND m.occurred_at > s.at
    WHERE m.kind = 'expire' AND m.unit = 'points' AND m.idempotency_key LIKE 'expire:inactive:%'
      AND NOT EXISTS (SELECT 1 FROM ledger_movements u
        WHERE u.tenant_id = m.tenant_id AND u.idempotency_key = 'unexpire:' || m.idempotency_key)
    ORDER BY s.at`;
}
