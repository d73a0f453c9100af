/**
 * Double entry: every movement moves value between a customer's account and the tenant's
 * counter-account, so the entries of a movement always sum to zero and the tenant's books balance
 * even after customers are erased.
 */
export type Unit = "points" | "wallet";
export type MovementKind = "earn" | "bonus" | "redeem" | "expire" | "adjust" | "reverse" | "transfer_in" | "transfer_out";

export const customerAccountKind = (unit: Unit): string => unit;
export const tenantAccountKind = (unit: Unit): string => `${unit}_issued`;
export const TENANT_OWNER = "tenant";

export interface Posting {
  owner: string;
  kind: string;
  amount: number;
}

/** `amount` is signed from the customer's point of view: +earned, -redeemed/expired/reversed. */
export function postingsFor(customerId: string, unit: Unit, amount: number): [Posting, Posting] {
  return [
    { owner: customerId, kind: customerAccountKind(unit), amount },
    { owner: TENANT_OWNER, kind: tenantAccountKind(unit), amount: -amount },
  ];
}
