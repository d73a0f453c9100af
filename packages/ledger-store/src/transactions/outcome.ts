/**
 * What became of each message a batch was asked to apply, in order: applied (or applied before, or parked
 * to wait for the sale it refunds), or refused with a reason. The consumer settles each message by it.
 */
export type ApplyOutcome = { kind: "done" } | { kind: "reject"; reason: string };
