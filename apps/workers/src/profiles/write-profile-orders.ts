import { type FactsTarget, insertVoidedTransactions, mergeCustomerRows } from "@regulars/analytics";
import { done, type Outcome } from "@regulars/bus";
import { TransactionProcessed } from "@regulars/contracts";
import {
  factOwners,
  mergesOf,
  recordProcessedTransactions,
  saleKeysOf,
  voidedFactsOf,
} from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { snapshotCustomers } from "@regulars/segments-store";
import type { z } from "zod";
import { domainMessageOf } from "../domain-message.ts";

/** A `transaction.processed` event from the domain stream, or null for another type (see domainMessageOf). */
export const ProfileTransactionMessage = domainMessageOf(
  (type) => type === "transaction.processed",
  TransactionProcessed,
);
export type ProfileTransactionMessage = z.infer<typeof ProfileTransactionMessage>;

/**
 * Writes a batch's processed transactions as profile facts in one Postgres transaction. A redelivered event is
 * recorded once (keyed by its transaction).
 *
 * With ClickHouse (`segments`), the sales' customers' snapshots are written after that commit: their lifetime
 * sale totals (tag affinity) come from these facts, and the customer snapshot writer, a consumer of its own,
 * may have read the customer before the commit. This read starts after it, so its snapshot wins (see
 * readCustomerSnapshots). Acknowledged after both; a redelivery after a crash in between writes the snapshots
 * again (the facts are there already).
 *
 * The facts are on the survivor of any merge committed before their commit (recordProcessedTransactions). A merge
 * committing after it, before the snapshot lands, may have its ClickHouse move (the snapshot writer's) run first:
 * the merged customer's snapshot would then bring it back into segments, emptied. So the merges are looked up again
 * after the write and their move run here too, as the fact writers do (writeUnderSurvivors); one committed after
 * that look-up announces itself after the snapshot landed, so its own move deletes it.
 *
 * Then the voided facts among the batch's sales and their refunds go to ClickHouse's `voided_transactions`, which
 * segments leave out of orders as the profile does; read after the commit, so a redelivery writes them again. Only
 * sales with a refund are read (`voidedFactsOf`): a batch of plain sales finds nothing to send.
 */
export async function writeProfileOrdersBatch(
  db: Db,
  items: ProfileTransactionMessage[],
  segments: FactsTarget | null = null,
): Promise<Outcome[]> {
  const events = items.filter((item): item is TransactionProcessed => item !== null);
  if (events.length) await recordProcessedTransactions(db, events);
  const sales = events.filter((e) => e.kind === "sale" && e.customerId !== null);
  if (segments && sales.length) {
    const owners = await factOwners(db, sales);
    await snapshotCustomers(db, segments, { changed: owners, seen: [] });
    await mergeCustomerRows(segments, await mergesOf(db, owners));
  }
  const profiled = events.filter((e) => e.customerId !== null);
  if (segments && profiled.length)
    await insertVoidedTransactions(segments, await voidedFactsOf(db, saleKeysOf(profiled)));
  return items.map(() => done);
}
