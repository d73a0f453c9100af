import type { CheckoutCustomer, CouponUsage, KnownCoupon } from "@regulars/checkout";
import { CouponCampaignConfig, type CouponCampaignStatus, type CustomerRef } from "@regulars/contracts";
import { type DbTx, exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { lockCustomers } from "../customers/loyalty-state.ts";
import { resolveCustomers } from "../customers/resolve.ts";

/** Uses that count against limits: reserved by a hold, or committed by a sale. */
export const COUNTED_USES = ["held", "committed"];

/** The customer a checkout names, or null for an anonymous basket; unknown → not_found (checkout never enrols). */
export async function checkoutCustomerId(
  tx: DbTx,
  tenantId: string,
  ref: CustomerRef | null | undefined,
): Promise<string | null> {
  if (!ref) return null;
  const [r] = await resolveCustomers(tx, [{ tenantId, ref, create: false, createdVia: "checkout" }]);
  const customerId = r && "customerId" in r ? r.customerId : null;
  if (!customerId) throw new DomainError("not_found", "no customer with that identity");
  return customerId;
}

/** Balances, holds in force and tier of a customer. With `lock`, the customer is locked first (holds, commits). */
export async function readCheckoutCustomer(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  { lock }: { lock: boolean },
): Promise<CheckoutCustomer> {
  if (lock) await lockCustomers(tx, [customerId]);
  const [row] = await tx.$queryRaw<
    { tier: string | null; points: bigint | null; wallet: bigint | null; held_points: bigint; held_wallet: bigint }[]
  >`
    SELECT
      (SELECT tier FROM customer_loyalty WHERE customer_id = ${customerId}) AS tier,
      (SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = 'points') AS points,
      (SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = 'wallet') AS wallet,
      coalesce((SELECT sum(points) FROM checkout_holds WHERE customer_id = ${customerId} AND status = 'held'), 0) AS held_points,
      coalesce((SELECT sum(wallet) FROM checkout_holds WHERE customer_id = ${customerId} AND status = 'held'), 0) AS held_wallet`;
  return {
    id: customerId,
    tier: row?.tier ?? null,
    points: exactNumber(row?.points ?? 0),
    wallet: exactNumber(row?.wallet ?? 0),
    heldPoints: exactNumber(row?.held_points ?? 0),
    heldWallet: exactNumber(row?.held_wallet ?? 0),
  };
}

interface CampaignRow {
  id: string;
  status: string;
  config: unknown;
  used_count: bigint;
  used_amount: bigint;
}

/**
 * The coupons a checkout knows of (codes typed, coupons in the customer's wallet) with how much of each
 * campaign is used. With `lock`, the campaigns are locked in id order and their codes after them: the
 * limits read here stay true until the caller's transaction ends, so concurrent holds cannot overshoot.
 */
export async function readKnownCoupons(
  tx: DbTx,
  tenantId: string,
  customerId: string | null,
  typed: string[],
  localDay: string,
  { lock }: { lock: boolean },
): Promise<KnownCoupon[]> {
  const wallet = customerId
    ? await tx.$queryRaw<{ code: string }[]>`
        SELECT DISTINCT w.code FROM wallet_coupons w
        WHERE w.tenant_id = ${tenantId} AND w.customer_id = ${customerId}`
    : [];
  const inWallet = new Set(wallet.map((w) => w.code));
  const codes = [...new Set([...typed, ...inWallet])];
  if (!codes.length) return [];
  const codeRows = await tx.$queryRaw<{ code: string; campaign_id: string; max_uses: number | null }[]>`
    SELECT code, campaign_id, max_uses FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ANY(${codes}::text[])`;
  const campaignIds = [...new Set(codeRows.map((r) => r.campaign_id))].sort();
  const campaigns = campaignIds.length
    ? lock
      ? await tx.$queryRaw<CampaignRow[]>`
          SELECT id, status, config, used_count, used_amount FROM coupon_campaigns
          WHERE tenant_id = ${tenantId} AND id = ANY(${campaignIds}::text[]) ORDER BY id FOR UPDATE`
      : await tx.$queryRaw<CampaignRow[]>`
          SELECT id, status, config, used_count, used_amount FROM coupon_campaigns
          WHERE tenant_id = ${tenantId} AND id = ANY(${campaignIds}::text[])`
    : [];
  // Code rows are read again under the campaigns' locks: their use counts are what the limits compare.
  const codeUses = codes.length
    ? await tx.$queryRaw<{ code: string; uses: number }[]>`
        SELECT code, uses FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ANY(${codes}::text[])`
    : [];
  const usesOfCode = new Map(codeUses.map((r) => [r.code, r.uses]));
  const perCustomer = customerId ? await countUses(tx, campaignIds, { customerId }) : new Map<string, number>();
  const perDay = await countUses(tx, campaignIds, { localDay });
  const campaignOf = new Map(campaigns.map((c) => [c.id, c]));
  const rowOf = new Map(codeRows.map((r) => [r.code, r]));
  return codes.map((code) => {
    const row = rowOf.get(code);
    const campaign = row ? campaignOf.get(row.campaign_id) : undefined;
    const usage: CouponUsage = {
      total: exactNumber(campaign?.used_count ?? 0),
      customer: (campaign && perCustomer.get(campaign.id)) || 0,
      code: usesOfCode.get(code) ?? 0,
      today: (campaign && perDay.get(campaign.id)) || 0,
      budgetSpent: exactNumber(campaign?.used_amount ?? 0),
    };
    return {
      code,
      inWallet: inWallet.has(code),
      usage,
      ...(row?.max_uses != null ? { codeMaxUses: row.max_uses } : {}),
      campaign: campaign
        ? {
            id: campaign.id,
            status: campaign.status as CouponCampaignStatus,
            config: CouponCampaignConfig.parse(campaign.config),
          }
        : null,
    };
  });
}

async function countUses(
  tx: DbTx,
  campaignIds: string[],
  by: { customerId: string } | { localDay: string },
): Promise<Map<string, number>> {
  if (!campaignIds.length) return new Map();
  const rows =
    "customerId" in by
      ? await tx.$queryRaw<{ campaign_id: string; n: bigint }[]>`
          SELECT campaign_id, count(*) AS n FROM coupon_uses
          WHERE campaign_id = ANY(${campaignIds}::text[]) AND customer_id = ${by.customerId}
            AND status = ANY(${COUNTED_USES}::text[])
          GROUP BY campaign_id`
      : await tx.$queryRaw<{ campaign_id: string; n: bigint }[]>`
          SELECT campaign_id, count(*) AS n FROM coupon_uses
          WHERE campaign_id = ANY(${campaignIds}::text[]) AND local_day = ${by.localDay}::date
            AND status = ANY(${COUNTED_USES}::text[])
          GROUP BY campaign_id`;
  return new Map(rows.map((r) => [r.campaign_id, exactNumber(r.n)]));
}
