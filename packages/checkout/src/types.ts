import type {
  Basket,
  Channel,
  CheckoutSelection,
  CouponCampaignConfig,
  CouponCampaignStatus,
  ProgrammeConfig,
  Quote,
} from "@regulars/contracts";
import type { CouponStack } from "./coupon-checks.ts";

/** How much of a coupon campaign is used already (holds in force and committed uses, minus returned ones). */
export interface CouponUsage {
  total: number;
  /** By this customer. */
  customer: number;
  /** Of this very code. */
  code: number;
  /** On the local calendar day of the checkout. */
  today: number;
  /** Discounts given so far, minor units. */
  budgetSpent: number;
}

/** A coupon the checkout knows of: a code the customer typed, or one in their wallet. */
export interface KnownCoupon {
  code: string;
  /** Null when the code names no campaign of the tenant (`unknown_code`). */
  campaign: { id: string; status: CouponCampaignStatus; config: CouponCampaignConfig } | null;
  usage: CouponUsage;
  /** Issued into the customer's wallet (shown by a bare quote even when not typed). */
  inWallet: boolean;
  /** For a unique or imported code: how often the code itself may be used (default once). */
  codeMaxUses?: number;
  /**
   * Issued into a wallet that is not this checkout's customer's (for a guest, into anyone's): only its owner may use
   * it, so that nobody else can take it from their wallet (`another_customers_coupon`).
   */
  issuedToAnother?: boolean;
}

export interface CheckoutCustomer {
  id: string;
  tier: string | null;
  /** Spendable points (not pending) and wallet cash, from the ledger. */
  points: number;
  wallet: number;
  /** Reserved by other holds in force. */
  heldPoints: number;
  heldWallet: number;
  /**
   * Points past their expiry date that the expiry job has not taken yet (what is left of lots dated before now, or
   * the whole balance once an inactivity expiry's date passed); none when absent. Still in `points`, yet not spendable:
   * the expiry takes them, leaving only what holds reserve (`spendablePoints`).
   */
  duePoints?: number;
}

/** Everything a quote needs, read beforehand: the pricing itself does no I/O. */
export interface CheckoutInput {
  basket: Basket;
  selection: CheckoutSelection;
  /** When the checkout happens, and the time zone its calendar conditions use (location's, else tenant's). */
  at: Date;
  timezone: string;
  /** Null for an anonymous basket: only automatic discounts that need no customer apply. */
  customer: CheckoutCustomer | null;
  programme: ProgrammeConfig | null;
  coupons: KnownCoupon[];
  /**
   * Coupons on the basket already, before the typed codes: a sale's codes posted beside its hold stack after the
   * hold's, as they would have at the hold. Absent, the typed codes stack on nothing.
   */
  stackedOn?: CouponStack;
}

export type { Channel, Quote };
