import type { TransactionMessage } from "@regulars/contracts";
import { exactNumber, type RawTx } from "@regulars/db";
import { type NewMovement, type ProgrammeAt, returnedLots } from "@regulars/ledger";
import { expiresAt } from "@regulars/rules";
import type { RefundedSale } from "../transactions/sale-records.ts";
import {
  baseMovement,
  type CustomerSale,
  hasCustomer,
  none,
  redeemedEvent,
  type Sale,
  type SaleCheckout,
} from "./commit.ts";
import { countUses } from "./place.ts";
import { lotsTakenInBatch, parseRedeemedLots } from "./redeemed-lots.ts";

/**
 * What a refund gives back of its sale's checkout, in proportion to the money refunded: the wallet cash the sale
 * spent always (it is money, given back as a card payment is), the points it spent when the programme says so
 * (`redemption.refundReturnsPoints`); and its coupon uses when the whole sale is refunded (when the campaign says
 * so). `before` is what earlier refunds of the sale took: their money and their number. A sale paid entirely with
 * points or wallet cash has no money to share by: its first refund gives everything back, and later ones nothing.
 * Only what the sale's record says its checkout used is looked for: a refund of a sale that used no hold and no
 * coupon sends no statement. `pending` is what the batch will post at commit: a sale applied earlier in the same
 * batch has its coupons' credits there, not yet in the ledger.
 * Returned points keep the dates of the lots the hold's redemption took them from (`returnedLots`): their
 * expiry was computed when they were awarded, and a refund does not renew it.
 */
export async function returnSaleCheckout(
  tx: RawTx,
  refund: {
    message: TransactionMessage;
    sale: RefundedSale;
    before: { money: number; count: number };
    programme: ProgrammeAt;
    pending: readonly NewMovement[];
  },
): Promise<SaleCheckout> {
  const out = none();
  const { sale, message: m } = refund;
  const sale_: Sale = { message: m, customerId: sale.customerId, programme: refund.programme };
  const [hold] = sale.checkoutUsed.hold
    ? await tx.$queryRaw<{ id: string; points: bigint; wallet: bigint; redeemed_lots: unknown }[]>`
        SELECT id, points, wallet, redeemed_lots FROM checkout_holds WHERE transaction_id = ${sale.id} AND status = 'committed'`
    : [];
  const { before } = refund;
  const after = before.money + m.transaction.total;
  const share = (n: number) => (sale.total > 0 ? Math.floor((n * Math.min(sale.total, after)) / sale.total) : n);
  const shareBefore = (n: number) =>
    sale.total > 0 ? Math.floor((n * before.money) / sale.total) : before.count > 0 ? n : 0;
  if (hold && hasCustomer(sale_)) {
    const base = baseMovement(sale_);
    const points = exactNumber(hold.points);
    const wallet = exactNumber(hold.wallet);
    const backWallet = share(wallet) - shareBefore(wallet);
    // The setting is about points only ("a refund gives back the points its sale spent"); wallet cash is not under it.
    const returnsPoints = refund.programme.config.redemption?.refundReturnsPoints ?? true;
    if (returnsPoints && share(points) > shareBefore(points)) {
      // Recorded when the redemption was posted; a sale earlier in this batch has not been posted yet.
      const taken =
        parseRedeemedLots(hold.redeemed_lots) ??
        (await lotsTakenInBatch(tx, base, hold.id, refund.pending)) ??
        // A hold committed before its lots were recorded (migration 0042): dated as new points, as it was.
        [];
      const { config, timezone } = refund.programme;
      const asNew = {
        availableAt: base.occurredAt,
        expiresAt: expiresAt(config.expiry, m.transaction.occurredAt, timezone),
      };
      returnedLots(taken, points, shareBefore(points), share(points)).forEach((piece, i) => {
        out.movements.push({
          ...base,
          kind: "reverse",
          amount: piece.points,
          // One movement per lot given back (a lot has one expiry); the first keeps the key it always had.
          idempotencyKey: i === 0 ? `unredeem:${m.transactionId}` : `unredeem:${m.transactionId}:${i}`,
          reason: `refund of ${hold.id}`,
          lot: piece.dates ? { availableAt: base.occurredAt, ...piece.dates } : asNew,
        });
      });
    }
    // Wallet cash is the customer's money, whatever the programme says of points: the refund gives its share back.
    if (backWallet > 0)
      out.movements.push({
        ...base,
        unit: "wallet",
        kind: "reverse",
        amount: backWallet,
        idempotencyKey: `unredeem-wallet:${m.transactionId}`,
        reason: `refund of ${hold.id}`,
      });
  }
  if (after < sale.total || !sale.checkoutUsed.coupons) return out;
  // Refunded in full: the bonus points and wallet cash its coupons credited go back too (once, by the refund that
  // completes the sale), or a returned use could be spent again for another credit.
  const completes = before.money < sale.total || (sale.total === 0 && before.count === 0);
  if (completes && hasCustomer(sale_))
    out.movements.push(...(await takeBackCouponCredits(tx, sale_, sale.id, refund.pending)));
  const campaigns = await tx.$queryRaw<{ id: string; config: { refundReturnsUse?: boolean } }[]>`
    SELECT id, config FROM coupon_campaigns
    WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE transaction_id = ${sale.id} AND status = 'committed')
    ORDER BY id FOR UPDATE`;
  const returning = campaigns.filter((c) => c.config.refundReturnsUse !== false).map((c) => c.id);
  if (!returning.length) return out;
  const uses = await tx.$queryRaw<{ campaign_id: string; code: string; discount: bigint }[]>`
    UPDATE coupon_uses SET status = 'returned', updated_at = now()
    WHERE transaction_id = ${sale.id} AND status = 'committed' AND campaign_id = ANY(${returning}::text[])
    RETURNING campaign_id, code, discount`;
  const returned = uses.map((u) => ({ code: u.code, campaignId: u.campaign_id, discount: exactNumber(u.discount) }));
  await countUses(tx, m.tenantId, returned, -1);
  out.uses.push(...returned);
  if (hasCustomer(sale_))
    for (const u of returned) out.events.push(redeemedEvent(sale_, u.campaignId, u.code, -u.discount, true));
  return out;
}

/**
 * Debits what the sale's coupons credited (`credits` above), each as a negative bonus out of its own credit:
 * found in the ledger, or among the batch's `pending` movements when the sale came earlier in the same batch.
 * A key found in both (it cannot be, the batch skips sales applied before) is taken back once.
 */
async function takeBackCouponCredits(
  tx: RawTx,
  refund: CustomerSale,
  saleId: string,
  pending: readonly NewMovement[],
): Promise<NewMovement[]> {
  const m = refund.message;
  const codes = await tx.$queryRaw<{ code: string }[]>`
    SELECT DISTINCT code FROM coupon_uses WHERE transaction_id = ${saleId} AND status = 'committed'`;
  const keys = codes.flatMap(({ code }) => [`coupon:${saleId}:${code}`, `coupon:${saleId}:${code}:wallet`]);
  if (!keys.length) return [];
  const posted = await tx.$queryRaw<{ idempotency_key: string; unit: "points" | "wallet"; amount: bigint }[]>`
    SELECT idempotency_key, unit, amount FROM ledger_movements
    WHERE tenant_id = ${m.tenantId} AND idempotency_key = ANY(${keys}::text[]) AND amount > 0`;
  const credited = new Map(posted.map((c) => [c.idempotency_key, { unit: c.unit, amount: exactNumber(c.amount) }]));
  for (const p of pending)
    if (p.tenantId === m.tenantId && p.amount > 0 && keys.includes(p.idempotencyKey) && !credited.has(p.idempotencyKey))
      credited.set(p.idempotencyKey, { unit: p.unit, amount: p.amount });
  return [...credited].map(([key, c]) => ({
    ...baseMovement(refund),
    unit: c.unit,
    kind: "bonus" as const,
    amount: -c.amount,
    idempotencyKey: `coupon-undo:${m.transactionId}:${key}`,
    sourceKey: key,
    reason: `refund of ${m.transaction.refundOf} took back the coupon's credit`,
  }));
}
