/** A refusal recorded under an externalId: of what was posted first under it, or of a later post with another body. */
export interface RejectionFact {
  code: string;
}

/** What each table knows of one externalId. */
export interface StatusFacts<Processed, Waiting, Rejection extends RejectionFact, Receipt> {
  /** The transaction the ledger stored under it. */
  processed: Processed | null;
  /** A refund parked under it until its sale arrives. */
  waiting: Waiting | null;
  /** Newest first. */
  rejections: readonly Rejection[];
  /** The gateway's record of its 202. */
  receipt: Receipt | null;
}

export type Standing<Processed, Waiting, Rejection, Receipt> =
  | { status: "processed"; processed: Processed; conflicts: number }
  | { status: "waiting"; waiting: Waiting; conflicts: number }
  | { status: "rejected"; rejection: Rejection }
  | { status: "accepted"; receipt: Receipt; conflicts: number };

/**
 * Which fact answers for an externalId. Whatever holds the externalId in the ledger (a stored transaction, or else
 * a refund parked for its sale, which will still be processed or rejected) outranks refusals recorded under it:
 * those are of posts that did not take it, and a later post with another body counts as a conflict. Without
 * either, the newest refusal says why it was not applied; a receipt alone means it is still on its way. Null when
 * nothing is known.
 */
export function standingOf<Processed, Waiting, Rejection extends RejectionFact, Receipt>(
  facts: StatusFacts<Processed, Waiting, Rejection, Receipt>,
): Standing<Processed, Waiting, Rejection, Receipt> | null {
  const conflicts = facts.rejections.filter((r) => r.code === "idempotency_conflict").length;
  if (facts.processed) return { status: "processed", processed: facts.processed, conflicts };
  if (facts.waiting) return { status: "waiting", waiting: facts.waiting, conflicts };
  const [latest] = facts.rejections;
  if (latest) return { status: "rejected", rejection: latest };
  if (facts.receipt) return { status: "accepted", receipt: facts.receipt, conflicts };
  return null;
}
