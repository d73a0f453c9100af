/**
 * What became of each message a batch was asked to apply, in order: applied (or applied before), refused
 * with a reason, or not yet (a refund whose sale has not arrived: come back after `delayMs`). The stream
 * consumer settles each message by it.
 */
export type ApplyOutcome =
  | { kind: "done" }
  | { kind: "reject"; reason: string }
  | { kind: "defer"; reason: string; delayMs: number };
