import { unknownCodeDefaults } from "@regulars/checkout";
import { type TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import { type RawTx, withTransaction } from "@regulars/db";
import { postAndAnnounce } from "../accounts/announce.ts";
import { announceTierGaps, tierGapBandsOf } from "../accounts/tier-gaps.ts";
import { customerSalesOf, undoInactivityExpiries } from "../accounts/undo-inactivity-expiry.ts";
import { customerCreatedBySale, forgetCustomers } from "../customers/created.ts";
import { lockCustomers, lockSales, saveLoyaltyStates } from "../customers/loyalty-state.ts";
import { CustomerMergedMeanwhileError, mergedAwayAmong } from "../customers/resolve.ts";
import { ledgerDefaults } from "../defaults.ts";
import { type OutboxItem, outboxItem } from "../outbox.ts";
import { applyParkedRefunds, applyRefund } from "./batch-refunds.ts";
import { applySale } from "./batch-sales.ts";
import { loadStates } from "./batch-states.ts";
import {
  appliedBeforeByPosition,
  firstOccurrences,
  notYetApplied,
  refundCustomers,
  resolveSaleCustomers,
} from "./batch-triage.ts";
import { type BatchOptions, BatchWork, type LedgerDeps } from "./batch-work.ts";
import type { ApplyOutcome } from "./outcome.ts";
import { parkRefunds, type UnreadableTaken } from "./parked.ts";
import { advancePositions } from "./partitions.ts";
import { countPostedUnknownCodes, unknownCodesByCredential } from "./posted-codes.ts";
import { processedEvent } from "./processed-event.ts";
import { loadSaleRecords } from "./sale-records.ts";
import { recordRejections } from "./status.ts";
import { storeTransactions } from "./store.ts";

export type { BatchOptions, BatchSource, LedgerDeps } from "./batch-work.ts";

export interface AppliedBatch {
  outcomes: ApplyOutcome[];
  /** Domain events committed to the outbox with this batch, to publish now. */
  outbox: OutboxItem[];
  /** Parked refunds that no longer read, taken by this batch's sales and dead-lettered before its commit. */
  deadLettered: UnreadableTaken[];
}

/**
 * Another worker stored a transaction of a locked customer between our check and our insert. It cannot
 * happen while every writer takes the customer locks first; if it ever does, the whole batch is rolled
 * back and retried, so no loyalty state is saved for a transaction this batch did not apply.
 */
export class ConcurrentApplyError extends Error {
  /** Postgres's serialization_failure: the transaction runners and the partition applier retry that code. */
  readonly code = "40001";
  constructor(ids: string[]) {
    super(`transactions ${ids.join(", ")} were stored by another worker meanwhile; the batch is retried`);
    this.name = "ConcurrentApplyError";
  }
}

/**
 * Turns a batch of posted transactions into stored transactions, ledger movements, loyalty state and
 * domain events in ONE database transaction: either the whole batch is committed (and then
 * acknowledged) or nothing is. Messages apply in stream order. The customers concerned are locked
 * before anything is read, so "was this applied already?" and the loyalty state are decided under the
 * same lock that a concurrent worker (a redelivery to a second instance) has to wait for.
 */
export async function applyTransactionBatch(
  deps: LedgerDeps,
  messages: TransactionMessage[],
  opts: BatchOptions = {},
): Promise<AppliedBatch> {
  const hashes = messages.map((m) => transactionFingerprint(m.transaction));
  await deps.programmes.refresh([...new Set(messages.map((m) => m.tenantId))]);
  const apply = (tx: RawTx) => applyInTransaction(new BatchWork(deps, tx, [...messages], hashes, opts));
  return deps.transactions ? deps.transactions.run(apply) : withTransaction(deps.db, apply);
}

/** The steps of one batch, in order, inside its database transaction. */
async function applyInTransaction(work: BatchWork): Promise<AppliedBatch> {
  const applied = await appliedBeforeByPosition(work);
  const todo = firstOccurrences(work).filter((i) => !applied.has(i));
  await resolveSaleCustomers(work, todo);
  const refundSales = await refundCustomers(work, todo);
  const locked = new Set([...work.customerOf.values(), ...refundSales.values()].filter((c): c is string => !!c));
  await lockCustomers(work.tx, locked);
  // A refund parks when its sale is missing and a sale takes the refunds parked for it: both under the
  // sale's lock, so a refund parked in one partition while its sale lands in another is never missed. Every
  // refunded sale's id is locked, found or not: a sale still uncommitted in another worker is invisible here.
  await lockSales(work.tx, [
    ...todo.filter(work.isRefund).map((i) => work.saleIdOf.get(i)!),
    ...todo.filter((i) => !work.isRefund(i)).map((i) => work.messages[i]!.transactionId),
  ]);
  const fresh = await notYetApplied(work, todo);
  const records = await loadSaleRecords(work.tx, [
    ...new Set(fresh.filter(work.isRefund).map((i) => work.saleIdOf.get(i)!)),
  ]);
  // A sale another worker committed while we waited for its lock: its customer is locked now, late
  // (out of order, so a deadlock is possible; Postgres breaks it and the batch is tried again).
  const late = [...records.values()].map((r) => r.customerId).filter((c): c is string => !!c && !locked.has(c));
  if (late.length) await lockCustomers(work.tx, late);
  await requireNoneMergedMeanwhile(work, late);
  await loadStates(work, fresh, records);
  for (const i of fresh) {
    if (work.outcomes[i]!.kind !== "done") continue;
    if (work.isRefund(i)) await applyRefund(work, i, records);
    else await applySale(work, i);
  }
  await applyParkedRefunds(work, records);
  // A till's late upload may hold a purchase made before an inactivity expiry posted meanwhile: that one is undone.
  // Asked only for tenants whose programme expires on inactivity, as only then does the expiry job post such expiries.
  const now = work.deps.now?.() ?? new Date();
  const sales = customerSalesOf(work.rows);
  const inactivity = new Set<string>();
  for (const tenantId of new Set(sales.map((s) => s.tenantId)))
    if ((await work.deps.programmes.inForce(tenantId, now))?.config.expiry.kind === "inactivity")
      inactivity.add(tenantId);
  const undone = await undoInactivityExpiries(
    work.tx,
    sales.filter((s) => inactivity.has(s.tenantId)),
    now,
  );
  work.movements.push(...undone);
  return commit(work);
}

/**
 * The batch resolves its sales' customers to their survivors before it locks them, and a merge locks both
 * customers while it moves the merged one's balances, sales and identities: one that committed while the batch
 * waited for a lock left the batch holding an emptied, merged-away account, where points, stamps and the loyalty
 * state would land that nobody sees or spends. Once the locks are held no merge of them can commit, so they are
 * looked up once more, in one statement (of its own: it sees what committed while the locks were awaited; folded
 * into the `FOR UPDATE` it would read the snapshot taken before the wait). One found, the attempt is given up and
 * the batch retried from scratch rather than re-resolved here: following the survivor would take its lock out of
 * id order while holding others, and every step's ids (sales, parked refunds, holds) would need mending beside
 * it; a merge racing a batch is rare, and a retry resolves, locks and reads everything afresh.
 *
 * A stored sale's customer is read again under the lock (`loadSaleRecords`: a merge moves the sale), so only the
 * customers locked late, after that read, are asked about with the sales' customers. Not the others: a sale left on
 * a merged-away account (by a batch that raced a merge before this check) would have its refunds retried forever.
 */
async function requireNoneMergedMeanwhile(work: BatchWork, lateIds: string[]): Promise<void> {
  const salesCustomers = [...work.customerOf.values()].filter((c): c is string => !!c);
  const merged = await mergedAwayAmong(work.tx, [...new Set([...salesCustomers, ...lateIds])]);
  if (merged.length) throw new CustomerMergedMeanwhileError(merged);
}

async function commit(work: BatchWork): Promise<AppliedBatch> {
  const { tx, rows } = work;
  const stored = await storeTransactions(tx, rows);
  const lost = rows
    .filter((r) => r.customerId && !stored.has(r.message.transactionId))
    .map((r) => r.message.transactionId);
  if (lost.length) throw new ConcurrentApplyError(lost);
  const processed = rows
    .filter((r) => stored.has(r.message.transactionId))
    .map((r) => processedEvent(r.message, r.customerId, r.points, r.couponUses));
  // A customer is announced before their first sale, in the tenant's one batch row: no statement of its own. At
  // our time, not the sale's: a till uploading late still has its new customers join campaigns started meanwhile.
  // One whose every sale was refused (another body under a stored externalId) is no customer: made again unmade.
  const sold = new Set(rows.map((r) => r.customerId));
  await forgetCustomers(
    tx,
    work.createdCustomers.filter((c) => !sold.has(c.customerId)).map((c) => c.customerId),
  );
  const createdAt = work.deps.now?.() ?? new Date();
  const created = work.createdCustomers
    .filter((c) => sold.has(c.customerId))
    .map((c) => customerCreatedBySale(c, createdAt));
  // Accounts before loyalty rows, the order the scheduled jobs lock them in too.
  // The worker's own share of the tenant's counter-account: its partitions are its alone.
  const sources = work.opts.sources;
  const shard = sources?.length ? Math.min(...sources.map((s) => s.partition)) : undefined;
  const movements = shard === undefined ? work.movements : work.movements.map((m) => ({ ...m, counterShard: shard }));
  // "Only 20 points to gold": the crossings of what the tiers count, beside the balance's milestones.
  const gapEvents = await announceTierGaps(tx, work.qualifyingMoves, {
    now: createdAt,
    finalTiers: new Map([...work.states.values()].map((s) => [s.customerId, s.tier])),
    bands: tierGapBandsOf(work.deps.programmes),
  });
  const { outbox } = await postAndAnnounce(tx, movements, {
    milestonesOf: (tenantId) => work.milestones.get(tenantId) ?? [],
    events: [...work.events, ...gapEvents],
    extraOutbox: [...created.map(outboxItem), ...processed.map(outboxItem)],
    // Two events or more per sale: one row per tenant and batch, not hundreds each written and marked published.
    batch: true,
  });
  await saveLoyaltyStates(tx, work.states.values());
  await recordRejections(tx, work.rejections);
  await parkRefunds(tx, work.parkings, {
    waitMs: work.deps.refundWaitMs ?? ledgerDefaults.refundWaitMs,
    at: work.deps.now?.(),
  });
  // The gateway reserves posted sales' unknown codes before storing them; only messages it stored before it did
  // (no `codesCounted`) are counted here, once per sale stored now. Last, so the key's row, which its quotes wait
  // for, is held only until the commit.
  const limit = work.deps.unknownCodeLimit ?? unknownCodeDefaults;
  await countPostedUnknownCodes(tx, unknownCodesByCredential(rows, stored), createdAt, limit);
  await advanceBatchPositions(work);
  return { outcomes: work.outcomes.slice(0, work.given), outbox, deadLettered: work.deadLettered };
}

/** Every partition moves to the last sequence of the batch: applied, skipped, rejected or parked alike. */
async function advanceBatchPositions(work: BatchWork) {
  const { guard, sources } = work.opts;
  if (!guard || !sources) return;
  const last = new Map<number, number>();
  for (const s of sources) last.set(s.partition, Math.max(last.get(s.partition) ?? 0, s.seq));
  await advancePositions(work.tx, guard, last);
}
