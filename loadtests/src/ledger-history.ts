import { type Db, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { postMovements, resolveCustomers } from "@regulars/ledger-store";
import { phoneOfCustomer } from "./baskets.ts";

const WEEK_MS = 7 * 86_400_000;
const CHUNK = 5_000;

/**
 * Gives the bench's members a past before it measures: `weeks` weekly visits each, earned through the ledger
 * store (their accounts, lots and entries as the ledger would have left them), the last one a week ago. Only the
 * ledger's reads by customer and time see it: the tier window and the daily cap, which once read a member's whole
 * history on every batch. Lots expire as the programme says (12 months after earning); no expiry job runs, so
 * the older ones stay open, as between two runs of the nightly job.
 */
export async function seedLedgerHistory(
  db: Db,
  opts: { tenantId: string; customers: number; weeks: number; now: Date; progress: (line: string) => void },
): Promise<number> {
  const { tenantId, weeks, now } = opts;
  const lookups = Array.from({ length: opts.customers }, (_, i) => ({
    tenantId,
    ref: { phone: phoneOfCustomer(i) },
    create: true,
    createdVia: "pos",
  }));
  const resolved = await withTransaction(db, (tx) => resolveCustomers(tx, lookups));
  const customerIds = resolved.flatMap((r) => ("customerId" in r && r.customerId ? [r.customerId] : []));
  const total = customerIds.length * weeks;
  let posted = 0;
  for (let week = weeks; week >= 1; week--) {
    const at = new Date(now.getTime() - week * WEEK_MS);
    const expiresAt = new Date(at.getTime() + 365 * 86_400_000);
    const movements: NewMovement[] = customerIds.map((customerId, c) => ({
      tenantId,
      customerId,
      kind: "earn",
      unit: "points",
      amount: 5 + ((c + week) % 20),
      idempotencyKey: `history:${c}:${week}`,
      occurredAt: at,
      lot: { availableAt: at, expiresAt },
    }));
    for (let i = 0; i < movements.length; i += CHUNK) {
      await withTransaction(db, (tx) => postMovements(tx, movements.slice(i, i + CHUNK)));
    }
    posted += movements.length;
    if (week % 13 === 0 || week === 1) opts.progress(`  history: ${posted} of ${total} movements posted`);
  }
  return posted;
}
