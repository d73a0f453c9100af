import { done, type Outcome } from "@regulars/bus";
import { TransactionProcessed } from "@regulars/contracts";
import { recordProcessedTransactions } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { z } from "zod";

/** Offsets are required: the daypart and the windows read the instant, which a time without one leaves open. */
const isoWithOffset = z.iso.datetime({ offset: true });

/**
 * A domain stream message as the profile writer reads it: a `transaction.processed` event, parsed strictly (a
 * bad one is dead-lettered with the fields at fault), or null for any other domain event, which is not this
 * writer's and is acknowledged without work.
 */
export const ProfileTransactionMessage = z.looseObject({ type: z.string() }).transform((message, ctx) => {
  if (message.type !== "transaction.processed") return null;
  const parsed = TransactionProcessed.safeParse(message);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  if (!isoWithOffset.safeParse(parsed.data.occurredAt).success) {
    ctx.addIssue({ code: "custom", path: ["occurredAt"], message: "must be ISO 8601 with an offset" });
    return z.NEVER;
  }
  return parsed.data;
});
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
