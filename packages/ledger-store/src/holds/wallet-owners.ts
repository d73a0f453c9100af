import { type CheckoutInput, type KnownCoupon, normalizeCode, priceCheckout, refusal } from "@regulars/checkout";
import type { Quote } from "@regulars/contracts";

/** A coupon as a checkout reads it: `issuedToAnother` when its code was issued into a wallet this checkout's isn't. */
export type CheckoutCoupon = KnownCoupon & { issuedToAnother?: true };

/** What a checkout prices: its coupons as read, each one knowing whether another's wallet holds it. */
export type OwnedCheckoutInput = Omit<CheckoutInput, "coupons"> & { coupons: CheckoutCoupon[] };

/**
 * Another's wallet code, priced as a code of no campaign: refused before any of its campaign's checks, it takes
 * nothing off, reserves no use and counts for no limit, however the rest of the basket goes.
 */
export const issuedToAnotherCoupon = (code: string): CheckoutCoupon => ({
  code,
  campaign: null,
  usage: { total: 0, customer: 0, code: 0, today: 0, budgetSpent: 0 },
  inWallet: false,
  issuedToAnother: true,
});

/**
 * The refusal vocabulary (`RefusalCode`, in the contracts) has no reason for "someone else's coupon": to another
 * customer such a code is `unknown_code`, as it is none of theirs, with a message that tells the till why. A guest
 * might be its owner, not yet identified: `customer_required` asks the till to identify them first.
 */
const ownersOnly = {
  guest: refusal("customer_required", "This coupon is in a customer's wallet: identify the customer to use it."),
  another: refusal("unknown_code", "This coupon belongs to another customer's wallet."),
};

/**
 * Prices a checkout as `priceCheckout` does, with the codes issued into another's wallet refused for what they are.
 * A duplicate of such a code keeps its own refusal (`not_combinable`): only the one pricing called unknown changes.
 */
export function priceForWalletOwners(input: OwnedCheckoutInput): Quote {
  const quote = priceCheckout(input);
  const othersCodes = new Set(input.coupons.filter((c) => c.issuedToAnother).map((c) => normalizeCode(c.code)));
  if (!othersCodes.size) return quote;
  const ownersRefusal = input.customer === null ? ownersOnly.guest : ownersOnly.another;
  return {
    ...quote,
    coupons: quote.coupons.map((c) =>
      othersCodes.has(c.code) && c.refusal?.code === "unknown_code" ? { ...c, refusal: ownersRefusal } : c,
    ),
  };
}
