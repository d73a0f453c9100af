import type { LoyaltyEvent, Quote } from "@regulars/contracts";
import { expiresAt } from "@regulars/rules";
import type { CustomerSale, SaleCheckout } from "./commit.ts";

// The movements and events a sale's checkout books for its customer, shared by the commit and the refund's return.

/** Bonus points and wallet cash a coupon gives (negative `points` / `wallet` in the quote are credits). */
export function credits(sale: CustomerSale, code: string, a: Quote["applied"][number], out: SaleCheckout) {
  const base = baseMovement(sale);
  const { config, timezone } = sale.programme;
  const occurredAt = sale.message.transaction.occurredAt;
  const key = `coupon:${sale.message.transactionId}:${code}`;
  if (a.points < 0)
    out.movements.push({
      ...base,
      kind: "bonus",
      amount: -a.points,
      idempotencyKey: key,
      reason: `coupon ${code}`,
      lot: { availableAt: base.occurredAt, expiresAt: expiresAt(config.expiry, occurredAt, timezone) },
    });
  if (a.wallet < 0)
    out.movements.push({
      ...base,
      unit: "wallet",
      kind: "bonus",
      amount: -a.wallet,
      idempotencyKey: `${key}:wallet`,
      reason: `coupon ${code}`,
    });
}

export function baseMovement(sale: CustomerSale) {
  return {
    tenantId: sale.message.tenantId,
    customerId: sale.customerId,
    unit: "points" as const,
    transactionId: sale.message.transactionId,
    occurredAt: new Date(sale.message.transaction.occurredAt),
  };
}

export function redeemedEvent(
  sale: CustomerSale,
  campaignId: string,
  code: string,
  discount: number,
  returned: boolean,
): LoyaltyEvent {
  return {
    type: "coupon.redeemed",
    id: `coupon:${sale.message.transactionId}:${code}`,
    tenantId: sale.message.tenantId,
    customerId: sale.customerId,
    occurredAt: new Date(sale.message.transaction.occurredAt).toISOString(),
    campaignId,
    code,
    discount,
    transactionId: sale.message.transactionId,
    returned,
  };
}
