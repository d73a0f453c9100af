import type { TransactionInput, TransactionMessage } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { Credential } from "@regulars/tenancy";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";
import { notComparableYet } from "./recorded-before.ts";
import { outOfRange } from "./routes/acceptance.ts";

type Who = Pick<Credential, "tenantId" | "tenant" | "keyId">;

/** A transaction to store, one refused before anything is stored, or a repeat of one stored before (its answer). */
export type Admission = { admitted: Admitted } | { refused: DomainError } | { repeat: Stored };

/**
 * The checks against the gateway's clock and the tenant before anything is stored: `occurredAt` in the window, the
 * tenant's currency. Both may refuse now what they accepted when the sale was first posted (the window moved on, the
 * tenant's currency changed), so a refused transaction is first asked for as a repeat (`storedBefore`): a till
 * whose 202 was lost and that retries must hear duplicate (or conflict), never that its stored sale is invalid.
 * Only refused transactions cost that round trip, and only those JetStream does not know cost a query of Postgres.
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
  const repeatOf = new Map(refused.map((i, k) => [i, repeats[k] ?? null]));
  await recordedRepeats(intake, credential.tenantId, candidates, repeatOf);
  return candidates.map((admitted, i) => {
    const refusal = refusals[i];
    if (!refusal) return { admitted };
    const repeat = repeatOf.get(i);
    return repeat ? { repeat } : { refused: refusal };
  });
}

/**
 * JetStream remembers an id for its duplicate window only (an hour by default); a refused transaction it does not
 * know may still be stored, which Postgres then says (`recordedTransactions`), compared by body as JetStream's
 * repeats are: a retry is a duplicate, another body a conflict, one not processed yet `unavailable`.
 */
async function recordedRepeats(
  intake: TransactionIntake,
  tenantId: string,
  candidates: Admitted[],
  repeatOf: Map<number, Stored | null>,
): Promise<void> {
  const unknown = [...repeatOf].flatMap(([i, repeat]) => (repeat ? [] : [i]));
  if (!unknown.length || !intake.recordedBefore) return;
  const recorded = await intake.recordedBefore(
    tenantId,
    unknown.map((i) => candidates[i]!.transaction),
  );
  for (const i of unknown) {
    const { transaction, transactionId } = candidates[i]!;
    const { externalId } = transaction;
    const found = recorded.get(externalId);
    if (found === "unknown") throw notComparableYet(externalId);
    if (found === "match") {
      intake.onPublished(true);
      repeatOf.set(i, { outcome: "duplicate", transactionId, externalId });
    }
    if (found === "other")
      repeatOf.set(i, {
        outcome: "conflict",
        externalId,
        error: new DomainError(
          "idempotency_conflict",
          `externalId ${externalId} was accepted before with a different body; post a changed transaction under a new externalId`,
        ),
      });
  }
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
