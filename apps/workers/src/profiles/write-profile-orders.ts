import { done, type Outcome } from "@regulars/bus";
import { TransactionProcessed } from "@regulars/contracts";
import { recordProcessedTransactions } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import type { z } from "zod";
import { domainMessageOf } from "../domain-message.ts";

/** A `transaction.processed` event from the domain stream, or null for another type (see domainMessageOf). */
export const ProfileTransactionMessage = domainMessageOf(
  (type) => type === "transaction.processed",
  TransactionProcessed,
);
export type ProfileTransactionMessage = z.infer<typeof ProfileTransactionMessage>;

/**
 * Writes a batch's processed transactions as profile facts in one Postgres transaction; acknowledged after
 * its commit. A redelivered event is recorded once (keyed by its transaction).
 */
export async function writeProfileOrdersBatch(db: Db, items: ProfileTransactionMessage[]): Promise<Outcome[]> {
  const events = items.filter((item): item is TransactionProcessed => item !== null);
  if (events.length) await recordProcessedTransactions(db, events);
  return items.map(() => done);
}
