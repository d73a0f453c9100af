/**
 * Double entry: every movement moves value between a customer's account and the tenant's
 * counter-account (or, for a release, between two of the customer's accounts), so the entries of a
 * movement always sum to zero and the tenant's books balance even after customers are erased.
 */
export type Unit = "points" | "wallet";
export type MovementKind =
  | "earn"
  | "bonus"
  | "redeem"
  | "expire"
  | "adjust"
  | "reverse"
  | "release"
  | "transfer_in"
  | "transfer_out";

/** `points_pending` holds earned points that are not spendable yet. */
export type CustomerAccount = "points" | "points_pending" | "wallet";

export const customerAccountKind = (unit: Unit): CustomerAccount => unit;
export const tenantAccountKind = (unit: Unit): string => `${unit}_issued`;
export const TENANT_OWNER = "tenant";

/**
 * The owner of a share of the tenant's counter-account. A tenant's points issued are one account in the
 * books, kept as several rows: every posting updates its row's cached balance under a row lock held to the
 * commit, so one row per tenant would make all of a tenant's ledger workers queue on it. The account's
 * balance is the sum of its shares (`TENANT_OWNER` and `TENANT_OWNER:<n>`).
 */
export const tenantOwner = (shard?: number): string =>
  shard === undefined ? TENANT_OWNER : `${TENANT_OWNER}:${shard}`;

export interface Posting {
  owner: string;
  kind: string;
  amount: number;
}

/**
 * `amount` is signed from the customer's point of view: +earned, -redeemed/expired/reversed.
 * A release moves `amount` from the customer's pending account to the spendable one.
 */
export function postingsFor(
  customerId: string,
  unit: Unit,
  amount: number,
  account: CustomerAccount = customerAccountKind(unit),
  kind?: MovementKind,
  counterShard?: number,
): [Posting, Posting] {
  if (kind === "release") {
    return [
      { owner: customerId, kind: "points", amount },
      { owner: customerId, kind: "points_pending", amount: -amount },
    ];
  }
  return [
    { owner: customerId, kind: account, amount },
    { owner: tenantOwner(counterShard), kind: tenantAccountKind(unit), amount: -amount },
  ];
}
