import {
  type Db,
  exactNumber,
  inTransaction,
  Prisma,
  type RawTx,
  sqlArray,
  type TransactionRunner,
  withTransaction,
} from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { lockCustomers } from "../customers/loyalty-state.ts";
import { type JobContext, type JobResult, SLICE } from "../jobs/context.ts";
import { countUses } from "./place.ts";

export type HoldStatus = "held" | "committed" | "released" | "expired";

export interface HoldRow {
  id: string;
  tenant_id: string;
  /** Null for a guest's hold: coupon uses only. */
  customer_id: string | null;
  status: HoldStatus;
  points: bigint;
  wallet: bigint;
  quote: unknown;
  expires_at: Date;
  transaction_id: string | null;
  /** When the gateway accepted a sale naming it before its expiry (`claimHeldHolds`); null when none did. */
  claimed_at: Date | null;
  /** The `externalId` of that sale; null when none claimed it, or it was claimed before claims named theirs. */
  claimed_by_external_id: string | null;
}

/**
 * Locks a hold in the order every writer uses: its customer, then the campaigns of its coupon uses, then
 * the hold row. A guest's hold has no customer to lock. Null when the tenant has no such hold. Campaigns are locked
 * FOR NO KEY UPDATE, as every hold writer does (`lockCampaignsEndingLapsedHolds`): codes being added hold no till up.
 */
export async function lockHold(tx: RawTx, tenantId: string, holdId: string): Promise<HoldRow | null> {
  const [found] = await tx.$queryRaw<{ customer_id: string | null }[]>`
    SELECT customer_id FROM checkout_holds WHERE id = ${holdId} AND tenant_id = ${tenantId}`;
  if (!found) return null;
  if (found.customer_id) await lockCustomers(tx, [found.customer_id]);
  await tx.$queryRaw`
    SELECT id FROM coupon_campaigns WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE hold_id = ${holdId})
    ORDER BY id FOR NO KEY UPDATE`;
  const [hold] = await tx.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id, claimed_at,
      claimed_by_external_id
    FROM checkout_holds WHERE id = ${holdId} FOR UPDATE`;
  return hold ?? null;
}

/** Gives back a held hold's coupon uses and ends it (the caller holds its locks). */
export async function releaseLockedHold(
  tx: RawTx,
  hold: HoldRow,
  status: "released" | "expired",
  reason: string,
): Promise<void> {
  const uses = await tx.$queryRaw<{ code: string; campaign_id: string; discount: bigint }[]>`
    UPDATE coupon_uses SET status = 'released', updated_at = now()
    WHERE hold_id = ${hold.id} AND status = 'held'
    RETURNING code, campaign_id, discount`;
  await countUses(
    tx,
    hold.tenant_id,
    uses.map((u) => ({ code: u.code, campaignId: u.campaign_id, discount: exactNumber(u.discount) })),
    -1,
  );
  await tx.$executeRaw`
    UPDATE checkout_holds SET status = ${status}, ended_reason = ${reason}, updated_at = now() WHERE id = ${hold.id}`;
}

/** Why a hold past its expiry ended, whoever ended it: the sweep, or a new hold of its customer. */
const EXPIRED = "expired";

/**
 * A held hold waiting for its customer's code past the code's expiry: it is released, as the API says (`expiresAt`
 * of the confirmation), with the reason a confirmation tried too late gives (`confirmHold`). No sale commits it any
 * more (`awaitsConfirmation`), so it reserves nothing from then on, whoever ends it. `hold` names the row's table.
 */
const codeLapsed = (at: Date, hold: Prisma.Sql) => Prisma.sql`EXISTS (
  SELECT 1 FROM hold_confirmations c WHERE c.hold_id = ${hold}.id AND c.confirmed_at IS NULL AND c.expires_at <= ${at})`;

/**
 * How long after its expiry a hold claimed by a sale (`claimHeldHolds`) stays reserved: longer than the ledger
 * normally lags the gateway (seconds; minutes in an incident), so that a sale accepted before the expiry is committed
 * with its hold however late it is applied. Past it the hold lapses as any other: a claiming sale that was never
 * stored keeps the hold's points and wallet cash reserved for this long at most (one the ledger rejected gives its
 * claim back with the rejection, `releaseRejectedSalesClaims`).
 */
export const CLAIM_GRACE_MS = 15 * 60_000;

/** A held hold past its expiry, unless a sale claimed it before then and the grace after it has not run out. */
const pastExpiry = (at: Date, hold: Prisma.Sql) => Prisma.sql`(${hold}.expires_at <= ${at} AND NOT coalesce(
  ${hold}.claimed_at < ${hold}.expires_at AND ${hold}.expires_at > ${new Date(at.getTime() - CLAIM_GRACE_MS)}, false))`;

/**
 * True for a held hold that no longer reserves at `at`, whether or not the sweep has ended it yet: past its expiry
 * (and its grace, when claimed), or past the expiry of the code it still waits for. `hold` is the alias of
 * `checkout_holds` in the statement. Every reader of what holds reserve and every writer ending lapsed holds asks this.
 */
export const holdLapsed = (at: Date, hold = "checkout_holds") =>
  Prisma.sql`(${pastExpiry(at, Prisma.raw(hold))} OR ${codeLapsed(at, Prisma.raw(hold))})`;

/** How a lapsed hold is ended: its code lapsed first (a code never outlives its hold), else the hold itself. */
const lapseOf = (at: Date) => Prisma.sql`
  CASE WHEN ${codeLapsed(at, Prisma.raw("h"))} THEN 'confirmation_expired'
       WHEN ${pastExpiry(at, Prisma.raw("h"))} THEN 'expired' END`;

/**
 * Ends those of these locked holds that are held and lapsed at `at`, each as it lapsed (`lapseOf`): `expired` (with
 * `expiredReason`), or `released` for a code that expired unconfirmed, as `confirmHold` releases it. Read again under
 * the caller's locks (a claim or a confirmation may have come since the holds were picked). How many it ended.
 */
export async function endLapsedHolds(
  tx: RawTx,
  holds: readonly HoldRow[],
  at: Date,
  expiredReason = EXPIRED,
): Promise<number> {
  if (!holds.length) return 0;
  const lapses = await tx.$queryRaw<{ id: string; lapse: "expired" | "confirmation_expired" | null }[]>`
    SELECT h.id, ${lapseOf(at)} AS lapse FROM checkout_holds h
    WHERE h.id = ANY(${holds.map((h) => h.id)}::text[]) AND h.status = 'held'`;
  const lapseOfHold = new Map(lapses.map((l) => [l.id, l.lapse]));
  let ended = 0;
  for (const hold of holds) {
    const lapse = lapseOfHold.get(hold.id);
    if (lapse === "expired") await releaseLockedHold(tx, hold, "expired", expiredReason);
    else if (lapse === "confirmation_expired") await releaseLockedHold(tx, hold, "released", "confirmation_expired");
    else continue;
    ended++;
  }
  return ended;
}

/**
 * Ends the customers' held holds lapsed at `at` (`holdLapsed`), as the sweep does (the caller holds the customers'
 * locks, as a new hold does). A lapsed hold already reserves nothing, but its sale is judged by the time it reached the
 * gateway: a sale received just before the expiry and applied after another writer took what the hold had reserved
 * (a new hold, the expiry job, an admin's debit) would commit the lapsed hold too, spending the same points and
 * wallet cash twice. Ended now, that sale finds it expired and commits nothing, as if it had arrived late. A sale the
 * gateway accepted in time claimed its hold (`claimHeldHolds`): that hold has not lapsed until its grace ends. The lapsed
 * holds' campaigns are locked before the holds (the `lockHold` order); a checkout's own campaigns are locked after
 * them, which may deadlock with a writer locking both at once: Postgres breaks it and the transaction is retried.
 */
export async function expireLapsedHolds(
  tx: RawTx,
  tenantId: string,
  customerIds: readonly string[],
  at: Date,
): Promise<void> {
  if (!customerIds.length) return;
  const lapsed = await tx.$queryRaw<{ id: string }[]>`
    SELECT h.id FROM checkout_holds h
    WHERE h.tenant_id = ${tenantId} AND h.customer_id = ANY(${[...customerIds]}::text[]) AND h.status = 'held'
      AND ${holdLapsed(at, "h")}`;
  if (!lapsed.length) return;
  const ids = lapsed.map((h) => h.id);
  await tx.$queryRaw`
    SELECT id FROM coupon_campaigns WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE hold_id = ANY(${ids}::text[]))
    ORDER BY id FOR NO KEY UPDATE`;
  const holds = await tx.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id, claimed_at,
      claimed_by_external_id
    FROM checkout_holds WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  await endLapsedHolds(tx, holds, at);
}

/**
 * True while a sale the gateway accepted keeps this hold for itself (`claimHeldHolds`): claimed before its expiry, and
 * the grace after the expiry not yet run out, the same test as `pastExpiry`. The ledger will commit the hold with that
 * sale, whose lines already carry the hold's discounts.
 */
export const claimedBySale = (hold: Pick<HoldRow, "claimed_at" | "expires_at">, at: Date) =>
  hold.claimed_at !== null &&
  hold.claimed_at < hold.expires_at &&
  hold.expires_at.getTime() > at.getTime() - CLAIM_GRACE_MS;

/** The claim a sale made on the hold it names (`claimHeldHolds` records the sale's `externalId` as the claimant). */
export interface SaleClaim {
  tenantId: string;
  holdId: string;
  externalId: string;
}

/** The claim a sale made on the hold it names; none for a refund, or a sale naming no hold. */
export const saleClaimOf = (m: {
  tenantId: string;
  transaction: { type: string; externalId: string; holdId?: string | null };
}): SaleClaim | undefined =>
  m.transaction.type === "sale" && m.transaction.holdId
    ? { tenantId: m.tenantId, holdId: m.transaction.holdId, externalId: m.transaction.externalId }
    : undefined;

/**
 * Gives back the claims of sales the ledger rejected (in the transaction recording the rejections): such a sale commits
 * nothing, so its hold is as if unclaimed again, voidable at once and lapsing at its own expiry, not a grace after it.
 * Only the claim the sale made itself, told by the `externalId` that claimed (the first claim is kept; two sales of one
 * request share their receipt's time, so the time cannot tell them): a hold another sale claimed stays claimed for
 * it, and a hold committed or ended is left as it is. A claim made before claims named their transaction is not given
 * back: it keeps the hold reserved until the grace after its expiry at most.
 */
export async function releaseRejectedSalesClaims(tx: RawTx, claims: readonly SaleClaim[]): Promise<void> {
  if (!claims.length) return;
  await tx.$executeRaw`
    UPDATE checkout_holds h SET claimed_at = NULL, claimed_by_external_id = NULL
    FROM unnest(${sqlArray(claims.map((c) => c.tenantId))}::text[], ${sqlArray(claims.map((c) => c.holdId))}::text[],
                ${sqlArray(claims.map((c) => c.externalId))}::text[]) AS c(tenant_id, hold_id, external_id)
    WHERE h.id = c.hold_id AND h.tenant_id = c.tenant_id AND h.status = 'held'
      AND h.claimed_by_external_id = c.external_id`;
}

/**
 * Voids a hold (the order was abandoned): what it reserved is free again. Voiding a released or expired
 * hold changes nothing; a committed one cannot be voided (refund the sale instead), nor one a sale accepted by the
 * gateway claimed: that sale gave the hold's discounts and will spend what the hold reserved when the ledger applies
 * it, and a void before then would let the customer keep both. Past the claim's grace (a sale never stored), or
 * once the ledger rejected the claiming sale (its claim went with the rejection), the hold is voided as any other.
 * In a transaction on `transactions` when given (the gateway's pool for holds, `HoldDeps.transactions`).
 */
export async function voidHold(
  db: Db,
  tenantId: string,
  holdId: string,
  at: Date = new Date(),
  transactions?: TransactionRunner,
): Promise<{ holdId: string; status: HoldStatus }> {
  return inTransaction(db, transactions, async (tx) => {
    const hold = await lockHold(tx, tenantId, holdId);
    if (!hold) throw new DomainError("not_found", `no hold ${holdId}`);
    if (hold.status === "committed")
      throw new DomainError("hold_ended", `hold ${holdId} was committed by its sale; refund the sale instead`);
    if (hold.status !== "held") return { holdId, status: hold.status };
    if (claimedBySale(hold, at))
      throw new DomainError(
        "hold_ended",
        `a sale was accepted with hold ${holdId}; it commits the hold when applied: refund the sale instead`,
      );
    await releaseLockedHold(tx, hold, "released", "voided");
    return { holdId, status: "released" as const };
  });
}

/**
 * Ends a tenant's lapsed holds (`holdLapsed`) that no sale committed (a scheduled job): past their expiry, or waiting
 * for a code past its expiry. Each hold is ended in its own transaction under its locks, so a sale committing it at the
 * same moment either wins (the hold is committed) or finds it ended. Held holds are few (the index of held holds by
 * expiry): the codes are looked up for those only.
 */
export async function releaseExpiredHolds(ctx: JobContext): Promise<JobResult> {
  let acted = 0;
  for (;;) {
    const due = await ctx.db.$queryRaw<{ id: string }[]>`
      SELECT h.id FROM checkout_holds h
      WHERE h.tenant_id = ${ctx.tenantId} AND h.status = 'held' AND ${holdLapsed(ctx.now, "h")}
      ORDER BY h.expires_at LIMIT ${SLICE}`;
    for (const { id } of due) {
      acted += await withTransaction(ctx.db, async (tx) => {
        const hold = await lockHold(tx, ctx.tenantId, id);
        return hold ? endLapsedHolds(tx, [hold], ctx.now) : 0;
      });
    }
    if (due.length < SLICE) return { acted, outbox: [] };
  }
}

/** A hold as the API shows it. */
export async function holdView(db: Db, tenantId: string, holdId: string) {
  const [hold] = await db.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id, claimed_at,
      claimed_by_external_id
    FROM checkout_holds WHERE id = ${holdId} AND tenant_id = ${tenantId}`;
  if (!hold) throw new DomainError("not_found", `no hold ${holdId}`);
  return {
    holdId: hold.id,
    customerId: hold.customer_id,
    status: hold.status,
    points: exactNumber(hold.points),
    wallet: exactNumber(hold.wallet),
    expiresAt: hold.expires_at.toISOString(),
    transactionId: hold.transaction_id,
  };
}
