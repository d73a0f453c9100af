import type { TransactionInput, TransactionMessage } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { Credential } from "@regulars/tenancy";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";
import { outOfRange } from "./routes/acceptance.ts";

type Who = Pick<Credential, "tenantId" | "tenant" | "keyId">;

/** A transaction to store, one refused before anything is stored, or a repeat of one stored before (its answer). */
export type Admission = { admitted: Admitted } | { refused: DomainError } | { repeat: Stored };

/**
 * The checks against the gateway's clock and the tenant before anything is stored: `occurredAt` in the window, the
 * tenant's currency. Both may refuse now what they accepted when the sale was first posted (the window moved on, the
 * tenant's currency changed), so a refused transaction is first asked for as a repeat (`storedBefore`): a till
 * whose 202 was lost and that retries must hear duplicate (or conflict), never that its stored sale is invalid.
 * Only refused transactions cost that round trip.
 */
export async function admitTransactions(
  intake: TransactionIntake,
  credential: Who,
  transactions: TransactionInput[],
  receivedAt: Date,
): Promise<Admission[]> {
  const candidates = transactions.map((t) => candidate(intake, credential, t, receivedAt));
  const refusals = transactions.map((t) => refusalOf(intake, credential, t, receivedAt));
  const refused = refusals.flatMap((r, i) => (r ? [i] : []));
  const repeats = refused.length
    ? await storedBefore(
        intake,
        credential.tenantId,
        refused.map((i) => candidates[i]!),
      )
    : [];
  const repeatOf = new Map(refused.map((i, k) => [i, repeats[k]]));
  return candidates.map((admitted, i) => {
    const refusal = refusals[i];
    if (!refusal) return { admitted };
    const repeat = repeatOf.get(i);
    return repeat ? { repeat } : { refused: refusal };
  });
}

function refusalOf(intake: TransactionIntake, { tenant }: Who, t: TransactionInput, at: Date): DomainError | null {
  const late = outOfRange(t.occurredAt, at, intake.acceptance);
  if (late) return late;
  if (t.currency === tenant.currency) return null;
  return new DomainError("invalid_request", "the currency does not match the tenant's", [
    { path: "currency", message: `must be ${tenant.currency}, the currency of this tenant` },
  ]);
}

function candidate(intake: TransactionIntake, credential: Who, transaction: TransactionInput, at: Date): Admitted {
  const { tenantId } = credential;
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  // The key goes with the message (who posted it); `codesCounted` tells the ledger that the sale's unknown coupon
  // codes were reserved against it here (`throttledCodes`), so that it does not count them again.
  const message: TransactionMessage = {
    tenantId,
    transactionId,
    receivedAt: at.toISOString(),
    transaction,
    credentialId: credential.keyId,
    ...(intake.postedCodes ? { codesCounted: true } : {}),
  };
  return { transaction, transactionId, message, receivedAt: at };
}
