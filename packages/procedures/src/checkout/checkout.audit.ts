import { recordAudit } from "@regulars/audit";
import { isDomainError } from "@regulars/errors";
import { type ConfirmedHold, type HoldStatus, holdView, type PlacedHold } from "@regulars/ledger-store";
import { isTill } from "../customers/customers.till.ts";
import type { TenantContext } from "../trpc.ts";

/*
 * Checkout with admin credentials (an admin key, or staff signed in as admins) is an admin action: it can reserve any
 * customer's points or wallet cash, or void anyone's hold, so it is audited. A till's own checkout (kiosk and POS
 * keys) is not: it is the shop selling, not an admin acting, and the sale it ends in is the ledger's record.
 *
 * The row is written right after the hold function commits, not in its transaction: those functions
 * (ledger-store's holds) open their own and take no transaction or hook from the caller. Should the audit insert
 * fail, the change stands and the admin is answered with the error. The row holds ids and counts only: the
 * customer's id, never the phone or card the hold named them by.
 */

type AuditedHoldAction = "checkout.hold" | "checkout.confirm" | "checkout.void";

async function auditHold(
  ctx: TenantContext,
  action: AuditedHoldAction,
  holdId: string,
  details: Record<string, unknown>,
): Promise<void> {
  // The hold as stored: the customer it was resolved to and what it reserves.
  const hold = await holdView(ctx.db, ctx.tenantId, holdId);
  await recordAudit(ctx.db, {
    tenantId: ctx.tenantId,
    actor: ctx.credential.keyId,
    action,
    target: holdId,
    details: { customerId: hold.customerId, points: hold.points, wallet: hold.wallet, ...details },
  });
}

export async function auditedHold(ctx: TenantContext, place: () => Promise<PlacedHold>): Promise<PlacedHold> {
  const placed = await place();
  if (!isTill(ctx))
    await auditHold(ctx, "checkout.hold", placed.holdId, {
      coupons: placed.quote.applied.filter((a) => a.source === "coupon").length,
      discount: placed.quote.discount,
      confirmationRequired: placed.confirmation !== null,
    });
  return placed;
}

/** Outcomes whose transaction committed: an attempt used up, the hold perhaps released. Audited like a success. */
const committedFailures: ReadonlySet<string> = new Set(["confirmation_failed", "confirmation_expired"]);

export async function auditedConfirm(
  ctx: TenantContext,
  holdId: string,
  confirm: () => Promise<ConfirmedHold>,
): Promise<ConfirmedHold> {
  if (isTill(ctx)) return confirm();
  try {
    const confirmed = await confirm();
    await auditHold(ctx, "checkout.confirm", holdId, { outcome: "confirmed" });
    return confirmed;
  } catch (e) {
    if (isDomainError(e) && committedFailures.has(e.code))
      await auditHold(ctx, "checkout.confirm", holdId, { outcome: e.code });
    throw e;
  }
}

export async function auditedVoid(
  ctx: TenantContext,
  holdId: string,
  voidIt: () => Promise<{ holdId: string; status: HoldStatus }>,
): Promise<{ holdId: string; status: HoldStatus }> {
  const voided = await voidIt();
  // A hold released or expired before answers as it is, changing nothing; the admin's call is recorded all the same.
  if (!isTill(ctx)) await auditHold(ctx, "checkout.void", holdId, { status: voided.status });
  return voided;
}
