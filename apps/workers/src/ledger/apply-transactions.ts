import type { LoyaltyEvent, TransactionMessage } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { movementEvents, type NewMovement, type OutboxItem, outboxItem, postMovementsDetailed, resolveCustomers, trackMilestones, writeOutbox } from "@regulars/ledger-store";
import type { Outcome } from "@regulars/bus";
import { loadLoyaltyStates, saveLoyaltyStates } from "./loyalty-state.ts";
import { planRefunds } from "./plan-refund.ts";
import { planSale } from "./plan-sale.ts";
import { processedEvent } from "./processed-event.ts";
import type { ProgrammeCache } from "./programmes.ts";
import { storeTransactions, type TransactionRow } from "./store-transactions.ts";

export interface LedgerDeps {
  db: Db;
  programmes: ProgrammeCache;
}

export interface AppliedBatch {
  outcomes: Outcome[];
  /** Domain events committed to the outbox with this batch, to publish now. */
  outbox: OutboxItem[];
}

/**
 * Turns a batch of posted transactions into stored transactions, ledger movements, loyalty state and
 * domain events in ONE database transaction: either the whole batch is committed (and then
 * acknowledged) or nothing is. Sales go first so a refund in the same batch finds the sale it refunds.
 */
export async function applyTransactionBatch(deps: LedgerDeps, messages: TransactionMessage[]): Promise<AppliedBatch> {
  const outcomes: Outcome[] = messages.map(() => ({ kind: "done" }));
  const fresh = new Map<string, number>(); // transactionId → index of its first occurrence in the batch
  messages.forEach((m, i) => fresh.has(m.transactionId) || fresh.set(m.transactionId, i));

  await deps.programmes.refresh([...new Set(messages.map((m) => m.tenantId))]);
  const outbox = await withTransaction(deps.db, async (tx) => {
    // Already stored means an earlier delivery committed it; its events are in the outbox already.
    const existing = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM transactions WHERE id = ANY(${[...fresh.keys()]}::text[])`;
    for (const r of existing) fresh.delete(r.id);
    const todo = [...fresh.values()];
    const sales = await planSales(deps, tx, messages, todo.filter((i) => messages[i]!.transaction.type === "sale"), outcomes);
    const storedSales = await storeTransactions(tx, sales.rows);
    const refunds = await planRefunds(tx, messages, todo.filter((i) => messages[i]!.transaction.type === "refund"), outcomes);
    const storedRefunds = await storeTransactions(tx, refunds.rows);
    const stored = new Set([...storedSales, ...storedRefunds]);

    // A transaction a concurrent worker stored first is that worker's to account for.
    const movements = [...sales.movements, ...refunds.movements].filter((mv) => mv.transactionId && stored.has(mv.transactionId));
    const posted = await postMovementsDetailed(tx, movements);
    const events: LoyaltyEvent[] = [...sales.events.filter((e) => !("transactionId" in e) || stored.has(e.transactionId as string)), ...movementEvents(posted)];
    for (const [tenantId, thresholds] of sales.milestones) events.push(...(await trackMilestones(tx, thresholds, posted.filter((p) => p.tenantId === tenantId))));
    await saveLoyaltyStates(tx, sales.states);

    const processed = [...sales.rows, ...refunds.rows].filter((r) => stored.has(r.message.transactionId)).map((r) => processedEvent(r.message, r.customerId, r.points));
    const items = events.map(outboxItem);
    // transaction.processed repeats the whole basket: the outbox keeps a reference, we publish the event.
    await writeOutbox(tx, [...processed.map((e) => ({ ...outboxItem(e), payload: { ref: e.transactionId } })), ...items]);
    return [...processed.map(outboxItem), ...items];
  });
  return { outcomes, outbox };
}

async function planSales(deps: LedgerDeps, tx: DbTx, messages: TransactionMessage[], indexes: number[], outcomes: Outcome[]) {
  const withCustomer = indexes.filter((i) => messages[i]!.transaction.customer);
  const resolutions = await resolveCustomers(
    tx,
    withCustomer.map((i) => ({ tenantId: messages[i]!.tenantId, ref: messages[i]!.transaction.customer!, create: true, createdVia: messages[i]!.transaction.channel })),
  );
  const customerOf = new Map<number, string | null>();
  withCustomer.forEach((i, k) => {
    const r = resolutions[k]!;
    if ("rejected" in r) outcomes[i] = { kind: "reject", reason: r.rejected };
    else customerOf.set(i, r.customerId);
  });

  const rows: TransactionRow[] = [];
  const movements: NewMovement[] = [];
  const events: LoyaltyEvent[] = [];
  const milestones = new Map<string, number[]>();
  const states = [];
  const accepted = indexes.filter((i) => outcomes[i]!.kind === "done");
  for (const tenantId of new Set(accepted.map((i) => messages[i]!.tenantId))) {
    const mine = accepted.filter((i) => messages[i]!.tenantId === tenantId);
    const times = mine.map((i) => messages[i]!.transaction.occurredAt).sort((a, b) => Date.parse(a) - Date.parse(b));
    // Which state to load follows the programme in force at the end of the batch (caps, tiers, stamp cards).
    const latest = await deps.programmes.inForce(tenantId, new Date(times[times.length - 1]!));
    const customers = mine.map((i) => customerOf.get(i)).filter((c): c is string => !!c);
    const tenantStates = latest && customers.length
      ? await loadLoyaltyStates(tx, tenantId, customers, { config: latest.config, timezone: latest.timezone, from: times[0]!, to: times[times.length - 1]! })
      : new Map();
    states.push(...tenantStates.values());
    if (latest) milestones.set(tenantId, latest.config.milestones);
    for (const i of mine) {
      const m = messages[i]!;
      const customerId = customerOf.get(i) ?? null;
      const programme = await deps.programmes.inForce(tenantId, new Date(m.transaction.occurredAt));
      const state = customerId ? tenantStates.get(customerId) : undefined;
      // Anonymous sales are recorded for analytics but earn nothing: there is no one to credit.
      if (!programme || !state) {
        rows.push({ message: m, customerId, points: 0, programmeVersion: programme?.version ?? null, explanation: null });
        continue;
      }
      const plan = planSale(m, state, programme);
      rows.push({ message: m, customerId, points: plan.points, programmeVersion: programme.version, explanation: plan.explanation });
      movements.push(...plan.movements);
      events.push(...plan.events);
    }
  }
  return { rows, movements, events, milestones, states };
}
