import {
  discountsBeforeStackedCoupons,
  earningDiscounts,
  emptyStack,
  heldToWhatIsLeft,
  leftAfterQuote,
  normalizeCode,
  priceCheckout,
  refusal,
  saleBasketDifference,
  usageDayOf,
  withoutTierDiscount,
} from "@regulars/checkout";
import type {
  LoyaltyEvent,
  PostedCouponOutcome,
  ProcessedCouponUse,
  Quote,
  TransactionMessage,
} from "@regulars/contracts";
import { exactNumber, type RawTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { NewMovement, ProgrammeAt } from "@regulars/ledger";
import { readCheckoutCustomer } from "./checkout-state.ts";
import { awaitsConfirmation } from "./confirm.ts";
import { endedBeforeSale } from "./ended-before-sale.ts";
import { readKnownCoupons } from "./known-coupons.ts";
import { countUses } from "./place.ts";
import { redeemKey } from "./redeemed-lots.ts";
import { claimedBySale, type HoldRow, lockHold, releaseLockedHold } from "./release.ts";
import { baseMovement, credits, redeemedEvent } from "./sale-movements.ts";

/** What a sale's checkout does to the ledger, decided under the customer's lock in the batch's transaction. */
export interface SaleCheckout {
  movements: NewMovement[];
  events: LoyaltyEvent[];
  /** Per line, the discount the customer had at checkout (the line's own and ours): points earn on the rest. */
  lineDiscounts: number[] | null;
  /** Per line, the wallet cash in `lineDiscounts`: the customer's own money, which stamps (`StampLine.walletPaid`). */
  lineWallet: number[] | null;
  /** Each code the sale posted and whether it counted, for the transaction's status to tell the integrator. */
  couponCodes: PostedCouponOutcome[];
  /** The coupon uses the sale committed, anonymous or not, for its transaction.processed. */
  uses: ProcessedCouponUse[];
  /** Why the sale is rejected instead (`hold_ended`: the hold it names ended before it); null when it goes on. */
  holdEnded: string | null;
}

export const none = (): SaleCheckout => ({
  movements: [],
  events: [],
  lineDiscounts: null,
  lineWallet: null,
  couponCodes: [],
  uses: [],
  holdEnded: null,
});

export interface Sale {
  message: TransactionMessage;
  /** Null for an anonymous sale: it can use coupon codes (counted against their limits), nothing else. */
  customerId: string | null;
  /**
   * `localZone`: the zone of the sale's location (`ProgrammeInForce`), for the checks made on the till's clock
   * (coupon weekdays and hours); absent, the tenant's `timezone` (a refund's replay of its sale passes none).
   */
  programme: ProgrammeAt & { localZone?: string };
}

/** A sale's movements and events name its customer: only a sale with one has them. */
export type CustomerSale = Sale & { customerId: string };
export const hasCustomer = (sale: Sale): sale is CustomerSale => sale.customerId !== null;

/**
 * Commits what the sale used: the hold it names (its points and wallet cash are spent, its coupon uses become
 * committed) and coupon codes posted without a hold (checked against their limits now, under the campaigns' locks,
 * and stacked after the hold's coupons and each other as a quote stacks them; a code that cannot be used any more is
 * not counted, and its outcome says why: the till gave the discount already, so the sale stays processed). Codes are
 * compared as a quote compares them, so `once–only ` is the `ONCE-ONLY` its hold committed or its limit counts. A sale
 * naming a hold that ended (voided, expired, past its expiry when the sale arrived, or unknown: `endedBeforeSale`)
 * commits nothing and comes back with `holdEnded`, for the batch to reject it; a claimed hold waits out its grace for
 * the sale that claimed it, whose retry after the expiry commits it. A hold still waiting for its customer's code
 * spends nothing. A hold whose sale is not the basket it was priced on (`saleBasketDifference`: its location, channel and
 * lines) is released and spends nothing either. A customer's hold is committed only by a sale of that customer; a
 * guest's hold (coupon uses only) by any sale of the tenant naming it, anonymous or not: the till gave its
 * discounts, and a guest who shows a loyalty card at payment has those uses counted as theirs (a guest's hold holds
 * no coupon limited per customer, so none of that customer's limits can be passed).
 * Idempotency keys derive from the hold and the transaction, and the batch skips sales applied before,
 * so a redelivered sale commits nothing twice.
 */
export async function commitSaleCheckout(tx: RawTx, sale: Sale): Promise<SaleCheckout> {
  const t = sale.message.transaction;
  const out = none();
  let committed: CommittedHold | null = null;
  if (t.holdId) {
    const hold = await lockHold(tx, sale.message.tenantId, t.holdId);
    // Only a sale the hold could be committed by touches it: another customer's sale (refused at the gateway, but let
    // through by an older gateway) leaves it to the sweep, and a sale naming a hold another sale's claim keeps leaves
    // it to that sale (the batch rejects such a sale, `salesNamingTakenHolds`: one reaches here only when the claim
    // came after the batch read the hold).
    const receivedAt = new Date(sale.message.receivedAt);
    const claimant = hold?.claimed_by_external_id ?? null;
    const claimedByOther =
      claimant !== null && claimant !== t.externalId && hold !== null && claimedBySale(hold, receivedAt);
    const mayCommit = (h: HoldRow) => h.customer_id === null || h.customer_id === sale.customerId;
    // Ended (past an older gateway, or between the gateway's check and its claim): the sale is rejected, its posted
    // codes uncounted, rather than processed with the hold's discounts paid by nothing.
    out.holdEnded = await endedBeforeSale(tx, hold, {
      holdId: t.holdId,
      externalId: t.externalId,
      receivedAt,
      mayCommit,
    });
    if (out.holdEnded) return out;
    const ours = hold?.status === "held" && mayCommit(hold) && !claimedByOther;
    if (hold && ours && !(await awaitsConfirmation(tx, hold.id))) {
      const quote = hold.quote as Quote;
      // Not its basket (the gateway refuses such a sale, but one may have got past an older gateway): what the hold
      // reserved was chosen for another basket, so it is given back and the sale earns on what it paid.
      const differs = await basketDifference(tx, hold.id, quote, t);
      if (differs)
        await releaseLockedHold(tx, hold, "released", `${basketDiffered} (${differs.path} ${differs.message})`);
      else {
        await commitHold(tx, sale, hold.id, quote, exactNumber(hold.points), exactNumber(hold.wallet), out);
        committed = {
          codes: quote.applied.flatMap((a) => (a.source === "coupon" && a.ref ? [a.ref] : [])),
          takenEachLine: discountsBeforeStackedCoupons(quote, t.lines.length),
          leftEachLine: leftAfterQuote(quote, t.lines),
        };
      }
    }
  }
  const posted = [...new Set(t.couponCodes.map(normalizeCode))];
  const held = new Set(committed?.codes);
  const outcomes = await commitPostedCodes(
    tx,
    sale,
    posted.filter((code) => !held.has(code)),
    committed,
    out,
  );
  for (const code of posted) out.couponCodes.push(outcomes.get(code) ?? { code, counted: true, refusal: null });
  return out;
}

/** The hold a sale committed, as the codes it posted beside it stack after it. */
interface CommittedHold {
  /** Its coupons' codes, in the order its quote applied them. */
  codes: string[];
  /** Per line, what its quote had taken off when its coupons were done (`discountsBeforeStackedCoupons`). */
  takenEachLine: number[];
  /** Per line, what its whole quote left to pay (`leftAfterQuote`): all the codes may take. */
  leftEachLine: number[];
}

/** Why a hold named by a sale of another basket ended, as its `ended_reason`, followed by the first difference. */
export const basketDiffered = "its sale's basket differed from the quote";

/** Where the sale first differs from the basket its hold was priced on (the hold is locked); null when it does not. */
async function basketDifference(tx: RawTx, holdId: string, quote: Quote, t: TransactionMessage["transaction"]) {
  const [hold] = await tx.$queryRaw<{ location_id: string; channel: string }[]>`
    SELECT location_id, channel FROM checkout_holds WHERE id = ${holdId}`;
  return saleBasketDifference({ locationId: hold!.location_id, channel: hold!.channel, lines: quote.lines ?? [] }, t);
}

async function commitHold(
  tx: RawTx,
  sale: Sale,
  holdId: string,
  quote: Quote,
  points: number,
  wallet: number,
  out: SaleCheckout,
) {
  const m = sale.message;
  const [committed] = await tx.$queryRaw<{ created_at: Date }[]>`
    UPDATE checkout_holds SET status = 'committed', transaction_id = ${m.transactionId}, updated_at = now()
    WHERE id = ${holdId}
    RETURNING created_at`;
  // Only a sale with a customer spends or credits; a guest's hold has neither points nor wallet cash (the database
  // refuses them) nor coupons that credit (pricing refuses them without a customer).
  if (hasCustomer(sale))
    spendAndCredit(sale, { id: holdId, placedAt: committed!.created_at }, quote, points, wallet, out);
  // A guest's uses become the customer's when the sale names one.
  const uses = await tx.$queryRaw<{ campaign_id: string; code: string; discount: bigint }[]>`
    UPDATE coupon_uses
    SET status = 'committed', transaction_id = ${m.transactionId}, customer_id = coalesce(customer_id, ${sale.customerId}),
        updated_at = now()
    WHERE hold_id = ${holdId} AND status = 'held'
    RETURNING campaign_id, code, discount`;
  for (const u of uses) {
    out.uses.push({ code: u.code, campaignId: u.campaign_id, discount: exactNumber(u.discount) });
    if (hasCustomer(sale)) out.events.push(redeemedEvent(sale, u.campaign_id, u.code, exactNumber(u.discount), false));
  }
  out.lineDiscounts = m.transaction.lines.map((l, i) => {
    const q = quote.lines[i];
    return q ? Math.min(q.discount, l.quantity * l.unitPrice) : l.discount;
  });
  // Spent only by a customer's sale; a quote stored before benefits recorded their lines tells no line's share.
  const walletParts =
    hasCustomer(sale) && wallet > 0
      ? quote.applied.filter((a) => a.source === "wallet").flatMap((a) => a.lines ?? [])
      : [];
  out.lineWallet = m.transaction.lines.map((_l, i) =>
    walletParts.filter((p) => p.lineNo === i).reduce((sum, p) => sum + p.amount, 0),
  );
}

function spendAndCredit(
  sale: CustomerSale,
  hold: { id: string; placedAt: Date },
  quote: Quote,
  points: number,
  wallet: number,
  out: SaleCheckout,
) {
  const base = baseMovement(sale);
  // The hold reserved its points when placed and kept the expiry pass away since: the lots are judged then.
  if (points > 0)
    out.movements.push({
      ...base,
      kind: "redeem",
      amount: -points,
      idempotencyKey: redeemKey(hold.id),
      reason: hold.id,
      validAt: hold.placedAt,
    });
  if (wallet > 0)
    out.movements.push({
      ...base,
      unit: "wallet",
      kind: "redeem",
      amount: -wallet,
      idempotencyKey: `redeem-wallet:${hold.id}`,
      reason: hold.id,
    });
  for (const a of quote.applied.filter((x) => x.source === "coupon" && x.ref)) credits(sale, a.ref!, a, out);
}

/**
 * The sale as it earns, on what was left to pay: each line's discount as `earningDiscounts` decides it from what the
 * till posted and what the checkout took off (a till may move the checkout's discount to other lines than the quote).
 */
export function paidAfterCheckout(m: TransactionMessage, lineDiscounts: number[]): TransactionMessage {
  const discounts = earningDiscounts(
    m.transaction.lines.map((l, i) => ({
      price: l.quantity * l.unitPrice,
      posted: l.discount,
      checkout: lineDiscounts[i] ?? 0,
    })),
  );
  const lines = m.transaction.lines.map((l, i) => ({ ...l, discount: discounts[i]! }));
  const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);
  return { ...m, transaction: { ...m.transaction, lines, total } };
}

/**
 * The codes posted on the sale that its hold did not commit: used now if their limits still allow them. They are
 * priced together, in the order posted and after the hold's coupons, as a quote prices the codes typed: two exclusive
 * coupons, or two of one stacking group, are not both counted because the second came without a hold.
 */
async function commitPostedCodes(
  tx: RawTx,
  sale: Sale,
  codes: string[],
  hold: CommittedHold | null,
  out: SaleCheckout,
): Promise<Map<string, PostedCouponOutcome>> {
  const outcomes = new Map<string, PostedCouponOutcome>();
  if (!codes.length) return outcomes;
  const m = sale.message;
  const t = m.transaction;
  const { timezone, config } = sale.programme;
  // Per-day limits count the tenant's day (a night past midnight the date it began: `usageDayOf`); the coupon's
  // weekdays and hours read the location's clock.
  const clock = { at: new Date(t.occurredAt), timezone, localZone: sale.programme.localZone };
  // Holds past their expiry when the sale reached the gateway hold no uses against the codes' limits (as at a hold).
  const at = new Date(m.receivedAt);
  const heldCodes = hold?.codes ?? [];
  const known = await readKnownCoupons(tx, m.tenantId, sale.customerId, [...heldCodes, ...codes], clock, {
    lock: true,
    at,
  });
  const typed = known.filter((c) => codes.includes(c.code));
  const stackedOn = emptyStack();
  for (const code of heldCodes) {
    const stacking = known.find((c) => c.code === code)?.campaign?.config.stacking;
    stackedOn.codes.push(code);
    if (stacking) stackedOn.applied.push({ exclusive: stacking.exclusive, group: stacking.group });
  }
  const customer = sale.customerId
    ? await readCheckoutCustomer(tx, m.tenantId, sale.customerId, { lock: false, at })
    : null;
  // The till already took the discount off its lines: the codes are priced as a quote selecting them would have, and
  // the limits decide. Without a hold, on the lines before the till's discount (the tier's taken first, as a quote
  // takes it). After a hold, stacked after its coupons as in a quote that selected them too: each line as the hold's
  // quote left it once its coupons were done (the till's own discount, the tier's and the coupons' taken; its rewards,
  // points and wallet cash come after coupons, so not), and the tier's discount, taken with them, is not taken again
  // (its levels still decide coupons limited to tiers). The minimum basket is measured before any discount either way.
  const priced = priceCheckout({
    basket: {
      locationId: t.locationId,
      channel: t.channel,
      currency: t.currency,
      lines: t.lines.map((l, i) => ({ ...l, discount: hold?.takenEachLine[i] ?? 0 })),
    },
    selection: { couponCodes: codes, rewardIds: [], points: 0, wallet: 0 },
    at: new Date(t.occurredAt),
    timezone: sale.programme.localZone ?? timezone,
    customer,
    programme: hold ? withoutTierDiscount(config) : config,
    coupons: typed,
    stackedOn,
  });
  // Its rewards, points and wallet cash, priced after coupons, are committed: the codes keep only what they left.
  const quote = hold ? heldToWhatIsLeft(priced, hold.leftEachLine) : priced;
  const uses: { code: string; campaignId: string; discount: number }[] = [];
  for (const code of codes) {
    const applied = quote.applied.find((a) => a.source === "coupon" && a.ref === code);
    const campaign = typed.find((c) => c.code === code)?.campaign;
    if (!applied || !campaign) {
      const refused = quote.coupons.find((c) => c.selected && c.code === code)?.refusal;
      outcomes.set(code, { code, counted: false, refusal: refused ?? refusal("unknown_code") });
      continue;
    }
    const use = { code, campaignId: campaign.id, discount: applied.amount };
    const day = usageDayOf(campaign.config.conditions.hours, clock.at, clock);
    await tx.$executeRaw`
      INSERT INTO coupon_uses (id, tenant_id, campaign_id, code, customer_id, transaction_id, status, discount, local_day)
      VALUES (${newId("couponUse")}, ${m.tenantId}, ${campaign.id}, ${code}, ${sale.customerId}, ${m.transactionId},
              'committed', ${use.discount}, ${day}::date)`;
    uses.push(use);
    out.uses.push(use);
    // Priced without a customer, it credits nothing.
    if (hasCustomer(sale)) {
      credits(sale, code, applied, out);
      out.events.push(redeemedEvent(sale, campaign.id, code, use.discount, false));
    }
    outcomes.set(code, { code, counted: true, refusal: null });
  }
  await countUses(tx, m.tenantId, uses, +1);
  return outcomes;
}
