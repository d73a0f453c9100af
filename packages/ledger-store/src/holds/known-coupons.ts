import { type CouponUsage, type KnownCoupon, usageDayOf, usedUpByCustomer } from "@regulars/checkout";
import { CouponCampaignConfig, type CouponCampaignStatus } from "@regulars/contracts";
import { exactNumber, Prisma, type RawTx } from "@regulars/db";
import { lockCampaignsEndingLapsedHolds } from "./expire-lapsed-uses.ts";
import { type UsageClock, usesByDay } from "./uses-by-day.ts";

/** Uses that count against limits: reserved by a hold, or committed by a sale. */
export const COUNTED_USES = ["held", "committed"];

export interface CouponRow {
  code: string;
  in_wallet: boolean;
  issued_to_another: boolean;
  campaign_id: string | null;
  max_uses: number | null;
  code_uses: number | null;
  status: string | null;
  config: unknown;
  used_count: bigint | null;
  used_amount: bigint | null;
  by_customer: bigint;
  /** Counted uses by the day they count for (`usesByDay`), a count per ISO date. */
  by_day: Record<string, number>;
}

/**
 * A code `issueCoupon` made for one customer's wallet, typed at a checkout whose customer does not hold it (another
 * customer, or a guest): only its owner may use it, so that nobody else can take it from their wallet. Ownership is
 * the wallet's row, which a merge moves to the survivor, and the checkout's customer is resolved to the survivor too.
 * Generic codes, even when issued into wallets, and unique codes handed out rather than issued, stay anyone's.
 */
export const issuedToAnother = Prisma.sql`(coalesce(k.source = 'issued', false) AND w.code NOT IN (SELECT code FROM wallet))`;

/**
 * The coupons a checkout knows of (codes typed, coupons in the customer's wallet) with how much of each
 * campaign is used, read in one statement. With `lock`, the campaigns concerned are locked first, in id
 * order: the limits read after that stay true until the caller's transaction ends, so concurrent holds
 * cannot overshoot them. With `at` too, the holds past their expiry at `at` that hold a use of those campaigns,
 * anyone's, are ended first as the sweep would end them (`lockCampaignsEndingLapsedHolds`): they reserve nothing
 * any more, so they must not take a limit's last use until the sweep comes.
 */
export async function readKnownCoupons(
  tx: RawTx,
  tenantId: string,
  customerId: string | null,
  typed: string[],
  clock: UsageClock,
  { lock, at }: { lock: boolean; at?: Date },
): Promise<KnownCoupon[]> {
  if (lock) {
    const wanted = Prisma.sql`
      SELECT k.campaign_id FROM coupon_codes k
      WHERE k.tenant_id = ${tenantId}
        AND (k.code = ANY(${typed}::text[])
             OR k.code IN (SELECT code FROM wallet_coupons
                           WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}))`;
    await lockCampaignsEndingLapsedHolds(tx, tenantId, wanted, at);
  }
  const rows = await tx.$queryRaw<CouponRow[]>`
    WITH wallet AS (
      SELECT DISTINCT code FROM wallet_coupons WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ), wanted AS (
      SELECT code FROM unnest(${typed}::text[]) AS t(code) UNION SELECT code FROM wallet
    )
    SELECT w.code, w.code IN (SELECT code FROM wallet) AS in_wallet, ${issuedToAnother} AS issued_to_another,
           k.campaign_id, k.max_uses, k.uses AS code_uses, c.status, c.config, c.used_count, c.used_amount,
           (SELECT count(*) FROM coupon_uses u
             WHERE u.campaign_id = c.id AND u.customer_id = ${customerId} AND u.status = ANY(${COUNTED_USES}::text[])) AS by_customer,
           ${usesByDay(clock, Prisma.sql`u.status = ANY(${COUNTED_USES}::text[])`)} AS by_day
    FROM wanted w
    LEFT JOIN coupon_codes k ON k.tenant_id = ${tenantId} AND k.code = w.code
    LEFT JOIN coupon_campaigns c ON c.id = k.campaign_id AND c.tenant_id = ${tenantId}`;
  return knownCoupons(typed, rows, clock);
}

/**
 * Coupon rows (from SQL, or json_agg) as the pricing knows them: typed codes first, in the order typed, then the
 * wallet's that the customer has not used up (`usedUpByCustomer`). A typed code is judged whatever its uses, so
 * it says why it cannot be used.
 */
export function knownCoupons(typed: string[], rows: CouponRow[], clock: UsageClock): KnownCoupon[] {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  // Typed codes first, in the order typed, then the wallet's.
  const order = [...new Set([...typed, ...rows.filter((r) => r.in_wallet).map((r) => r.code)])];
  const wasTyped = new Set(typed);
  return order.map(knownCoupon).filter((k) => wasTyped.has(k.code) || !usedUpByCustomer(k));

  function knownCoupon(code: string): KnownCoupon {
    const r = byCode.get(code)!;
    const config = r.campaign_id && r.status ? campaignConfig(r.config) : null;
    const day = config ? usageDayOf(config.conditions.hours, clock.at, clock) : null;
    const usage: CouponUsage = {
      total: exactNumber(r.used_count ?? 0),
      customer: exactNumber(r.by_customer),
      code: r.code_uses ?? 0,
      today: day === null ? 0 : exactNumber(r.by_day?.[day] ?? 0),
      budgetSpent: exactNumber(r.used_amount ?? 0),
    };
    return {
      code,
      inWallet: r.in_wallet,
      usage,
      ...(r.max_uses != null ? { codeMaxUses: r.max_uses } : {}),
      ...(r.issued_to_another ? { issuedToAnother: true } : {}),
      campaign:
        r.campaign_id && config ? { id: r.campaign_id, status: r.status as CouponCampaignStatus, config } : null,
    };
  }
}

/** Campaign configs parsed once per distinct document: a quote may meet the same campaign many times a second. */
const parsedConfigs = new Map<string, CouponCampaignConfig>();
function campaignConfig(raw: unknown): CouponCampaignConfig {
  const key = JSON.stringify(raw);
  let parsed = parsedConfigs.get(key);
  if (!parsed) {
    parsed = CouponCampaignConfig.parse(raw);
    if (parsedConfigs.size > 1_000) parsedConfigs.clear();
    parsedConfigs.set(key, parsed);
  }
  return parsed;
}
