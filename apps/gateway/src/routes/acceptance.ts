import { type OccurredAtWindow, occurredAtOutOfRange } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";

/** What the gateway checks against its own clock before it accepts anything. */
export interface Acceptance {
  window: OccurredAtWindow;
  now: () => Date;
}

export function refuseOutOfRange(occurredAt: string, receivedAt: Date, acceptance: Acceptance): void {
  const reason = occurredAtOutOfRange(occurredAt, receivedAt, acceptance.window);
  if (reason)
    throw new DomainError("occurred_at_out_of_range", `occurredAt ${reason}`, [
      { path: "occurredAt", message: reason },
    ]);
}
