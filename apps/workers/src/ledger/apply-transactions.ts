import type { TransactionMessage, TransactionProcessed } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { evaluateEarning, pointsToReverse, refundableRemainder } from "@regulars/ledger";
import { postMovements, resolveCustomers } from "@regulars/ledger-store";
import type { Outcome } from "@regulars/bus";
import { loadProcessedEvents, processedEvent } from "./processed-event.ts";
import type { ProgrammeCache } from "./programmes.ts";
import { storeTransactions, type TransactionRow } from "./store-transactions.ts";

export interface LedgerDeps {
  db: Db;
  programmes: ProgrammeCache;
}

export interface AppliedBatch {
  outcomes: Outcome[];
  /** Domain events to publish after the commit, one per transaction that is now in the ledger. */
  events: TransactionProcessed[];
}

/**
 * Turns a batch of posted transactions into stored transactions and ledger movements in ONE database
 * transaction: either the whole batch is committed (and then acknowledged) or nothing is. Sales go
 * first so a refund in the same batch finds the sale it refunds.
 */
export async function applyTransactionBatch(deps: LedgerDeps, messages: TransactionMessage[]): Promise<AppliedBatch> {
  const outcomes: Outcome[] = messages.map(() => ({ kind: "done" }));
  const fresh = new Map<string, number>(); // transactionId → index of its first occurrence in the batch
  messages.forEach((m, i) => fresh.has(m.transactionId) || fresh.set(m.transactionId, i));

  const committed = await withTransaction(deps.db, async (tx) => {
    const existing = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM transactions WHERE id = ANY(${[...fresh.keys()]}::text[])`;
    const alreadyStored = existing.map((r) => r.id);
    for (const id of alreadyStored) fresh.delete(id);
    const todo = [...fresh.values()];
    const sales = todo.filter((i) => messages[i]!.transaction.type === "sale");
    const refunds = todo.filter((i) => messages[i]!.transaction.type === "refund");
    const stored = [...(await applySales(deps, tx, messages, sales, outcomes)), ...(await applyRefunds(tx, messages, refunds, outcomes))];
    return { alreadyStored, stored };
  });

  const reloaded = await loadProcessedEvents(deps.db, committed.alreadyStored);
  return { outcomes, events: [...committed.stored, ...reloaded.values()] };
}

async function applySales(deps: LedgerDeps, tx: DbTx, messages: TransactionMessage[], indexes: number[], outcomes: Outcome[]) {
  const withCustomer = indexes.filter((i) => messages[i]!.transaction.customer);
  const resolutions = await resolveCustomers(
    tx,
    withCustomer.map((i) => ({
      tenantId: messages[i]!.tenantId,
      ref: messages[i]!.transaction.customer!,
      create: true,
      createdVia: messages[i]!.transaction.channel,
    })),
  );
  const customerOf = new Map<number, string | null>();
  withCustomer.forEach((i, k) => {
    const r = resolutions[k]!;
    if ("rejected" in r) outcomes[i] = { kind: "reject", reason: r.rejected };
    else customerOf.set(i, r.customerId);
  });

  const rows: TransactionRow[] = [];
  for (const i of indexes) {
    if (outcomes[i]!.kind !== "done") continue;
    const m = messages[i]!;
    const customerId = customerOf.get(i) ?? null;
    const programme = await deps.programmes.inForce(m.tenantId, new Date(m.transaction.occurredAt));
    // Anonymous sales are recorded for analytics but earn nothing: there is no one to credit.
    const earning = customerId && programme ? evaluateEarning(programme.config, m.transaction) : null;
    rows.push({ message: m, customerId, points: earning?.points ?? 0, programmeVersion: programme?.version ?? null, explanation: earning?.explanation ?? null });
  }
  return postAndDescribe(tx, rows, "earn");
}

async function applyRefunds(tx: DbTx, messages: TransactionMessage[], indexes: number[], outcomes: Outcome[]) {
  if (!indexes.length) return [];
  const originalIds = indexes.map((i) => stableId("transaction", messages[i]!.tenantId, messages[i]!.transaction.refundOf!));
  const originals = await tx.$queryRaw<{ id: string; type: string; customer_id: string | null; total: number; points_awarded: number; refunded: bigint | null }[]>`
    SELECT t.id, t.type, t.customer_id, t.total, t.points_awarded,
           (SELECT sum(r.total) FROM transactions r WHERE r.tenant_id = t.tenant_id AND r.refund_of = t.external_id) AS refunded
    FROM transactions t WHERE t.id = ANY(${originalIds}::text[])
    ORDER BY t.id
    FOR UPDATE OF t`; // two refunds of one sale in different workers must not both pass the remainder check
  const byId = new Map(originals.map((o) => [o.id, { ...o, refunded: Number(o.refunded ?? 0) }]));

  const rows: TransactionRow[] = [];
  indexes.forEach((i, k) => {
    const m = messages[i]!;
    const original = byId.get(originalIds[k]!);
    if (!original) {
      // The sale may still be on its way (another batch, another worker): retry, then dead-letter.
      outcomes[i] = { kind: "retry", reason: `refunded transaction ${m.transaction.refundOf} is not in the ledger yet` };
      return;
    }
    if (original.type !== "sale") {
      outcomes[i] = { kind: "reject", reason: `${m.transaction.refundOf} is a refund; only sales can be refunded` };
      return;
    }
    const remainder = refundableRemainder(original.total, original.refunded);
    if (m.transaction.total > remainder) {
      outcomes[i] = { kind: "reject", reason: `refund of ${m.transaction.total} exceeds the ${remainder} still refundable on ${m.transaction.refundOf}` };
      return;
    }
    const reversed = pointsToReverse({
      originalPoints: original.points_awarded,
      originalTotal: original.total,
      refundedBefore: original.refunded,
      refundTotal: m.transaction.total,
    });
    original.refunded += m.transaction.total; // a second refund of the same sale in this batch sees this one
    rows.push({
      message: m,
      customerId: original.customer_id,
      points: -reversed,
      programmeVersion: null,
      explanation: [{ ruleId: "refund", type: "reverse", points: -reversed, lines: [], detail: `proportional share of ${original.points_awarded} pts on ${original.total}` }],
    });
  });
  return postAndDescribe(tx, rows, "reverse");
}

async function postAndDescribe(tx: DbTx, rows: TransactionRow[], kind: "earn" | "reverse") {
  const inserted = await storeTransactions(tx, rows);
  const posted = rows.filter((r) => inserted.has(r.message.transactionId));
  await postMovements(
    tx,
    posted
      .filter((r) => r.customerId && r.points !== 0)
      .map((r) => ({
        tenantId: r.message.tenantId,
        customerId: r.customerId!,
        kind,
        unit: "points" as const,
        amount: r.points,
        idempotencyKey: `tx:${r.message.transactionId}`,
        transactionId: r.message.transactionId,
        occurredAt: new Date(r.message.transaction.occurredAt),
      })),
  );
  return posted.map((r) => processedEvent(r.message, r.customerId, r.points));
}
