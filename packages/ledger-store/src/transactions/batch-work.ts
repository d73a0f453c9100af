import type { UnknownCodeLimit } from "@regulars/checkout";
import type { LoyaltyEvent, RejectionCode, TransactionMessage } from "@regulars/contracts";
import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import type { LoyaltyState, NewMovement, QualifyingMove } from "@regulars/ledger";
import type { ProgrammeCache } from "@regulars/programme";
import type { CreatedCustomer } from "../customers/created.ts";
import { saleClaimOf } from "../holds/release.ts";
import type { ApplyOutcome } from "./outcome.ts";
import type { ParkedRefund, UnreadableTaken } from "./parked.ts";
import type { PartitionGuard } from "./partitions.ts";
import type { RefundedSale } from "./sale-records.ts";
import type { Rejection } from "./status.ts";
import type { TransactionRow } from "./store.ts";

export interface LedgerDeps {
  db: Db;
  /** Runs each batch's transaction (raw SQL on a pg pool of its own); a Prisma transaction on `db` when absent. */
  transactions?: TransactionRunner;
  programmes: ProgrammeCache;
  /** How long a refund may wait for the sale it refunds (an offline till uploading late) before it is refused. */
  refundWaitMs?: number;
  /** The unknown coupon codes a key may be told of per window (COUPON_UNKNOWN_CODE_*); the default when absent. */
  unknownCodeLimit?: UnknownCodeLimit;
  now?: () => Date;
}

/** Where each message of a batch was read: its ledger partition, stream sequence and subject. */
export interface BatchSource {
  partition: number;
  seq: number;
  subject: string;
  /** Replayed from the dead-letter stream by an operator: a rejection it met before does not stand in its way. */
  replayed?: boolean;
}

export interface BatchOptions {
  /** One per message, when the batch was read from ledger partitions. */
  sources?: BatchSource[];
  /**
   * The worker applying the batch: the partitions' positions are checked (this worker must still hold
   * them; messages at or below a position were applied before) and moved in the batch's transaction.
   */
  guard?: PartitionGuard;
  /**
   * Dead-letters, inside the batch's transaction, the refunds parked for its sales whose stored message no longer
   * reads (`takeParkedRefunds`): their rows are gone with the commit. When it throws, they stay parked for the sweep.
   */
  deadLetterUnreadable?: (refunds: UnreadableTaken[]) => Promise<void>;
}

/** A refund to wait in the parking for its sale; its wait is timed from the parking (`parkRefunds`). */
export type Parking = ParkedRefund & { saleId: string };

/**
 * One batch while it is applied: its messages (index `i` everywhere), what has been decided about each, and
 * what the batch will write at commit. The steps (`batch-triage.ts`, `batch-refunds.ts`, `apply-batch.ts`) read
 * and fill it in stream order; nothing here touches the database.
 */
export class BatchWork {
  /** One per message given; parked refunds taken at the end of the batch append theirs. */
  readonly outcomes: ApplyOutcome[];
  readonly rejections: Rejection[] = [];
  /** The transactions rows to store, in the order they applied. */
  readonly rows: TransactionRow[] = [];
  readonly movements: NewMovement[] = [];
  readonly events: LoyaltyEvent[] = [];
  /** A sale's customer, resolved (created on first visit) or null for an anonymous sale. */
  readonly customerOf = new Map<number, string | null>();
  /** Customers this batch created on a first visit: each announces `customer.created` with the batch. */
  readonly createdCustomers: CreatedCustomer[] = [];
  /** A refund's sale id. */
  readonly saleIdOf = new Map<number, string>();
  /** Sales applied earlier in this batch, so a later refund in the batch finds them. */
  readonly batchSales = new Map<string, RefundedSale>();
  readonly states = new Map<string, LoyaltyState>();
  /** Customers' current segment memberships, loaded only when a programme in force has a rule filtering on one. */
  readonly memberships = new Map<string, ReadonlySet<string>>();
  /** The points milestones of each tenant's programme in force, for the crossings at commit. */
  readonly milestones = new Map<string, number[]>();
  /** Each change of a customer's tier qualifying value, in order, for the tier-gap crossings at commit. */
  readonly qualifyingMoves: QualifyingMove[] = [];
  /** Refunds whose sale has not arrived: they wait in the parking, their message settled. */
  readonly parkings: Parking[] = [];
  /** Parked refunds taken for this batch's sales that no longer read, dead-lettered before its commit. */
  readonly deadLettered: UnreadableTaken[] = [];
  /** How many messages the caller gave: the outcomes it gets back. */
  readonly given: number;

  constructor(
    readonly deps: LedgerDeps,
    readonly tx: RawTx,
    readonly messages: TransactionMessage[],
    /** Each message's body fingerprint, to tell a retry from a changed body under a used externalId. */
    readonly hashes: string[],
    readonly opts: BatchOptions,
  ) {
    this.given = messages.length;
    this.outcomes = messages.map(() => ({ kind: "done" }));
  }

  /**
   * Notes what a sale or refund did to its customer's qualifying value (`plan.qualifying`), with the tier held after
   * it and the levels its programme judged it by.
   */
  noteQualifying(
    i: number,
    state: LoyaltyState | undefined,
    tiers: { levels: readonly { id: string; threshold: number }[] } | undefined,
    value: { before: number; after: number; window: LoyaltyState["qualifyingWindow"] } | null,
  ): void {
    if (!state || !tiers || !value || value.before === value.after) return;
    this.qualifyingMoves.push({
      tenantId: state.tenantId,
      customerId: state.customerId,
      occurredAt: new Date(this.messages[i]!.transaction.occurredAt),
      transactionId: this.messages[i]!.transactionId,
      ...value,
      heldTier: state.tier,
      levels: tiers.levels,
    });
  }

  readonly isRefund = (i: number) => this.messages[i]!.transaction.type === "refund";

  reject(i: number, code: RejectionCode, message: string): void {
    const m = this.messages[i]!;
    this.outcomes[i] = { kind: "reject", reason: `${code}: ${message}` };
    this.rejections.push({
      tenantId: m.tenantId,
      externalId: m.transaction.externalId,
      bodyHash: this.hashes[i]!,
      code,
      message,
      claim: saleClaimOf(m),
    });
  }

  /** Whether the sale `saleId` came earlier in this batch than message `before`. */
  saleEarlierInBatch(saleId: string, before: number): boolean {
    return this.messages.some((m, j) => j < before && m.transactionId === saleId && m.transaction.type === "sale");
  }

  /** The customer of the sale a refund refers to, when that sale came earlier in this batch. */
  batchSaleCustomer(refundIndex: number): string | null | undefined {
    const saleId = this.saleIdOf.get(refundIndex)!;
    const j = this.messages.findIndex(
      (m, k) => k < refundIndex && m.transactionId === saleId && m.transaction.type === "sale",
    );
    return j >= 0 ? this.customerOf.get(j) : undefined;
  }
}
