import type { TransactionInput, TransactionMessage } from "@regulars/contracts";
import { channelRefusal } from "@regulars/contracts/api-access";
import { DomainError } from "@regulars/errors";
import { stableId } from "@regulars/ids";
import type { Credential } from "@regulars/tenancy";
import { type Admitted, type Stored, storedBefore, type TransactionIntake } from "./intake.ts";
import { notComparableYet, type Recorded } from "./recorded-before.ts";
import { outOfRange } from "./routes/acceptance.ts";

type Who = Pick<Credential, "tenantId" | "tenant" | "keyId" | "role">;

/** A transaction to store, one refused before anything is stored, or a repeat of one stored before (its answer). */
export type Admission = { admitted: Admitted } | { refused: DomainError } | { repeat: Stored };

/**
 * The checks against the key, the gateway's clock and the tenant before anything is stored: a `channel` the key may
 * post (`transactionChannelsOfRole`), `occurredAt` in the window, the tenant's currency. Every transaction is first
 * looked up as a repeat, whether refused or not: JetStream's message id dedupe lasts its duplicate window
 * only (an hour by default), after which a retry would be stored again and a changed body under a used externalId
 * answered `accepted` (the ledger then rejecting it unseen). Postgres answers for what the ledger recorded
 * (`recordedBefore`, one statement per request, shared with concurrent ones); JetStream (`storedBefore`) for what it
 * may not have yet: a refused transaction Postgres does not know (a till whose 202 was lost must hear duplicate or
 * conflict, never that its stored sale is invalid now), and one whose receipt is written but whose body the ledger
 * has not read. A transaction neither knows is stored (or refused); within the window the publish still answers a
 * repeat the ledger has not seen.
 */
export async function admitTransactions(
  intake: TransactionIntake,
  credential: Who,
  transactions: TransactionInput[],
  receivedAt: Date,
): Promise<Admission[]> {
  const { tenantId } = credential;
  const candidates = transactions.map((t) => candidate(intake, credential, t, receivedAt));
  const refusals = transactions.map((t) => refusalOf(intake, credential, t, receivedAt));
  const recorded = await recordedOrNothing(intake, tenantId, transactions, refusals.some(Boolean));
  const repeats = candidates.map((c, i) => recordedRepeat(intake, c, recorded[i]));
  const unanswered = (i: number) => !repeats[i] && (refusals[i] || recorded[i]);
  const probed = candidates.flatMap((_, i) => (unanswered(i) ? [i] : []));
  const stored = probed.length
    ? await storedBefore(
        intake,
        tenantId,
        probed.map((i) => candidates[i]!),
      )
    : [];
  probed.forEach((i, k) => {
    repeats[i] = stored[k] ?? null;
  });
  return candidates.map((admitted, i) => {
    const repeat = repeats[i];
    if (repeat) return { repeat };
    const { externalId } = admitted.transaction;
    // Accepted before, not read by the ledger yet, and past JetStream's window: nothing can compare it now.
    if (recorded[i] === "unknown") throw notComparableYet(externalId);
    const refused = refusals[i];
    return refused ? { refused } : { admitted };
  });
}

/**
 * What Postgres recorded of each of these transactions, in their order. When it cannot answer (out of reach, or
 * slower than `RecordedLookups` waits), transactions nothing refuses are stored all the same, as before every transaction was looked up: a Postgres outage must not stop the tills, and nothing is lost
 * or doubled, as within JetStream's window the publish answers a repeat and past it the ledger rejects a changed body
 * (`idempotency_conflict`, on the transaction's status). A refused transaction still needs the answer (a till whose
 * 202 was lost must hear duplicate or conflict, never that its stored sale is invalid now): 503.
 */
async function recordedOrNothing(
  intake: TransactionIntake,
  tenantId: string,
  transactions: TransactionInput[],
  anyRefused: boolean,
): Promise<(Recorded | undefined)[]> {
  if (!intake.recordedBefore) return [];
  try {
    return await intake.recordedBefore(tenantId, transactions);
  } catch (error) {
    if (anyRefused) throw error;
    return [];
  }
}

/** The repeat Postgres says a transaction is: a duplicate of the same body, a conflict with another; else null. */
function recordedRepeat(intake: TransactionIntake, c: Admitted, recorded: Recorded | undefined): Stored | null {
  const { transaction, transactionId } = c;
  const { externalId } = transaction;
  if (recorded === "match") {
    intake.onPublished(true);
    return { outcome: "duplicate", transactionId, externalId };
  }
  if (recorded !== "other") return null;
  return {
    outcome: "conflict",
    externalId,
    error: new DomainError(
      "idempotency_conflict",
      `externalId ${externalId} was accepted before with a different body; post a changed transaction under a new externalId`,
    ),
  };
}

function channelNotAllowed({ role }: Who, t: TransactionInput): DomainError | null {
  const refused = channelRefusal(role, t.channel, "transactions");
  if (!refused) return null;
  const only = refused.allowed.join(" or ") || "none";
  return new DomainError(refused.code, refused.message, [
    { path: "channel", message: `must be ${only} for a ${role} key` },
  ]);
}

function refusalOf(intake: TransactionIntake, who: Who, t: TransactionInput, at: Date): DomainError | null {
  const { tenant } = who;
  // Earning rules pay by channel: it is the key's to say, not the body's. Refused as the others are, after the
  // repeat lookup: a sale stored before the key's channels were bounded, retried, is still answered as a duplicate.
  const forbidden = channelNotAllowed(who, t);
  if (forbidden) return forbidden;
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
