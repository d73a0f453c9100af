import type { DbTx } from "@regulars/db";

/**
 * Moves the merged customer's wallet coupons to the survivor, but one person gets a campaign's welcome coupon once:
 * a coupon issued at the merged customer's registration (`issueRegistrationCoupons`, keyed
 * `registration:<customer>:<campaign>`) stays behind when the survivor holds a coupon of that campaign already.
 * Left with the merged-away id it is retired: every way in reads the survivor's wallet, and a till that types its
 * unique code for the survivor finds it issued to another. It still counts as issued for the campaign. One the merged
 * customer redeemed moves all the same: it is the history the campaign's per-customer limit counts, with its uses.
 */
export async function moveWalletCoupons(
  tx: DbTx,
  tenantId: string,
  fromId: string,
  intoId: string,
): Promise<{ walletCoupons: number; welcomeCouponsRetired: number }> {
  const walletCoupons = await tx.$executeRaw`
    UPDATE wallet_coupons w SET customer_id = ${intoId}
    WHERE w.tenant_id = ${tenantId} AND w.customer_id = ${fromId}
      AND NOT (
        w.issue_key = 'registration:' || ${fromId} || ':' || w.campaign_id
        AND EXISTS (
          SELECT 1 FROM wallet_coupons s
          WHERE s.tenant_id = ${tenantId} AND s.customer_id = ${intoId} AND s.campaign_id = w.campaign_id)
        AND NOT EXISTS (
          SELECT 1 FROM coupon_uses u
          WHERE u.tenant_id = ${tenantId} AND u.customer_id = ${fromId} AND u.campaign_id = w.campaign_id
            AND u.code = w.code AND u.status = 'committed'))`;
  const [left] = await tx.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM wallet_coupons WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
  return { walletCoupons, welcomeCouponsRetired: Number(left?.n ?? 0n) };
}
