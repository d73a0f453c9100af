import type { RawTx } from "@regulars/db";

/**
 * What one customer's codes may cost them over a rolling window, whichever till, kiosk or hold they come from. A code's
 * own 5 attempts bound the guesses on one hold only: a till placing hold after hold could guess without end and send
 * the customer an SMS each time. Past either limit no hold needing a code is placed, and past the wrong codes' no code
 * is checked, until the window has moved past them: at most 10 guesses a day (one in 100,000 to win) and 5 SMS left
 * unanswered.
 */
export const customerConfirmationLimits = {
  windowMs: 24 * 60 * 60_000,
  /** Wrong codes tried on all the customer's holds. */
  maxFailedAttempts: 10,
  /** Codes sent and never confirmed: confirmed ones were answered by the customer, so they flood no one. */
  maxUnconfirmedCodes: 5,
};

export interface CustomerCodeCounts {
  failedAttempts: number;
  unconfirmedCodes: number;
}

interface Lock {
  reached: "failed_attempts" | "codes_sent";
  message: string;
}

const windowHours = (limits: typeof customerConfirmationLimits) => Math.round(limits.windowMs / 3_600_000);

/** Wrong codes the customer may still try in the window. */
export const attemptsLeft = (counts: CustomerCodeCounts, limits = customerConfirmationLimits) =>
  Math.max(0, limits.maxFailedAttempts - counts.failedAttempts);

/** Why no code of the customer's is checked any more, or null. A code sent does not stop them answering it. */
export function attemptLock(counts: CustomerCodeCounts, limits = customerConfirmationLimits): Lock | null {
  if (attemptsLeft(counts, limits) > 0) return null;
  return {
    reached: "failed_attempts",
    message: `${counts.failedAttempts} wrong codes were tried for this customer in the last ${windowHours(limits)} h`,
  };
}

/** Why no new code is sent to the customer, so no hold needing one is placed, or null. */
export function newCodeLock(counts: CustomerCodeCounts, limits = customerConfirmationLimits): Lock | null {
  const attempts = attemptLock(counts, limits);
  if (attempts || counts.unconfirmedCodes < limits.maxUnconfirmedCodes) return attempts;
  const sent = `${counts.unconfirmedCodes} codes sent to this customer in the last ${windowHours(limits)} h`;
  return { reached: "codes_sent", message: `${sent} went unconfirmed` };
}

/**
 * The customer's failed attempts and unconfirmed codes sent within the window before `at`, read under the customer's
 * lock (every hold and confirmation takes it first), so two tills cannot both pass the limit. Through the holds that
 * spend wallet cash, by customer and time (migration 0068): a customer's other holds are not read.
 */
export async function customerCodeCounts(
  tx: RawTx,
  tenantId: string,
  customerId: string,
  at: Date,
  limits = customerConfirmationLimits,
): Promise<CustomerCodeCounts> {
  const since = new Date(at.getTime() - limits.windowMs);
  const [row] = await tx.$queryRaw<{ failed: number; unconfirmed: number }[]>`
    SELECT coalesce(sum(c.attempts), 0)::int AS failed,
           count(*) FILTER (WHERE c.confirmed_at IS NULL)::int AS unconfirmed
    FROM checkout_holds h JOIN hold_confirmations c ON c.hold_id = h.id
    WHERE h.tenant_id = ${tenantId} AND h.customer_id = ${customerId} AND h.wallet > 0
      AND h.created_at > ${since} AND c.created_at > ${since}`;
  return { failedAttempts: row?.failed ?? 0, unconfirmedCodes: row?.unconfirmed ?? 0 };
}
