import type { CustomerAccount, MovementKind, Unit } from "./postings.ts";

/** A change to a customer's points or wallet, as the ledger posts it (with its double entries). */
export interface NewMovement {
  tenantId: string;
  customerId: string;
  kind: MovementKind;
  unit: Unit;
  /** Signed, from the customer's side: +earned, -spent/expired/reversed. A release is positive. */
  amount: number;
  idempotencyKey: string;
  transactionId?: string | null;
  reason?: string | null;
  actor?: string | null;
  occurredAt: Date;
  /**
   * For point credits: when the lot becomes spendable (later than `occurredAt` = pending) and when it expires.
   * `earnedAt` (default `occurredAt`) places the lot first-in first-out: points a refund gives back keep the date
   * of the lot they were spent from, as they keep its expiry.
   */
  lot?: { availableAt: Date; expiresAt: Date | null; earnedAt?: Date };
  /**
   * For the spend of a hold's points: when the hold was placed. The hold counted its points as spendable then and kept
   * the expiry pass away since, so the lots it takes are judged then rather than at `occurredAt` (`planLotChanges`).
   * In memory only, never stored: a redemption is planned in the batch that builds it.
   */
  validAt?: Date;
  /** For a release, or a reversal that should come out of a specific credit first: that credit's key. */
  sourceKey?: string | null;
  /**
   * Which share of the tenant's counter-account takes the other side (see `tenantOwner`): the ledger
   * partition of the worker posting it, so workers of one tenant never wait for each other's row. None for
   * writers outside the partitioned ledger (jobs, adjustments, action points): the unsharded row.
   */
  counterShard?: number;
}

const CAMPAIGN_ACTOR = "campaign:";

/** The actor of a movement a campaign's step posts (its bonus points). */
export const campaignActor = (campaignId: string): string => `${CAMPAIGN_ACTOR}${campaignId}`;

/** The campaign that posted a movement, from its actor; null for any other actor. */
export const campaignOfActor = (actor: string | null | undefined): string | null =>
  actor?.startsWith(CAMPAIGN_ACTOR) ? actor.slice(CAMPAIGN_ACTOR.length) : null;

export interface PostedMovement extends NewMovement {
  id: string;
  account: CustomerAccount;
  /** The customer's spendable points before and after this movement (points movements only). */
  balance: { before: number; after: number } | null;
}
