import { usedUpByCustomer } from "@regulars/checkout";
import type { CouponCampaignConfig, CouponCampaignStatus } from "@regulars/contracts";

/**
 * Where a wallet coupon stands for its customer, first that applies: `used` (its code, or the customer's share of the
 * campaign, is used as often as it may be: a checkout no longer offers it), `expired` (the campaign's `validTo` has
 * passed), `paused` (the campaign is), `not_yet_valid` (before its `validFrom`), else `active`. The campaign's own
 * status stays beside it as `status`: a used coupon of an active campaign is still used.
 */
export type WalletCouponState = "active" | "used" | "expired" | "paused" | "not_yet_valid";

export interface WalletCouponFacts {
  campaignStatus: CouponCampaignStatus;
  config: CouponCampaignConfig;
  /** How often the code itself may be used, as stored with it (absent: the campaign's default). */
  codeMaxUses: number | null;
  /** Counted uses (held or committed) of the code, by anyone, and of the campaign by this customer. */
  codeUses: number;
  customerUses: number;
}

/** The state of one wallet coupon at `at`; "used" is judged as a checkout judges it (`usedUpByCustomer`). */
export function walletCouponState(facts: WalletCouponFacts, at: Date): WalletCouponState {
  const { config } = facts;
  const usedUp = usedUpByCustomer({
    code: "",
    inWallet: true,
    campaign: { id: "", status: facts.campaignStatus, config },
    usage: { total: 0, customer: facts.customerUses, code: facts.codeUses, today: 0, budgetSpent: 0 },
    ...(facts.codeMaxUses !== null ? { codeMaxUses: facts.codeMaxUses } : {}),
  });
  if (usedUp) return "used";
  const { validFrom, validTo } = config.conditions;
  if (validTo !== undefined && at.getTime() >= Date.parse(validTo)) return "expired";
  if (facts.campaignStatus === "paused") return "paused";
  if (validFrom !== undefined && at.getTime() < Date.parse(validFrom)) return "not_yet_valid";
  return "active";
}
