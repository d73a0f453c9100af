import { TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";

// What the tests of refunds parked when their customer is erased share: a till's messages and the ledger's batch.

let n = 0;

/** An externalId no other test uses, `prefix` naming the test file. */
export const uniqueExternalId = (prefix: string, what: string) => `${prefix}-${what}-${Date.now().toString(36)}-${++n}`;

/** A till's message of a one-line sale of 5.00 a minute before `now`, or whatever `body` says. */
export function tillMessage(
  tenantId: string,
  now: Date,
  body: Partial<TransactionInput> & { externalId: string },
): TransactionMessage {
  const transaction = TransactionInput.parse({
    type: "sale",
    occurredAt: new Date(now.getTime() - 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 500, discount: 0, tags: [] }],
    total: 500,
    ...body,
  });
  return {
    tenantId,
    transactionId: stableId("transaction", tenantId, transaction.externalId),
    receivedAt: now.toISOString(),
    transaction,
  };
}

/** The ledger's outcomes of one batch of the messages, applied at `now`. */
export async function applyAtTill(db: Db, now: Date, ...messages: TransactionMessage[]) {
  const { outcomes } = await applyTransactionBatch(
    { db, programmes: new ProgrammeCache(db, 0), now: () => now },
    messages,
  );
  return outcomes;
}
