import type { Quote, TransactionMessage } from "@regulars/contracts";
import { exactNumber, type RawTx } from "@regulars/db";
import {
  everyLineRefunded,
  type NewMovement,
  type ProgrammeAt,
  type RefundedLineInput,
  type RefundedPrice,
  redemptionsToReturn,
  refundedPrices,
  returnedLots,
  type Spent,
} from "@regulars/ledger";
import { expiresAt } from "@regulars/rules";
import type { RefundedSale } from "../transactions/sale-records.ts";
import { type CustomerSale, hasCustomer, none, type Sale, type SaleCheckout } from "./commit.ts";
import { countUses } from "./place.ts";
import { lotsTakenInBatch, parseRedeemedLots } from "./redeemed-lots.ts";
import { baseMovement, redeemedEvent } from "./sale-movements.ts";

/**
 * What a refund gives back of its sale's checkout: the wallet cash the sale spent always (it is money, given back as
 * a card payment is), the points it spent (rewards' and redeemed) when the programme says so
 * (`redemption.refundReturnsPoints`), each in proportion to the refunded share of the lines it covered
 * (`redemptionsToReturn`); and its coupon uses when the whole sale is refunded (when the campaign says so). The whole
 * sale is every line of it refunded in full on its price before discounts (`everyLineRefunded`), not its money: a
 * sale paid with points, wallet cash or rewards has none to measure, and refunding one of its lines leaves the
 * customer the others, which the coupon still came with. `before` is what earlier refunds of the sale took: their
 * money and their number; `sale` is as `planRefund` left it, its `refundedPerLine` counting this refund. Only what the
 * sale's record says its checkout used is looked for: a refund of a sale that used no hold and no coupon sends no
 * statement. `pending` is what the batch will post at commit: a sale applied earlier in the same batch has its
 * coupons' credits there, not yet in the ledger, and an earlier refund in it what it gave back.
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
  const { sale, message: m, before } = refund;
  if (!sale.checkoutUsed.hold && !sale.checkoutUsed.coupons) return out;
  const sale_: Sale = { message: m, customerId: sale.customerId, programme: refund.programme };
  const earlier = before.count > 0 ? await earlierRefunds(tx, m, sale) : { lines: [], movements: [] };
  const lines = refundedLines(sale, m, earlier.lines);
  const [hold] = sale.checkoutUsed.hold
    ? await tx.$queryRaw<HoldRow[]>`
        SELECT id, points, wallet, redeemed_lots, quote FROM checkout_holds
        WHERE transaction_id = ${sale.id} AND status = 'committed'`
    : [];
  if (hold && hasCustomer(sale_))
    out.movements.push(...(await returnRedemptions(tx, sale_, refund, hold, lines, earlier.movements)));
  if (!sale.checkoutUsed.coupons) return out;
  // A sale stored without lines has only its money to tell.
  if (!(everyLineRefunded(lines) ?? before.money + m.transaction.total >= sale.total)) return out;
  // Refunded in full: the bonus points and wallet cash its coupons credited go back too (once), or a returned use
  // could be spent again for another credit.
  if (hasCustomer(sale_))
    out.movements.push(...(await takeBackCouponCredits(tx, sale_, sale.id, earlier.movements, refund.pending)));
  const campaigns = await tx.$queryRaw<{ id: string; config: { refundReturnsUse?: boolean } }[]>`
    SELECT id, config FROM coupon_campaigns
    WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE transaction_id = ${sale.id} AND status = 'committed')
    ORDER BY id FOR NO KEY UPDATE`;
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
 * A key found in both (it cannot be, the batch skips sales applied before) is taken back once. A credit an earlier
 * refund of the sale took back (its movements `earlier` in the store, or `pending`) is not taken again: every refund
 * after the one that completed the sale (naming a line again, or of a sale whose campaign keeps its uses) finds the
 * whole sale refunded too.
 */
async function takeBackCouponCredits(
  tx: RawTx,
  refund: CustomerSale,
  saleId: string,
  earlier: readonly EarlierMovement[],
  pending: readonly NewMovement[],
): Promise<NewMovement[]> {
  const m = refund.message;
  const codes = await tx.$queryRaw<{ code: string }[]>`
    SELECT DISTINCT code FROM coupon_uses WHERE transaction_id = ${saleId} AND status = 'committed'`;
  const undone = new Set([...earlier, ...pending].map(takenBackCredit));
  const keys = codes
    .flatMap(({ code }) => [`coupon:${saleId}:${code}`, `coupon:${saleId}:${code}:wallet`])
    .filter((k) => !undone.has(k));
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
    idempotencyKey: `${couponUndo}${m.transactionId}:${key}`,
    sourceKey: key,
    reason: `refund of ${m.transaction.refundOf} took back the coupon's credit`,
  }));
}

const couponUndo = "coupon-undo:";

/** The coupon credit (its key) a movement of a refund took back; null for any other movement. */
function takenBackCredit(mv: EarlierMovement): string | null {
  const prefix = `${couponUndo}${mv.transactionId}:`;
  return mv.idempotencyKey.startsWith(prefix) ? mv.idempotencyKey.slice(prefix.length) : null;
}

type HoldRow = { id: string; points: bigint; wallet: bigint; redeemed_lots: unknown; quote: Quote };
type Refund = Parameters<typeof returnSaleCheckout>[1];
/** A movement an earlier refund of the sale posted, stored or pending in the batch. */
type EarlierMovement = Pick<NewMovement, "transactionId" | "unit" | "reason" | "idempotencyKey" | "amount"> & {
  kind: string;
};

/**
 * How much of each sale line's price (before discounts) the sale's refunds have taken back, this one included: the
 * lines of the stored ones (`stored`), of those earlier in the batch (on the sale's record, not stored yet), and its
 * own, which it records there for the refunds after it.
 */
function refundedLines(sale: RefundedSale, m: TransactionMessage, stored: RefundedLineInput[]): RefundedPrice[] {
  // The price each refund line takes back, before discounts: a line the checkout paid for entirely refunds no money.
  const own = m.transaction.lines.map((l) => ({
    lineNo: l.lineNo ?? null,
    sku: l.sku,
    price: l.quantity * l.unitPrice,
  }));
  const inBatch = sale.refundLinesInBatch ?? [];
  sale.refundLinesInBatch = [...inBatch, ...own];
  return refundedPrices(
    sale.lines.map((l, i) => ({
      sku: l.sku,
      price: l.price,
      paid: l.amount,
      paidRefunded: sale.refundedPerLine[i] ?? 0,
    })),
    [...stored, ...inBatch, ...own],
  );
}

/**
 * The points and wallet cash this refund gives back of the hold its sale committed: what the refunds so far have
 * earned back of each redemption, less what the earlier ones gave (read from the ledger and the batch, so refunds
 * posted before the shares were measured by lines, or by another rule, still never give back more than was spent).
 */
async function returnRedemptions(
  tx: RawTx,
  sale: CustomerSale,
  refund: Refund,
  hold: HoldRow,
  lines: RefundedPrice[],
  earlier: readonly EarlierMovement[],
): Promise<NewMovement[]> {
  const m = sale.message;
  const base = baseMovement(sale);
  const reason = `refund of ${hold.id}`;
  const spent = { points: exactNumber(hold.points), wallet: exactNumber(hold.wallet) };
  const returned: Spent = { points: 0, wallet: 0 };
  for (const r of [...earlier, ...refund.pending])
    if (
      r.transactionId !== m.transactionId &&
      r.kind === "reverse" &&
      r.reason === reason &&
      r.idempotencyKey.startsWith("unredeem")
    )
      returned[r.unit] += r.amount;
  // Holds are stored JSON: a quote from before lines were recorded on it shares over the whole sale.
  const redemptions = hold.quote.applied
    .filter((a) => a.source === "reward" || a.source === "points" || a.source === "wallet")
    .map((a) => ({ points: a.points, wallet: a.wallet, lines: a.lines ?? [] }));
  const back = redemptionsToReturn(spent, redemptions, lines, returned);
  const out: NewMovement[] = [];
  // The setting is about points only ("a refund gives back the points its sale spent"); wallet cash is not under it.
  const returnsPoints = refund.programme.config.redemption?.refundReturnsPoints ?? true;
  if (returnsPoints && back.points > 0) {
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
    returnedLots(taken, spent.points, returned.points, returned.points + back.points).forEach((piece, i) => {
      out.push({
        ...base,
        kind: "reverse",
        amount: piece.points,
        // One movement per lot given back (a lot has one expiry); the first keeps the key it always had.
        idempotencyKey: i === 0 ? `unredeem:${m.transactionId}` : `unredeem:${m.transactionId}:${i}`,
        reason,
        lot: piece.dates ? { availableAt: base.occurredAt, ...piece.dates } : asNew,
      });
    });
  }
  // Wallet cash is the customer's money, whatever the programme says of points: the refund gives its share back.
  if (back.wallet > 0)
    out.push({
      ...base,
      unit: "wallet",
      kind: "reverse",
      amount: back.wallet,
      idempotencyKey: `unredeem-wallet:${m.transactionId}`,
      reason,
    });
  return out;
}

/**
 * The sale's refunds stored before this one: the lines they took back (by the sale line each named, or by sku) and
 * what they gave back of its hold and took back of its coupons' credits. Refunds earlier in the same batch are not
 * stored yet: what they moved is in the batch's pending movements, and their lines on the sale's record
 * (`refundLinesInBatch`).
 */
async function earlierRefunds(tx: RawTx, m: TransactionMessage, sale: RefundedSale) {
  const lines = await tx.$queryRaw<{ refunds_line_no: number | null; sku: string; price: bigint }[]>`
    SELECT l.refunds_line_no, l.sku, l.quantity * l.unit_price AS price
    FROM transactions r JOIN transaction_lines l ON l.transaction_id = r.id
    WHERE r.tenant_id = ${m.tenantId} AND r.refund_of = ${sale.externalId} AND r.id <> ${m.transactionId}
    ORDER BY r.processed_at, r.id, l.line_no`;
  const moved = await tx.$queryRaw<
    {
      transaction_id: string;
      unit: "points" | "wallet";
      kind: string;
      reason: string | null;
      idempotency_key: string;
      amount: bigint;
    }[]
  >`
    SELECT mv.transaction_id, mv.unit, mv.kind, mv.reason, mv.idempotency_key, mv.amount
    FROM transactions r JOIN ledger_movements mv ON mv.transaction_id = r.id
    WHERE r.tenant_id = ${m.tenantId} AND r.refund_of = ${sale.externalId} AND r.id <> ${m.transactionId}
      AND (mv.idempotency_key LIKE 'unredeem%' OR mv.idempotency_key LIKE 'coupon-undo:%')`;
  return {
    lines: lines.map((l) => ({ lineNo: l.refunds_line_no, sku: l.sku, price: exactNumber(l.price) })),
    movements: moved.map((r) => ({
      transactionId: r.transaction_id,
      unit: r.unit,
      kind: r.kind,
      reason: r.reason,
      idempotencyKey: r.idempotency_key,
      amount: exactNumber(r.amount),
    })),
  };
}
