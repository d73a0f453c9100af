import { priceCheckout } from "@regulars/checkout";
import type { LoyaltyEvent, Quote, TransactionMessage } from "@regulars/contracts";
import { exactNumber, type RawTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { NewMovement, ProgrammeAt, SaleRecord } from "@regulars/ledger";
import { expiresAt, localDate } from "@regulars/rules";
import { readCheckoutCustomer, readKnownCoupons } from "./checkout-state.ts";
import { awaitsConfirmation } from "./confirm.ts";
import { countUses } from "./place.ts";
import { lockHold, releaseLockedHold } from "./release.ts";

/** What a sale's checkout does to the ledger, decided under the customer's lock in the batch's transaction. */
export interface SaleCheckout {
  movements: NewMovement[];
  events: LoyaltyEvent[];
  /** Per line, the discount the customer had at checkout (the line's own and ours): points earn on the rest. */
  lineDiscounts: number[] | null;
}

const none = (): SaleCheckout => ({ movements: [], events: [], lineDiscounts: null });

interface Sale {
  message: TransactionMessage;
  /** Null for an anonymous sale: it can use coupon codes (counted against their limits), nothing else. */
  customerId: string | null;
  programme: ProgrammeAt;
}

/** A sale's movements and events name its customer: only a sale with one has them. */
type CustomerSale = Sale & { customerId: string };
const hasCustomer = (sale: Sale): sale is CustomerSale => sale.customerId !== null;

/**
 * Commits what the sale used: the hold it names (its points and wallet cash are spent, its coupon uses
 * become committed) and coupon codes posted without a hold (checked against their limits now, under the
 * campaigns' locks; a code that cannot be used any more is not counted). A hold that expired or was
 * voided before its sale arrived spends nothing, and so does one still waiting for its customer's code.
 * Idempotency keys derive from the hold and the transaction, and the batch skips sales applied before,
 * so a redelivered sale commits nothing twice.
 */
export async function commitSaleCheckout(tx: RawTx, sale: Sale): Promise<SaleCheckout> {
  const t = sale.message.transaction;
  const out = none();
  const held = new Set<string>();
  if (t.holdId) {
    const hold = await lockHold(tx, sale.message.tenantId, t.holdId);
    // A sale that reached the gateway after its hold expired finds it lapsed, as the sweep would have left it.
    const lapsed = hold?.status === "held" && hold.expires_at <= new Date(sale.message.receivedAt);
    if (lapsed) await releaseLockedHold(tx, hold, "expired", "expired before its sale arrived");
    const committable =
      hold && !lapsed && hold.status === "held" && hold.customer_id === sale.customerId && hasCustomer(sale);
    if (committable && !(await awaitsConfirmation(tx, hold.id))) {
      const quote = hold.quote as Quote;
      await commitHold(tx, sale, hold.id, quote, exactNumber(hold.points), exactNumber(hold.wallet), out);
      for (const a of quote.applied) if (a.source === "coupon" && a.ref) held.add(a.ref);
    }
  }
  const codes = [...new Set(t.couponCodes.map((c) => c.toUpperCase()))].filter((c) => !held.has(c));
  for (const code of codes) await commitPostedCode(tx, sale, code, out);
  return out;
}

async function commitHold(
  tx: RawTx,
  sale: CustomerSale,
  holdId: string,
  quote: Quote,
  points: number,
  wallet: number,
  out: SaleCheckout,
) {
  const m = sale.message;
  const base = baseMovement(sale);
  if (points > 0)
    out.movements.push({
      ...base,
      kind: "redeem",
      amount: -points,
      idempotencyKey: `redeem:${holdId}`,
      reason: holdId,
    });
  if (wallet > 0)
    out.movements.push({
      ...base,
      unit: "wallet",
      kind: "redeem",
      amount: -wallet,
      idempotencyKey: `redeem-wallet:${holdId}`,
      reason: holdId,
    });
  for (const a of quote.applied.filter((x) => x.source === "coupon" && x.ref)) credits(sale, a.ref!, a, out);
  const uses = await tx.$queryRaw<{ campaign_id: string; code: string; discount: bigint }[]>`
    UPDATE coupon_uses SET status = 'committed', transaction_id = ${m.transactionId}, updated_at = now()
    WHERE hold_id = ${holdId} AND status = 'held'
    RETURNING campaign_id, code, discount`;
  for (const u of uses) out.events.push(redeemedEvent(sale, u.campaign_id, u.code, exactNumber(u.discount), false));
  await tx.$executeRaw`
    UPDATE checkout_holds SET status = 'committed', transaction_id = ${m.transactionId}, updated_at = now()
    WHERE id = ${holdId}`;
  out.lineDiscounts = m.transaction.lines.map((l, i) => {
    const q = quote.lines[i];
    return q ? Math.min(q.discount, l.quantity * l.unitPrice) : l.discount;
  });
}

/** The sale as it earns: each line discounted by at least what the checkout took off it. */
export function paidAfterCheckout(m: TransactionMessage, lineDiscounts: number[]): TransactionMessage {
  const lines = m.transaction.lines.map((l, i) => ({ ...l, discount: Math.max(l.discount, lineDiscounts[i] ?? 0) }));
  const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);
  return { ...m, transaction: { ...m.transaction, lines, total } };
}

/** A code posted on the sale without a hold: used now if its limits still allow it. */
async function commitPostedCode(tx: RawTx, sale: Sale, code: string, out: SaleCheckout) {
  const m = sale.message;
  const t = m.transaction;
  const { timezone, config } = sale.programme;
  const day = localDate(t.occurredAt, timezone);
  const coupons = await readKnownCoupons(tx, m.tenantId, sale.customerId, [code], day, { lock: true });
  const typed = coupons.filter((c) => c.code === code);
  const customer = sale.customerId
    ? await readCheckoutCustomer(tx, m.tenantId, sale.customerId, { lock: false, at: new Date(m.receivedAt) })
    : null;
  // The till already took the discount off its lines: priced on the lines before it, the limits decide.
  const quote = priceCheckout({
    basket: {
      locationId: t.locationId,
      channel: t.channel,
      currency: t.currency,
      lines: t.lines.map((l) => ({ ...l, discount: 0 })),
    },
    selection: { couponCodes: [code], rewardIds: [], points: 0, wallet: 0 },
    at: new Date(t.occurredAt),
    timezone,
    customer,
    programme: config,
    coupons: typed,
  });
  const applied = quote.applied.find((a) => a.source === "coupon" && a.ref === code);
  const campaignId = typed[0]?.campaign?.id;
  if (!applied || !campaignId) return;
  const use = { code, campaignId, discount: applied.amount };
  await tx.$executeRaw`
    INSERT INTO coupon_uses (id, tenant_id, campaign_id, code, customer_id, transaction_id, status, discount, local_day)
    VALUES (${newId("couponUse")}, ${m.tenantId}, ${campaignId}, ${code}, ${sale.customerId}, ${m.transactionId},
            'committed', ${use.discount}, ${day}::date)`;
  await countUses(tx, m.tenantId, [use], +1);
  if (!hasCustomer(sale)) return; // priced without a customer, it credits nothing
  credits(sale, code, applied, out);
  out.events.push(redeemedEvent(sale, campaignId, code, use.discount, false));
}

/** Bonus points and wallet cash a coupon gives (negative `points` / `wallet` in the quote are credits). */
function credits(sale: CustomerSale, code: string, a: Quote["applied"][number], out: SaleCheckout) {
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

function baseMovement(sale: CustomerSale) {
  return {
    tenantId: sale.message.tenantId,
    customerId: sale.customerId,
    unit: "points" as const,
    transactionId: sale.message.transactionId,
    occurredAt: new Date(sale.message.transaction.occurredAt),
  };
}

function redeemedEvent(
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

/**
 * What a refund gives back of its sale's checkout: the points and wallet cash the sale spent, in
 * proportion to the money refunded (when the programme says so), and its coupon uses when the whole sale
 * is refunded (when the campaign says so). `before` is what earlier refunds of the sale took: their money and
 * their number. A sale paid entirely with points or wallet cash has no money to share by: its first refund gives
 * everything back, and later ones nothing.
 */
export async function returnSaleCheckout(
  tx: RawTx,
  refund: {
    message: TransactionMessage;
    sale: SaleRecord;
    before: { money: number; count: number };
    programme: ProgrammeAt;
  },
): Promise<SaleCheckout> {
  const out = none();
  const { sale, message: m } = refund;
  const sale_: Sale = { message: m, customerId: sale.customerId, programme: refund.programme };
  const [hold] = await tx.$queryRaw<{ id: string; points: bigint; wallet: bigint }[]>`
    SELECT id, points, wallet FROM checkout_holds WHERE transaction_id = ${sale.id} AND status = 'committed'`;
  const { before } = refund;
  const after = before.money + m.transaction.total;
  const share = (n: number) => (sale.total > 0 ? Math.floor((n * Math.min(sale.total, after)) / sale.total) : n);
  const shareBefore = (n: number) =>
    sale.total > 0 ? Math.floor((n * before.money) / sale.total) : before.count > 0 ? n : 0;
  if (hold && hasCustomer(sale_) && (refund.programme.config.redemption?.refundReturnsPoints ?? true)) {
    const base = baseMovement(sale_);
    const points = exactNumber(hold.points);
    const wallet = exactNumber(hold.wallet);
    const backPoints = share(points) - shareBefore(points);
    const backWallet = share(wallet) - shareBefore(wallet);
    const { config, timezone } = refund.programme;
    if (backPoints > 0)
      out.movements.push({
        ...base,
        kind: "reverse",
        amount: backPoints,
        idempotencyKey: `unredeem:${m.transactionId}`,
        reason: `refund of ${hold.id}`,
        lot: { availableAt: base.occurredAt, expiresAt: expiresAt(config.expiry, m.transaction.occurredAt, timezone) },
      });
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
  if (after < sale.total) return out;
  // Refunded in full: the bonus points and wallet cash its coupons credited go back too (once, by the refund that
  // completes the sale), or a returned use could be spent again for another credit.
  const completes = before.money < sale.total || (sale.total === 0 && before.count === 0);
  if (completes && hasCustomer(sale_)) out.movements.push(...(await takeBackCouponCredits(tx, sale_, sale.id)));
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
  if (hasCustomer(sale_))
    for (const u of returned) out.events.push(redeemedEvent(sale_, u.campaignId, u.code, -u.discount, true));
  return out;
}

/** Debits what the sale's coupons credited (`credits` above), each as a negative bonus out of its own credit. */
async function takeBackCouponCredits(tx: RawTx, refund: CustomerSale, saleId: string): Promise<NewMovement[]> {
  const m = refund.message;
  const codes = await tx.$queryRaw<{ code: string }[]>`
    SELECT DISTINCT code FROM coupon_uses WHERE transaction_id = ${saleId} AND status = 'committed'`;
  const keys = codes.flatMap(({ code }) => [`coupon:${saleId}:${code}`, `coupon:${saleId}:${code}:wallet`]);
  if (!keys.length) return [];
  const credited = await tx.$queryRaw<{ idempotency_key: string; unit: "points" | "wallet"; amount: bigint }[]>`
    SELECT idempotency_key, unit, amount FROM ledger_movements
    WHERE tenant_id = ${m.tenantId} AND idempotency_key = ANY(${keys}::text[]) AND amount > 0`;
  return credited.map((c) => ({
    ...baseMovement(refund),
    unit: c.unit,
    kind: "bonus" as const,
    amount: -exactNumber(c.amount),
    idempotencyKey: `coupon-undo:${m.transactionId}:${c.idempotency_key}`,
    sourceKey: c.idempotency_key,
    reason: `refund of ${m.transaction.refundOf} took back the coupon's credit`,
  }));
}
