import type { AppliedBenefit, Basket, Refusal } from "@regulars/contracts";
import type { CheckoutCustomer } from "./types.ts";

/** What every check of one checkout reads: the basket, the clock and the customer. */
export interface PricingContext {
  basket: Basket;
  /** Σ line amounts before anything of ours. */
  subtotal: number;
  at: Date;
  timezone: string;
  customer: CheckoutCustomer | null;
}

/** A benefit applied (with what it takes off each line) or refused. */
export type Applied = { benefit: AppliedBenefit; parts: number[] };
export type Outcome = Applied | { refusal: Refusal };
