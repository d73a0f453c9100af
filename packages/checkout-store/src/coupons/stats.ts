import { exactNumber } from "@regulars/db";
import { type DbOrTx, loadCampaign } from "./shared.ts";

export interface CampaignStats {
  campaignId: string;
  codes: {
    /** Every code customers may type: the generic one, generated, imported and issued ones. */
    total: number;
    generated: number;
    imported: number;
  };
  /** Coupons put into wallets. */
  issued: number;
  uses: { held: number; committed: number; released: number; returned: number };
  /** Discount given by committed uses, minor units. */
  discountGiven: number;
  /** What the limits leave, counting holds in force; null without such a limit. */
  budgetLeft: number | null;
  totalLeft: number | null;
}

export async function campaignStats(db: DbOrTx, tenantId: string, campaignId: string): Promise<CampaignStats> {
  const campaign = await loadCampaign(db, tenantId, campaignId);
  const [codes] = await db.$queryRaw<{ total: bigint; generated: bigint; imported: bigint; issued: bigint }[]>`
    SELECT count(*) AS total,
      count(*) FILTER (WHERE source = 'generated') AS generated,
      count(*) FILTER (WHERE source = 'imported') AS imported,
      (SELECT count(*) FROM wallet_coupons WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId}) AS issued
    FROM coupon_codes WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId}`;
  const uses = await db.$queryRaw<{ status: string; n: bigint; discount: bigint }[]>`
    SELECT status, count(*) AS n, coalesce(sum(discount), 0) AS discount FROM coupon_uses
    WHERE tenant_id = ${tenantId} AND campaign_id = ${campaignId}
    GROUP BY status`;
  const byStatus = new Map(uses.map((u) => [u.status, u]));
  const count = (status: string) => exactNumber(byStatus.get(status)?.n ?? 0);
  const { budget, total } = campaign.config.limits;
  return {
    campaignId,
    codes: {
      total: exactNumber(codes?.total),
      generated: exactNumber(codes?.generated),
      imported: exactNumber(codes?.imported),
    },
    issued: exactNumber(codes?.issued),
    uses: {
      held: count("held"),
      committed: count("committed"),
      released: count("released"),
      returned: count("returned"),
    },
    discountGiven: exactNumber(byStatus.get("committed")?.discount ?? 0),
    budgetLeft: budget === undefined ? null : Math.max(0, budget - campaign.usedAmount),
    totalLeft: total === undefined ? null : Math.max(0, total - campaign.usedCount),
  };
}
