import { hash } from "node:crypto";

export interface StepKeyParts {
  campaignId: string;
  /** The campaign version that planned the occurrence: a later version's steps are other steps. */
  version: number;
  customerId: string;
  occurrence: string;
  stepIndex: number;
}

/**
 * The idempotency key of one step for one customer and occurrence: what the store's unique index holds, and
 * what providers, the ledger (bonus points) and coupon issuing receive as their own idempotency key. It is a
 * SHA-256 over the parts as a JSON array, so no id containing a separator can make two steps collide, and
 * every key has the same length whatever the ids are.
 */
export function stepKey(parts: StepKeyParts): string {
  const tuple = [parts.campaignId, parts.version, parts.customerId, parts.occurrence, parts.stepIndex];
  return `cst_${hash("sha256", JSON.stringify(tuple), "hex")}`;
}
