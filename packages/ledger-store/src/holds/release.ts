import { type Db, exactNumber, type RawTx, withTransaction } from "@regulars/db";
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
}

/**
 * Locks a hold in the order every writer uses: its customer, then the campaigns of its coupon uses, then
 * the hold row. A guest's hold has no customer to lock. Null when the tenant has no such hold.
 */
export async function lockHold(tx: RawTx, tenantId: string, holdId: string): Promise<HoldRow | null> {
  const [found] = await tx.$queryRaw<{ customer_id: string | null }[]>`
    SELECT customer_id FROM checkout_holds WHERE id = ${holdId} AND tenant_id = ${tenantId}`;
  if (!found) return null;
  if (found.customer_id) await lockCustomers(tx, [found.customer_id]);
  await tx.$queryRaw`
    SELECT id FROM coupon_campaigns WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE hold_id = ${holdId})
    ORDER BY id FOR UPDATE`;
  const [hold] = await tx.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id
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
 * Ends the customers' held holds past their expiry at `at`, as the sweep does (the caller holds the customers' locks,
 * as a new hold does). A lapsed hold already reserves nothing, but its sale is judged by the time it reached the
 * gateway: a sale received just before the expiry and applied after another writer took what the hold had reserved
 * (a new hold, the expiry job, an admin's debit) would commit the lapsed hold too, spending the same points and
 * wallet cash twice. Ended now, that sale finds it expired and commits nothing, as if it had arrived late. The lapsed
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
    SELECT id FROM checkout_holds
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${[...customerIds]}::text[]) AND status = 'held'
      AND expires_at <= ${at}`;
  if (!lapsed.length) return;
  const ids = lapsed.map((h) => h.id);
  await tx.$queryRaw`
    SELECT id FROM coupon_campaigns WHERE id IN (SELECT campaign_id FROM coupon_uses WHERE hold_id = ANY(${ids}::text[]))
    ORDER BY id FOR UPDATE`;
  const holds = await tx.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id
    FROM checkout_holds WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
  for (const hold of holds) await releaseLockedHold(tx, hold, "expired", EXPIRED);
}

/**
 * Voids a hold (the order was abandoned): what it reserved is free again. Voiding a released or expired
 * hold changes nothing; a committed one cannot be voided (refund the sale instead).
 */
export async function voidHold(
  db: Db,
  tenantId: string,
  holdId: string,
): Promise<{ holdId: string; status: HoldStatus }> {
  return withTransaction(db, async (tx) => {
    const hold = await lockHold(tx, tenantId, holdId);
    if (!hold) throw new DomainError("not_found", `no hold ${holdId}`);
    if (hold.status === "committed")
      throw new DomainError("hold_ended", `hold ${holdId} was committed by its sale; refund the sale instead`);
    if (hold.status !== "held") return { holdId, status: hold.status };
    await releaseLockedHold(tx, hold, "released", "voided");
    return { holdId, status: "released" as const };
  });
}

/**
 * Releases a tenant's holds past their expiry that no sale committed (a scheduled job). Each hold is
 * released in its own transaction under its locks, so a sale committing it at the same moment either wins
 * (the hold is committed) or finds it expired.
 */
export async function releaseExpiredHolds(ctx: JobContext): Promise<JobResult> {
  let acted = 0;
  for (;;) {
    const due = await ctx.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM checkout_holds WHERE tenant_id = ${ctx.tenantId} AND status = 'held' AND expires_at <= ${ctx.now}
      ORDER BY expires_at LIMIT ${SLICE}`;
    for (const { id } of due) {
      acted += await withTransaction(ctx.db, async (tx) => {
        const hold = await lockHold(tx, ctx.tenantId, id);
        if (hold?.status !== "held" || hold.expires_at > ctx.now) return 0;
        await releaseLockedHold(tx, hold, "expired", EXPIRED);
        return 1;
      });
    }
    if (due.length < SLICE) return { acted, outbox: [] };
  }
}

/** A hold as the API shows it. */
export async function holdView(db: Db, tenantId: string, holdId: string) {
  const [hold] = await db.$queryRaw<HoldRow[]>`
    SELECT id, tenant_id, customer_id, status, points, wallet, quote, expires_at, transaction_id
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
