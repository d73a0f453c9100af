import { type OccurredAtWindow, occurredAtOutOfRange } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";

/** What the gateway checks against its own clock before it accepts anything. */
export interface Acceptance {
  window: OccurredAtWindow;
  now: () => Date;
}

/** The refusal of an `occurredAt` outside the window at `receivedAt`, or null when it lies inside. */
export function outOfRange(occurredAt: string, receivedAt: Date, acceptance: Acceptance): DomainError | null {
  const reason = occurredAtOutOfRange(occurredAt, receivedAt, acceptance.window);
  if (!reason) return null;
  return new DomainError("occurred_at_out_of_range", `occurredAt ${reason}`, [{ path: "occurredAt", message: reason }]);
}
