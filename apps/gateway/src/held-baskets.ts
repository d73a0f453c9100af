import { DomainError } from "@regulars/errors";
import type { HoldEnding, SaleHoldRefusal } from "@regulars/ledger-store";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";

/**
 * For each transaction, what a sale naming a checkout hold the ledger would not commit is answered (the hold was priced
 * on another basket, is another customer's, still waits for its customer's code, is another sale's, or ended: released,
 * expired, past its expiry or unknown: `refusalError`), or, when it
 * was stored before under its `externalId` (by a gateway from before this check, its answer lost), the repeat it is,
 * as a 4xx must mean that nothing was stored. Null for the rest, which go on. The till gave the hold's discounts
 * already: accepted, such a sale would be processed with none of them paid for, and the till learns only here that
 * the hold is not used. The holds of the others are claimed just before they are stored (`storeTransactions`), once
 * their coupon codes' throttle let them through: a throttled sale claims nothing. Only requests with a sale naming a
 * hold read.
 */
export async function heldBasketAnswers(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<(DomainError | Stored | null)[]> {
  const answers: (DomainError | Stored | null)[] = admitted.map(() => null);
  if (!intake.saleHolds || !admitted.some((a) => a.transaction.holdId)) return answers;
  const at = admitted[0]!.receivedAt;
  const refusals = await intake.saleHolds(
    tenantId,
    admitted.map((a) => a.transaction),
    at,
  );
  const refused = refusals.flatMap((d, i) => (d ? [i] : []));
  if (!refused.length) return answers;
  const repeats = await storedBefore(
    intake,
    tenantId,
    refused.map((i) => admitted[i]!),
  );
  refused.forEach((i, k) => {
    answers[i] = repeats[k] ?? refusalError(refusals[i]!, admitted[i]!.transaction.holdId!, at);
  });
  return answers;
}

/**
 * What the till is told, and what to do: confirm the hold first, void it and place one for the sale, or, for a hold
 * another sale has, charge the sale without it.
 */
function refusalError(refusal: SaleHoldRefusal, holdId: string, at: Date): DomainError {
  const voidAndQuote = `void the hold (DELETE /v1/checkout/holds/${holdId}), quote the sale's basket again`;
  if (refusal.code === "hold_ended") return holdEndedError(holdId, refusal.ended, refusal.expiresAt);
  if (refusal.code === "hold_used") {
    const sale = refusal.by ? `sale ${refusal.by}` : "another sale";
    return new DomainError(
      "hold_used",
      `hold ${holdId} ${refusal.committed ? "was committed to" : "is claimed by"} ${sale}, and a hold pays for one ` +
        "sale only: this sale's discounts from it are not paid for; post the sale without the hold, or quote its " +
        "basket again and post it with a new hold",
      [{ path: "holdId", message: `is used by ${sale}` }],
    );
  }
  if (refusal.code === "hold_unconfirmed") {
    const until = refusal.codeExpiresAt.toISOString();
    return new DomainError(
      "hold_unconfirmed",
      refusal.codeExpiresAt > at
        ? `hold ${holdId} waits for the code sent to its customer until ${until}: confirm it ` +
            `(POST /v1/checkout/holds/${holdId}/confirm), then post the sale again`
        : `the code for hold ${holdId} expired at ${until} unconfirmed, so the hold is released: ${voidAndQuote} and ` +
            "post the sale with the new hold",
    );
  }
  const { path, message } = refusal.issue;
  const what =
    path === "customer"
      ? `is not of the customer its hold ${holdId} was placed for`
      : `is not the basket its hold ${holdId} was priced on`;
  return new DomainError(
    "hold_mismatch",
    `the sale ${what} (${path} ${message}); ${voidAndQuote} and post the sale with the new hold`,
    [{ path, message }],
  );
}

/**
 * A sale naming a hold that reserves nothing any more: its discounts from the hold would be paid by nothing, so it is
 * not stored; the till quotes again (a new hold) or charges the sale without the hold.
 */
export function holdEndedError(holdId: string, ended: HoldEnding, expiresAt: Date | null): DomainError {
  const how = {
    released: "was released (voided, or its one-time code expired unconfirmed)",
    expired: `expired${expiresAt ? ` at ${expiresAt.toISOString()}` : ""}`,
    unknown: "is not a checkout hold of this tenant",
  }[ended];
  return new DomainError(
    "hold_ended",
    `hold ${holdId} ${how}, so it reserves nothing: this sale's discounts from it would not be paid for, and it was ` +
      "not stored; quote the basket again and post the sale with the new hold, or post it without a hold",
    [{ path: "holdId", message: ended === "unknown" ? "is unknown" : `has ${ended}` }],
  );
}
