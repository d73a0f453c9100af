import {
  defaultProgramme,
  type LoyaltyEvent,
  type RejectionCode,
  type TransactionMessage,
  transactionFingerprint,
} from "@regulars/contracts";
import { type Db, type RawTx, sqlArray, type TransactionRunner, withTransaction } from "@regulars/db";
import { stableId } from "@regulars/ids";
import {
  type LoyaltyState,
  type NewMovement,
  planRefund,
  planSale,
  type SaleRecord,
  saleRecordOf,
} from "@regulars/ledger";
import type { ProgrammeCache } from "@regulars/programme";
import { postAndAnnounce } from "../accounts/announce.ts";
import { loadLoyaltyStates, lockCustomers, lockSales, saveLoyaltyStates } from "../customers/loyalty-state.ts";
import { resolveCustomers } from "../customers/resolve.ts";
import { ledgerDefaults } from "../defaults.ts";
import { commitSaleCheckout, paidAfterCheckout, returnSaleCheckout } from "../holds/commit.ts";
import { type OutboxItem, outboxItem } from "../outbox.ts";
import type { ApplyOutcome } from "./outcome.ts";
import { parkRefunds, saleDidNotArrive, takeParkedRefunds } from "./parked.ts";
import { advancePositions, lockPositions, type PartitionGuard } from "./partitions.ts";
import { processedEvent } from "./processed-event.ts";
import { customersOfSales, loadSaleRecords } from "./sale-records.ts";
import { type Rejection, recordRejections } from "./status.ts";
import { storeTransactions, type TransactionRow } from "./store.ts";

export interface LedgerDeps {
  db: Db;
  /** Runs each batch's transaction (raw SQL on a pg pool of its own); a Prisma transaction on `db` when absent. */
  transactions?: TransactionRunner;
  programmes: ProgrammeCache;
  /** How long a refund may wait for the sale it refunds (an offline till uploading late) before it is refused. */
  refundWaitMs?: number;
  now?: () => Date;
}

export interface AppliedBatch {
  outcomes: ApplyOutcome[];
  /** Domain events committed to the outbox with this batch, to publish now. */
  outbox: OutboxItem[];
}

/**
 * Another worker stored a transaction of a locked customer between our check and our insert. It cannot
 * happen while every writer takes the customer locks first; if it ever does, the whole batch is rolled
 * back and retried, so no loyalty state is saved for a transaction this batch did not apply.
 */
export class ConcurrentApplyError extends Error {
  readonly transient = true;
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
  const apply = (tx: RawTx) => new BatchApplication(deps, tx, [...messages], hashes, opts).run();
  return deps.transactions ? deps.transactions.run(apply) : withTransaction(deps.db, apply);
}

/** Where each message of a batch was read: its ledger partition, stream sequence and subject. */
export interface BatchSource {
  partition: number;
  seq: number;
  subject: string;
}

export interface BatchOptions {
  /** One per message, when the batch was read from ledger partitions. */
  sources?: BatchSource[];
  /**
   * The worker applying the batch: the partitions' positions are checked (this worker must still hold
   * them; messages at or below a position were applied before) and moved in the batch's transaction.
   */
  guard?: PartitionGuard;
}

class BatchApplication {
  readonly outcomes: ApplyOutcome[];
  readonly rejections: Rejection[] = [];
  readonly rows: TransactionRow[] = [];
  readonly movements: NewMovement[] = [];
  readonly events: LoyaltyEvent[] = [];
  readonly customerOf = new Map<number, string | null>();
  readonly saleIdOf = new Map<number, string>();
  /** Sales applied earlier in this batch, so a later refund in the batch finds them. */
  readonly batchSales = new Map<string, SaleRecord>();
  states = new Map<string, LoyaltyState>();
  readonly milestones = new Map<string, number[]>();

  /** Refunds whose sale has not arrived: they wait in the parking, their message settled. */
  readonly parkings: Parameters<typeof parkRefunds>[1] = [];
  private readonly given: number;

  constructor(
    private readonly deps: LedgerDeps,
    private readonly tx: RawTx,
    private readonly messages: TransactionMessage[],
    private readonly hashes: string[],
    private readonly opts: BatchOptions,
  ) {
    this.given = messages.length;
    this.outcomes = messages.map(() => ({ kind: "done" }));
  }

  async run(): Promise<AppliedBatch> {
    const applied = await this.lockPositions();
    const todo = this.firstOccurrences().filter((i) => !applied.has(i));
    await this.resolveSaleCustomers(todo);
    const refundSales = await this.refundCustomers(todo);
    const locked = new Set([...this.customerOf.values(), ...refundSales.values()].filter((c): c is string => !!c));
    await lockCustomers(this.tx, locked);
    // A refund parks when its sale is missing and a sale takes the refunds parked for it: both under the
    // sale's lock, so a refund parked in one partition while its sale lands in another is never missed.
    await lockSales(this.tx, [
      ...refundSales.keys(),
      ...todo.filter((i) => !this.isRefund(i)).map((i) => this.messages[i]!.transactionId),
    ]);
    const fresh = await this.notYetApplied(todo);
    const records = await loadSaleRecords(this.tx, [
      ...new Set(fresh.filter((i) => this.isRefund(i)).map((i) => this.saleIdOf.get(i)!)),
    ]);
    // A sale another worker committed while we waited for its lock: its customer is locked now, late
    // (out of order, so a deadlock is possible; Postgres breaks it and the batch is tried again).
    const late = [...records.values()].map((r) => r.customerId).filter((c): c is string => !!c && !locked.has(c));
    if (late.length) await lockCustomers(this.tx, late);
    await this.loadStates(fresh, records);
    for (const i of fresh) {
      if (this.outcomes[i]!.kind !== "done") continue;
      if (this.isRefund(i)) await this.applyRefund(i, records);
      else await this.applySale(i);
    }
    await this.applyParkedRefunds(records);
    return this.commit();
  }

  /** Messages a previous holder of their partition applied already (at or below its position): skipped. */
  private async lockPositions(): Promise<Set<number>> {
    const { guard, sources } = this.opts;
    if (!guard || !sources) return new Set();
    const positions = await lockPositions(
      this.tx,
      guard,
      sources.map((s) => s.partition),
    );
    return new Set(sources.flatMap((s, i) => (s.seq <= (positions.get(s.partition) ?? 0) ? [i] : [])));
  }

  /** After the batch's sales: the refunds that were parked waiting for them, each right after its sale. */
  private async applyParkedRefunds(records: Map<string, SaleRecord>) {
    const sales = [...this.batchSales.keys()];
    // Refunds that came before their sale in this very batch wait only until the end of it.
    const early = this.parkings.filter((p) => this.batchSales.has(p.saleId));
    this.parkings.splice(0, this.parkings.length, ...this.parkings.filter((p) => !this.batchSales.has(p.saleId)));
    const parked = [
      ...early,
      ...(await takeParkedRefunds(this.tx, [...new Set(this.messages.map((m) => m.tenantId))], sales)),
    ];
    if (!parked.length) return;
    const applied = new Set(
      (
        await this.tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM transactions WHERE id = ANY(${sqlArray(parked.map((p) => p.message.transactionId))}::text[])`
      ).map((r) => r.id),
    );
    for (const p of parked.filter((r) => !applied.has(r.message.transactionId))) {
      const i = this.messages.push(p.message) - 1;
      this.hashes.push(transactionFingerprint(p.message.transaction));
      this.outcomes.push({ kind: "done" });
      this.saleIdOf.set(i, stableId("transaction", p.message.tenantId, p.message.transaction.refundOf!));
      await this.applyRefund(i, records);
    }
  }

  private isRefund = (i: number) => this.messages[i]!.transaction.type === "refund";

  private reject(i: number, code: RejectionCode, message: string) {
    const m = this.messages[i]!;
    this.outcomes[i] = { kind: "reject", reason: `${code}: ${message}` };
    this.rejections.push({
      tenantId: m.tenantId,
      externalId: m.transaction.externalId,
      bodyHash: this.hashes[i]!,
      code,
      message,
    });
  }

  /** A message repeated inside the batch counts once; a repeat with another body is a conflict. */
  private firstOccurrences(): number[] {
    const first = new Map<string, number>();
    const todo: number[] = [];
    this.messages.forEach((m, i) => {
      const seen = first.get(m.transactionId);
      if (seen === undefined) {
        first.set(m.transactionId, i);
        todo.push(i);
      } else if (this.hashes[seen] !== this.hashes[i]) {
        this.reject(
          i,
          "idempotency_conflict",
          `externalId ${m.transaction.externalId} was posted before with a different body`,
        );
      }
    });
    return todo;
  }

  private async resolveSaleCustomers(todo: number[]) {
    const withCustomer = todo.filter((i) => !this.isRefund(i) && this.messages[i]!.transaction.customer);
    const resolutions = await resolveCustomers(
      this.tx,
      withCustomer.map((i) => ({
        tenantId: this.messages[i]!.tenantId,
        ref: this.messages[i]!.transaction.customer!,
        create: true,
        createdVia: this.messages[i]!.transaction.channel,
      })),
    );
    withCustomer.forEach((i, k) => {
      const r = resolutions[k]!;
      if ("rejected" in r) this.reject(i, "unknown_customer", r.rejected);
      else this.customerOf.set(i, r.customerId);
    });
  }

  /** The customers of the sales that refunds refer to (sales in this batch, or stored ones). */
  private async refundCustomers(todo: number[]): Promise<Map<string, string | null>> {
    const stored: string[] = [];
    for (const i of todo.filter(this.isRefund)) {
      const m = this.messages[i]!;
      const saleId = stableId("transaction", m.tenantId, m.transaction.refundOf!);
      this.saleIdOf.set(i, saleId);
      if (!this.saleEarlierInBatch(saleId, i)) stored.push(saleId);
    }
    return customersOfSales(this.tx, [...new Set(stored)]);
  }

  private saleEarlierInBatch(saleId: string, before: number): boolean {
    return this.messages.some((m, j) => j < before && m.transactionId === saleId && m.transaction.type === "sale");
  }

  /** Under the customers' locks: messages a previous delivery already applied change nothing. */
  private async notYetApplied(todo: number[]): Promise<number[]> {
    const ids = todo.map((i) => this.messages[i]!.transactionId);
    const existing = new Map(
      (
        await this.tx.$queryRaw<
          { id: string; body_hash: string | null }[]
        >`SELECT id, body_hash FROM transactions WHERE id = ANY(${sqlArray(ids)}::text[])`
      ).map((r) => [r.id, r.body_hash]),
    );
    return todo.filter((i) => {
      const m = this.messages[i]!;
      if (!existing.has(m.transactionId)) return true;
      const stored = existing.get(m.transactionId);
      if (stored && stored !== this.hashes[i]) {
        this.reject(
          i,
          "idempotency_conflict",
          `externalId ${m.transaction.externalId} was processed before with a different body; post the change under a new externalId`,
        );
      }
      return false;
    });
  }

  private async loadStates(fresh: number[], records: Map<string, SaleRecord>) {
    for (const tenantId of new Set(fresh.map((i) => this.messages[i]!.tenantId))) {
      const mine = fresh.filter((i) => this.messages[i]!.tenantId === tenantId && this.outcomes[i]!.kind === "done");
      if (!mine.length) continue;
      const times = mine
        .map((i) => this.messages[i]!.transaction.occurredAt)
        .sort((a, b) => Date.parse(a) - Date.parse(b));
      // Which state to load follows the programme in force at the end of the batch (caps, tiers, stamp cards).
      const latest = await this.deps.programmes.inForce(tenantId, new Date(times[times.length - 1]!));
      if (!latest) continue;
      this.milestones.set(tenantId, latest.config.milestones);
      const customers = mine.map((i) =>
        this.isRefund(i)
          ? (records.get(this.saleIdOf.get(i)!)?.customerId ?? this.batchSaleCustomer(i))
          : this.customerOf.get(i),
      );
      const ids = customers.filter((c): c is string => !!c);
      if (!ids.length) continue;
      const loaded = await loadLoyaltyStates(this.tx, tenantId, ids, {
        config: latest.config,
        timezone: latest.timezone,
        from: times[0]!,
        to: times[times.length - 1]!,
      });
      for (const [id, state] of loaded) this.states.set(id, state);
    }
  }

  private batchSaleCustomer(refundIndex: number): string | null | undefined {
    const saleId = this.saleIdOf.get(refundIndex)!;
    const j = this.messages.findIndex(
      (m, k) => k < refundIndex && m.transactionId === saleId && m.transaction.type === "sale",
    );
    return j >= 0 ? this.customerOf.get(j) : undefined;
  }

  private async applySale(i: number) {
    const m = this.messages[i]!;
    const customerId = this.customerOf.get(i) ?? null;
    const programme = await this.deps.programmes.inForce(m.tenantId, new Date(m.transaction.occurredAt));
    const state = customerId ? this.states.get(customerId) : undefined;
    const row = { message: m, bodyHash: this.hashes[i]!, customerId };
    // What the checkout spent is committed first: points earn only on the money the customer paid.
    const checkout =
      customerId && programme && (m.transaction.holdId || m.transaction.couponCodes.length)
        ? await commitSaleCheckout(this.tx, { message: m, customerId, programme })
        : null;
    if (checkout) {
      this.movements.push(...checkout.movements);
      this.events.push(...checkout.events);
    }
    const paid = checkout?.lineDiscounts ? paidAfterCheckout(m, checkout.lineDiscounts) : m;
    // Anonymous sales are recorded for analytics but earn nothing: there is no one to credit.
    const plan = programme && state ? planSale(paid, state, programme) : null;
    this.rows.push({
      ...row,
      points: plan?.points ?? 0,
      programmeVersion: programme?.version ?? null,
      explanation: plan?.explanation ?? null,
      effects: plan?.effects ?? null,
    });
    if (plan) {
      this.movements.push(...plan.movements);
      this.events.push(...plan.events);
    }
    this.batchSales.set(m.transactionId, saleRecordOf(m, customerId, plan));
  }

  private async applyRefund(i: number, records: Map<string, SaleRecord>) {
    const m = this.messages[i]!;
    const saleId = this.saleIdOf.get(i)!;
    const sale = (this.saleEarlierInBatch(saleId, i) ? this.batchSales.get(saleId) : undefined) ?? records.get(saleId);
    if (!sale) return this.waitForSale(i);
    // What a refund takes back follows the programme in force at the refund (the defaults without one).
    const programme = await this.deps.programmes.inForce(m.tenantId, new Date(m.transaction.occurredAt));
    const refundedBefore = sale.refundedTotal;
    const plan = planRefund(
      m,
      sale,
      sale.customerId ? this.states.get(sale.customerId) : undefined,
      programme?.config ?? defaultProgramme,
    );
    if (plan.rejected) return this.reject(i, plan.rejected.code, plan.rejected.message);
    this.rows.push({
      message: m,
      bodyHash: this.hashes[i]!,
      customerId: sale.customerId,
      points: plan.points,
      programmeVersion: null,
      explanation: plan.explanation,
      effects: plan.effects,
      refundsLineNo: plan.refundsLineNo,
    });
    this.movements.push(...plan.movements);
    this.events.push(...plan.events);
    if (programme && sale.customerId) {
      const back = await returnSaleCheckout(this.tx, { message: m, sale, refundedBefore, programme });
      this.movements.push(...back.movements);
      this.events.push(...back.events);
    }
  }

  /**
   * The sale may still be on its way (an offline till uploads late, its partition is behind): the refund
   * is parked and applied right after the sale arrives, or rejected when it waited too long.
   */
  private waitForSale(i: number) {
    const m = this.messages[i]!;
    const limit = this.deps.refundWaitMs ?? ledgerDefaults.refundWaitMs;
    const deadline = new Date(Date.parse(m.receivedAt) + limit);
    if (deadline.getTime() <= (this.deps.now?.() ?? new Date()).getTime()) {
      return this.reject(i, "refunded_sale_not_found", saleDidNotArrive(m.transaction.refundOf, limit));
    }
    this.parkings.push({
      message: m,
      saleId: this.saleIdOf.get(i)!,
      subject: this.opts.sources?.[i]?.subject ?? "",
      deadline,
    });
  }

  private async commit(): Promise<AppliedBatch> {
    const stored = await storeTransactions(this.tx, this.rows);
    const lost = this.rows
      .filter((r) => r.customerId && !stored.has(r.message.transactionId))
      .map((r) => r.message.transactionId);
    if (lost.length) throw new ConcurrentApplyError(lost);
    const processed = this.rows
      .filter((r) => stored.has(r.message.transactionId))
      .map((r) => processedEvent(r.message, r.customerId, r.points));
    // Accounts before loyalty rows, the order the scheduled jobs lock them in too.
    // The worker's own share of the tenant's counter-account: its partitions are its alone.
    const shard = this.opts.sources?.length ? Math.min(...this.opts.sources.map((s) => s.partition)) : undefined;
    const movements = shard === undefined ? this.movements : this.movements.map((m) => ({ ...m, counterShard: shard }));
    const { outbox } = await postAndAnnounce(this.tx, movements, {
      milestonesOf: (tenantId) => this.milestones.get(tenantId) ?? [],
      events: this.events,
      extraOutbox: processed.map(outboxItem),
      // Two events or more per sale: one row per tenant and batch, not hundreds each written and marked published.
      batch: true,
    });
    await saveLoyaltyStates(this.tx, this.states.values());
    await recordRejections(this.tx, this.rejections);
    await parkRefunds(this.tx, this.parkings);
    await this.advancePositions();
    return { outcomes: this.outcomes.slice(0, this.given), outbox };
  }

  /** Every partition moves to the last sequence of the batch: applied, skipped, rejected or parked alike. */
  private async advancePositions() {
    const { guard, sources } = this.opts;
    if (!guard || !sources) return;
    const last = new Map<number, number>();
    for (const s of sources) last.set(s.partition, Math.max(last.get(s.partition) ?? 0, s.seq));
    await advancePositions(this.tx, guard, last);
  }
}
