import { CouponCampaignConfig, type CouponCampaignStatus } from "@regulars/contracts";
import { exactNumber } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import type { DbOrTx } from "./shared.ts";
import { type WalletCouponState, walletCouponState } from "./wallet-state.ts";

export interface WalletCoupon {
  id: string;
  campaignId: string;
  name: string;
  /** The campaign's status: a used or expired coupon of an active campaign is still `active` here (see `state`). */
  status: CouponCampaignStatus;
  /** The coupon's own state for this customer: what a checkout would make of it. */
  state: WalletCouponState;
  code: string;
  /** This customer's uses of the code, held or committed. */
  uses: number;
  issuedAt: string;
}

interface WalletListRow {
  id: string;
  customer_id: string;
  campaign_id: string;
  code: string;
  issued_at: Date;
  name: string;
  status: string;
  config: unknown;
  max_uses: number | null;
  code_uses: number | null;
  uses: bigint;
  customer_uses: bigint;
}

/**
 * The coupons in a customer's wallet, newest first, each with its state at `at`; an unknown customer (or another
 * tenant's, or an erased one) is not found. Uses are counted as a checkout counts them (`COUNTED_USES` of the ledger
 * store).
 */
export async function walletCoupons(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  at = new Date(),
): Promise<WalletCoupon[]> {
  await requireCustomer(db, tenantId, customerId);
  const rows = await db.$queryRaw<WalletListRow[]>`
    SELECT w.id, w.customer_id, w.campaign_id, c.name, c.status, c.config, w.code, w.issued_at,
      k.max_uses, k.uses AS code_uses,
      (SELECT count(*) FROM coupon_uses u
       WHERE u.campaign_id = w.campaign_id AND u.customer_id = w.customer_id AND u.code = w.code
         AND u.status IN ('held', 'committed')) AS uses,
      (SELECT count(*) FROM coupon_uses u
       WHERE u.campaign_id = w.campaign_id AND u.customer_id = w.customer_id
         AND u.status IN ('held', 'committed')) AS customer_uses
    FROM wallet_coupons w
    JOIN coupon_campaigns c ON c.id = w.campaign_id
    LEFT JOIN coupon_codes k ON k.tenant_id = w.tenant_id AND k.code = w.code
    WHERE w.tenant_id = ${tenantId} AND w.customer_id = ${customerId}
    ORDER BY w.issued_at DESC, w.id DESC`;
  return rows.map((r) => {
    const status = r.status as CouponCampaignStatus;
    const facts = {
      campaignStatus: status,
      config: CouponCampaignConfig.parse(r.config),
      codeMaxUses: r.max_uses,
      codeUses: r.code_uses ?? 0,
      customerUses: exactNumber(r.customer_uses),
    };
    return {
      id: r.id,
      campaignId: r.campaign_id,
      name: r.name,
      status,
      state: walletCouponState(facts, at),
      code: r.code,
      uses: exactNumber(r.uses),
      issuedAt: r.issued_at.toISOString(),
    };
  });
}

/** An erased customer is not found, as their profile is not: the coupons stay for the counts, not to be shown. */
async function requireCustomer(db: DbOrTx, tenantId: string, customerId: string): Promise<void> {
  const [row] = await db.$queryRaw<{ erased: boolean }[]>`
    SELECT erased_at IS NOT NULL AS erased FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  if (!row) throw new DomainError("not_found", `no customer ${customerId} in this tenant`);
  if (row.erased) throw new DomainError("not_found", `no customer ${customerId}: their personal data was erased`);
}
