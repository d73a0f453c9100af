import { type CheckoutInput, type KnownCoupon, priceCheckout, usageDayOf } from "@regulars/checkout";
import type { HoldRequest, Quote, QuoteRequest } from "@regulars/contracts";
import { type Db, inTransaction, prismaReader, type RawTx, type SqlReader, type TransactionRunner } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";
import { newId } from "@regulars/ids";
import type { ProgrammeCache, ProgrammeInForce } from "@regulars/programme";
import { checkoutCustomerId, readCheckoutCustomer, readQuoteState, tenantCurrency } from "./checkout-state.ts";
import { type HoldConfirmation, needsConfirmation, requestConfirmation, type SendConfirmationSms } from "./confirm.ts";
import { withInactivityDue } from "./due-points.ts";
import { readKnownCoupons } from "./known-coupons.ts";
import { expireLapsedHolds } from "./release.ts";

export interface CheckoutDeps {
  db: Db;
  /** Where quotes read (they write nothing): a pool reader on hot paths; Prisma (`db`) when absent. */
  reader?: SqlReader;
  programmes: Pick<ProgrammeCache, "inForce">;
  now?: () => Date;
}

/** What placing a hold needs beyond a quote: a way to send the customer the code that confirms wallet cash. */
export interface HoldDeps extends CheckoutDeps {
  sendConfirmationSms: SendConfirmationSms;
  /**
   * Where a hold's transaction runs: a pg pool of its own on the gateway (`createPgTransactionRunner`); a Prisma
   * interactive transaction on `db` when absent. Its statements are all raw SQL; through Prisma they cost half of a
   * hold's gateway CPU, and the customer's and the campaigns' locks were held for as long: at 100 holds a second of
   * one campaign they queued behind each other (p50 185–207 ms, against 12 ms on pg).
   */
  transactions?: TransactionRunner;
}

export interface PlacedHold {
  holdId: string;
  expiresAt: string;
  quote: Quote;
  /** Set when the hold waits for the code sent to the customer (it spends wallet cash): confirm it before the sale. */
  confirmation: HoldConfirmation | null;
}

/**
 * The programme in force, read before the transaction opens (its cache uses a connection of its own), with the zone
 * of the basket's location: coupon weekdays and hours are judged on the till's clock (`localZone`), per-day limits
 * on the tenant's (`timezone`) but for a night past midnight, which counts for the date it began (`usageDayOf`).
 */
async function programmeAt(
  deps: CheckoutDeps,
  tenantId: string,
  at: Date,
  basket: QuoteRequest["basket"],
): Promise<ProgrammeInForce> {
  const programme = await deps.programmes.inForce(tenantId, at, basket.locationId);
  if (!programme) throw new DomainError("not_found", "unknown tenant");
  return programme;
}

/**
 * Amounts are minor units of the tenant's currency: a basket in another one would be priced, and its points
 * and coupons held, for a sale the gateway refuses (the same words as its check of a sale's currency).
 */
function refuseForeignCurrency(basket: QuoteRequest["basket"], currency: string | null): void {
  if (currency === null || basket.currency === currency) return;
  throw new DomainError("invalid_request", "the basket's currency does not match the tenant's", [
    { path: "basket.currency", message: `must be ${currency}, the currency of this tenant` },
  ]);
}

/**
 * Reads everything a hold's price needs, under the customer's and the coupon campaigns' locks. A guest's basket
 * (no customer) locks the campaigns only: it reserves nothing of anyone's, and pricing refuses it what needs a
 * customer (points, wallet cash, rewards, coupons limited by tier or per customer).
 */
async function lockedCheckoutInput(
  tx: RawTx,
  programme: ProgrammeInForce,
  tenantId: string,
  request: QuoteRequest,
  at: Date,
): Promise<CheckoutInput> {
  const named = await checkoutCustomerId(tx, tenantId, request.customer);
  // Under its lock the id named may stand for another: the survivor of a merge that committed meanwhile.
  const read = named ? await readCheckoutCustomer(tx, tenantId, named, { lock: true, at }) : null;
  const customer = await withInactivityDue(tx, tenantId, read, programme, at);
  const customerId = customer?.id ?? null;
  // Before anything is reserved: a lapsed hold's late sale must not spend what this hold is about to take.
  if (customerId) await expireLapsedHolds(tx, tenantId, [customerId], at);
  const clock = { at, timezone: programme.timezone, localZone: programme.localZone };
  // `at`: holds of anyone past their expiry end under these locks, or they would keep coupon uses until the sweep.
  const coupons = await readKnownCoupons(tx, tenantId, customerId, request.couponCodes, clock, { lock: true, at });
  return pricingInput(request, at, programme, customer, coupons);
}

function pricingInput(
  request: QuoteRequest,
  at: Date,
  programme: ProgrammeInForce,
  customer: CheckoutInput["customer"],
  coupons: KnownCoupon[],
): CheckoutInput {
  const { basket, couponCodes, rewardIds, points, wallet } = request;
  const selection = { couponCodes, rewardIds, points, wallet };
  // What happens at the till reads the location's clock; per-day limits were counted by the caller (`usageDayOf`).
  return { basket, selection, at, timezone: programme.localZone, customer, programme: programme.config, coupons };
}

/** Prices a basket for a customer: what applies automatically, what could be used, and why the rest cannot. */
export async function quoteCheckout(deps: CheckoutDeps, tenantId: string, request: QuoteRequest): Promise<Quote> {
  const at = deps.now?.() ?? new Date();
  const programme = await programmeAt(deps, tenantId, at, request.basket);
  // One statement, no transaction: a quote reserves nothing, and a hold prices again under its locks.
  const state = await readQuoteState(
    deps.reader ?? prismaReader(deps.db),
    tenantId,
    request.customer,
    request.couponCodes,
    { at, timezone: programme.timezone, localZone: programme.localZone },
  );
  refuseForeignCurrency(request.basket, state.currency);
  // As a hold counts them: a quote shows the points a hold of it could take.
  const customer = await withInactivityDue(deps.db, tenantId, state.customer, programme, at);
  return priceCheckout(pricingInput(request, at, programme, customer, state.coupons));
}

/** What a quote could not give of what was selected: one issue per refused item, with its reason. */
export function refusedSelections(quote: Quote): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const selectedCoupons = quote.coupons.filter((c) => c.selected);
  selectedCoupons.forEach((c, i) => {
    if (c.refusal) issues.push({ path: `couponCodes.${i}`, message: `${c.refusal.code}: ${c.refusal.message}` });
  });
  quote.rewards
    .filter((r) => r.selected)
    .forEach((r, i) => {
      if (r.refusal) issues.push({ path: `rewardIds.${i}`, message: `${r.refusal.code}: ${r.refusal.message}` });
    });
  if (quote.points.refusal)
    issues.push({ path: "points", message: `${quote.points.refusal.code}: ${quote.points.refusal.message}` });
  if (quote.wallet.refusal)
    issues.push({ path: "wallet", message: `${quote.wallet.refusal.code}: ${quote.wallet.refusal.message}` });
  return issues;
}

/**
 * Reserves what the checkout chose (coupon uses, points, wallet cash) until the sale posted with the
 * hold's id commits it, or it is voided or expires. All or nothing: a selection that cannot be given is
 * refused with its reason (`hold_refused`) and nothing is reserved. The customer and the campaigns are
 * locked while the price is computed and the reservation written, so two terminals can never spend the
 * same points or exceed a coupon's limits. A guest's hold (no customer) reserves coupon uses only.
 */
export async function placeHold(deps: HoldDeps, tenantId: string, request: HoldRequest): Promise<PlacedHold> {
  const at = deps.now?.() ?? new Date();
  const programme = await programmeAt(deps, tenantId, at, request.basket);
  return inTransaction(deps.db, deps.transactions, async (tx) => {
    refuseForeignCurrency(request.basket, await tenantCurrency(tx, tenantId));
    const input = await lockedCheckoutInput(tx, programme, tenantId, request, at);
    const quote = priceCheckout(input);
    const refused = refusedSelections(quote);
    if (refused.length) {
      const what = refused.map((r) => `${r.path}: ${r.message.split(":")[0]}`).join(", ");
      throw new DomainError("hold_refused", `the hold cannot reserve all that was selected (${what})`, refused);
    }
    const coupons = quote.applied.filter((a) => a.source === "coupon");
    const points = quote.applied.reduce((sum, a) => sum + Math.max(0, a.points), 0);
    const wallet = quote.applied.reduce((sum, a) => sum + Math.max(0, a.wallet), 0);
    if (!coupons.length && points === 0 && wallet === 0)
      throw new DomainError("invalid_request", "nothing to hold: select coupons, rewards, points or wallet cash");
    const holdId = newId("hold");
    const customerId = input.customer?.id ?? null;
    const expiresAt = new Date(at.getTime() + request.ttlSeconds * 1000);
    await tx.$executeRaw`
      INSERT INTO checkout_holds (id, tenant_id, customer_id, status, points, wallet, quote, location_id, channel, expires_at, created_at, updated_at)
      VALUES (${holdId}, ${tenantId}, ${customerId}, 'held', ${points}, ${wallet}, ${JSON.stringify(quote)}::jsonb,
              ${request.basket.locationId}, ${request.basket.channel}, ${expiresAt}, ${at}, ${at})`;
    const campaignOf = new Map(input.coupons.map((c) => [c.code, c.campaign!]));
    const uses = coupons.map((c) => {
      const campaign = campaignOf.get(c.ref!)!;
      // The day `readKnownCoupons` counted this coupon's per-day limit on.
      const day = usageDayOf(campaign.config.conditions.hours, at, programme);
      return { code: c.ref!, campaignId: campaign.id, discount: c.amount, day };
    });
    if (uses.length) {
      await tx.$executeRaw`
        INSERT INTO coupon_uses (id, tenant_id, campaign_id, code, customer_id, hold_id, status, discount, local_day, created_at, updated_at)
        SELECT u.id, ${tenantId}, u.campaign_id, u.code, ${customerId}, ${holdId}, 'held', u.discount, u.day, ${at}, ${at}
        FROM unnest(${uses.map(() => newId("couponUse"))}::text[], ${uses.map((u) => u.campaignId)}::text[],
                    ${uses.map((u) => u.code)}::text[], ${uses.map((u) => u.discount)}::bigint[],
                    ${uses.map((u) => u.day)}::date[]) AS u(id, campaign_id, code, discount, day)`;
      await countUses(tx, tenantId, uses, +1);
    }
    // Wallet cash is only ever a customer's: a guest's hold spends none, so it never waits for a code.
    const confirmation =
      customerId && needsConfirmation(wallet)
        ? await requestConfirmation(
            tx,
            deps.sendConfirmationSms,
            { tenantId, holdId, customerId, wallet, currency: quote.currency, expiresAt },
            at,
          )
        : null;
    return { holdId, expiresAt: expiresAt.toISOString(), quote, confirmation };
  });
}

/** Moves the campaigns' and codes' use counters by `sign` per use (the caller holds the campaigns' locks). */
export async function countUses(
  tx: RawTx,
  tenantId: string,
  uses: { code: string; campaignId: string; discount: number }[],
  sign: 1 | -1,
): Promise<void> {
  if (!uses.length) return;
  await tx.$executeRaw`
    UPDATE coupon_campaigns c SET used_count = c.used_count + ${sign} * u.n, used_amount = c.used_amount + ${sign} * u.amount, updated_at = now()
    FROM (SELECT campaign_id, count(*) AS n, sum(discount) AS amount
          FROM unnest(${uses.map((u) => u.campaignId)}::text[], ${uses.map((u) => u.discount)}::bigint[]) AS x(campaign_id, discount)
          GROUP BY campaign_id) AS u
    WHERE c.id = u.campaign_id AND c.tenant_id = ${tenantId}`;
  await tx.$executeRaw`
    UPDATE coupon_codes k SET uses = k.uses + ${sign} * u.n
    FROM (SELECT code, count(*)::int AS n FROM unnest(${uses.map((u) => u.code)}::text[]) AS x(code) GROUP BY code) AS u
    WHERE k.tenant_id = ${tenantId} AND k.code = u.code`;
}
