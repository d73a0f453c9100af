import { DomainError } from "@regulars/errors";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";

/**
 * For each transaction, what a sale naming a checkout hold priced on another basket is answered: `hold_mismatch`
 * with the first difference as its issue, or, when it was stored before under its `externalId` (by a gateway from
 * before this check, its answer lost), the repeat it is, as a 4xx must mean that nothing was stored. Null for the
 * rest, which go on. The hold's points, coupons and line discounts were chosen for its basket: committed with a
 * smaller sale they would be spent on less (the ledger does not commit such a hold, and the till, which gave the
 * quote's discounts, learns only here that the hold is not used). Only requests with a sale naming a hold read.
 */
export async function heldBasketAnswers(
  intake: TransactionIntake,
  tenantId: string,
  admitted: Admitted[],
): Promise<(DomainError | Stored | null)[]> {
  const answers: (DomainError | Stored | null)[] = admitted.map(() => null);
  if (!intake.heldBaskets || !admitted.some((a) => a.transaction.holdId)) return answers;
  const at = admitted[0]!.receivedAt;
  const differences = await intake.heldBaskets(
    tenantId,
    admitted.map((a) => a.transaction),
    at,
  );
  const refused = differences.flatMap((d, i) => (d ? [i] : []));
  if (!refused.length) return answers;
  const repeats = await storedBefore(
    intake,
    tenantId,
    refused.map((i) => admitted[i]!),
  );
  refused.forEach((i, k) => {
    const { path, message } = differences[i]!;
    const holdId = admitted[i]!.transaction.holdId!;
    answers[i] =
      repeats[k] ??
      new DomainError(
        "hold_mismatch",
        `the sale is not the basket its hold ${holdId} was priced on (${path} ${message}); void the hold ` +
          `(DELETE /v1/checkout/holds/${holdId}), quote the sale's basket again and post the sale with the new hold`,
        [{ path, message }],
      );
  });
  return answers;
}
