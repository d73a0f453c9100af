import {
  type Bus,
  type ConsumerDependency,
  type DeadLetterCategory,
  type DeadLetterInfo,
  type DependencyGate,
  deadLetter,
  type PartitionMessage,
  summarize,
} from "@regulars/bus";
import { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import {
  type AppliedBatch,
  applyTransactionBatch,
  type BatchOptions,
  LeaseLostError,
  type LedgerDeps,
  type PartitionGuard,
  skipDeadLettered,
} from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { parkedRefundLetter } from "./parked-refunds-sweep.ts";

export interface PartitionBatchOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  ledger: LedgerDeps;
  /** The worker applying; the stream is each batch's own (see the applier). */
  guard: Omit<PartitionGuard, "stream">;
  /** Pauses the batch in hand through an outage of its dependency (Postgres) and applies it again after. */
  gate: DependencyGate;
  dependency: ConsumerDependency;
  /** Attempts at a message that fails on its own (a deadlock, a bug) before it is dead-lettered. */
  maxAttempts: number;
  /** True once the worker is stopping: no more retries, no more messages one by one. */
  stopping: () => boolean;
  onApplied?: (batch: AppliedBatch, messages: TransactionMessage[]) => Promise<void>;
  onDeadLetter?: (info: DeadLetterInfo) => void;
  onBatch?: (stats: { size: number; ms: number; failed: number }) => void;
}

interface Item {
  source: PartitionMessage;
  message: TransactionMessage;
}

/** One batch under way: the guard it is applied under (its stream), and whether the worker stopped before its end. */
interface BatchRun {
  guard: PartitionGuard;
  halted: boolean;
}

/**
 * Applies a batch read from this worker's partitions, in stream order. Unreadable messages are dead-lettered where
 * they stand; the readable runs between them are applied whole, or, when that fails for another reason than an
 * outage, message by message, and a message that keeps failing alone is dead-lettered and skipped. Throws
 * `LeaseLostError` (and `StreamChangedError`) when this worker may not apply the batch's partitions any more.
 *
 * `stream` is the transactions stream the batch was read from: a batch read before the stream was made anew and
 * applied after the positions moved to the new one would otherwise pass for the new stream's and move positions past
 * sales never read. Without it the stream is not checked (a batch that is not read from a stream: tests).
 */
export function partitionBatchApplier(
  opts: PartitionBatchOptions,
): (batch: PartitionMessage[], stream?: string) => Promise<void> {
  const { db, bus, log, gate, maxAttempts } = opts;
  const { streams, consumers } = bus.topology;
  const consumer = consumers.ledger;

  const giveUp = async (
    guard: PartitionGuard,
    item: { source: PartitionMessage },
    reason: string,
    category: DeadLetterCategory,
  ) => {
    const { source } = item;
    const letter = { subject: source.subject, streamSequence: source.seq, deliveries: 1, payload: source.payload };
    await deadLetter(bus, consumer, streams.transactions, letter, reason);
    const { rejectionRefused } = await skipDeadLettered(db, guard, source, {
      payload: source.payload,
      reason,
      category,
    });
    if (rejectionRefused)
      log.warn(
        { consumer, partition: source.partition, seq: source.seq, err: summarize(rejectionRefused) },
        "dead-lettered message's rejection not storable: skipped without one",
      );
    opts.onDeadLetter?.({ consumer, subject: source.subject, payload: source.payload, reason, category });
    log.warn({ consumer, partition: source.partition, seq: source.seq, reason }, "message dead-lettered");
  };

  /**
   * Refunds parked for a batch's sales whose stored message no longer reads: lettered raw inside the batch's
   * transaction, before its commit removes their rows (a failure leaves them parked for the sweep).
   */
  const deadLetterUnreadable = async (refunds: Parameters<NonNullable<BatchOptions["deadLetterUnreadable"]>>[0]) => {
    try {
      for (const parked of refunds) {
        const { letter, reason } = parkedRefundLetter(parked);
        await deadLetter(bus, consumer, streams.transactions, letter, reason);
      }
    } catch (e) {
      log.warn(
        { err: summarize(e), count: refunds.length },
        "unreadable parked refunds not dead-lettered: left parked",
      );
      throw e;
    }
  };

  type Attempt = { applied: AppliedBatch } | { failed: unknown; tries: number } | { stopped: true };
  /**
   * Applies the items; through an outage waits and applies them again. A run of several retries only passing
   * conflicts: anything else is left to its messages one by one. A single message gets `maxAttempts` tries
   * whatever the error, because giving up on it skips it for good (the sale is rejected and its points lost),
   * and an error not classed transient (a lock timeout, a misread deadlock) may well pass on the next try.
   */
  const attempt = async (items: Item[], guard: PartitionGuard): Promise<Attempt> => {
    for (let tries = 1; ; tries++) {
      try {
        const applied = await applyTransactionBatch(
          opts.ledger,
          items.map((i) => i.message),
          { sources: items.map((i) => i.source), guard, deadLetterUnreadable },
        );
        // A write went through: a pause for the server's state is over (the next refusal starts a pause of its own).
        gate.passed();
        return { applied };
      } catch (e) {
        if (e instanceof LeaseLostError) throw e;
        if (await gate.isOutage(e)) {
          if (!(await gate.waitForRecovery(e))) return { stopped: true };
          tries = 0;
          continue;
        }
        const retry = items.length === 1 || opts.dependency.isTransient(e);
        if (retry && tries < maxAttempts && !opts.stopping()) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** tries));
          continue;
        }
        return { failed: e, tries };
      }
    }
  };

  const settle = async (items: Item[], applied: AppliedBatch) => {
    for (const [i, outcome] of applied.outcomes.entries()) {
      if (outcome.kind !== "reject") continue;
      const { source } = items[i]!;
      const letter = { subject: source.subject, streamSequence: source.seq, deliveries: 1, payload: source.payload };
      // The rejection is committed with the batch (the integrator reads it in the status); the dead letter is
      // for the operator, and a crash before it only loses that copy.
      await deadLetter(bus, consumer, streams.transactions, letter, outcome.reason).catch((e) =>
        log.warn({ err: summarize(e), seq: source.seq }, "rejected transaction not dead-lettered"),
      );
      opts.onDeadLetter?.({
        consumer,
        subject: source.subject,
        payload: source.payload,
        reason: outcome.reason,
        category: "rejected",
      });
    }
    for (const parked of applied.deadLettered) {
      const { letter, reason, category } = parkedRefundLetter(parked);
      opts.onDeadLetter?.({ consumer, subject: letter.subject, payload: letter.payload, reason, category });
      log.warn({ consumer, subject: letter.subject, reason }, "parked refund dead-lettered");
    }
    await opts.onApplied?.(
      applied,
      items.map((i) => i.message),
    );
  };

  /**
   * Applies a run of readable messages: whole, or when that fails one by one in order. Once the worker stops
   * before a message is applied, the rest of the batch is handed back (`halted`): dead-lettering anything after
   * it would move the partition past a message that was never applied, and the next owner would start there.
   */
  const applyRun = async (items: Item[], batch: BatchRun): Promise<number> => {
    if (!items.length || batch.halted) return 0;
    const whole = await attempt(items, batch.guard);
    if ("applied" in whole) {
      await settle(items, whole.applied);
      return whole.applied.outcomes.filter((o) => o.kind !== "done").length;
    }
    if ("stopped" in whole || opts.stopping()) {
      batch.halted = true;
      return 0;
    }
    if (items.length === 1) {
      await giveUp(
        batch.guard,
        items[0]!,
        `gave up after ${whole.tries} attempts: ${summarize(whole.failed)}`,
        "retries_exhausted",
      );
      return 1;
    }
    log.warn({ err: whole.failed, size: items.length }, "batch failed; applying its messages one by one");
    let failed = 0;
    for (const item of items) failed += await applyRun([item], batch);
    return failed;
  };

  return async (messages, stream) => {
    const started = performance.now();
    const batch: BatchRun = { guard: { ...opts.guard, stream }, halted: false };
    let failed = 0;
    // Unreadable messages are dead-lettered where they stand, between the runs around them, so every
    // partition's position only ever moves forward.
    let run: Item[] = [];
    for (const source of messages) {
      const parsed = readMessage(source);
      if ("message" in parsed) {
        run.push({ source, message: parsed.message });
        continue;
      }
      failed += await applyRun(run, batch);
      run = [];
      if (batch.halted) break;
      await giveUp(batch.guard, { source }, parsed.invalid, "invalid_payload");
      failed++;
    }
    failed += await applyRun(run, batch);
    opts.onBatch?.({ size: messages.length, ms: performance.now() - started, failed });
  };
}

/** A stored message as the ledger's contract, or why it cannot be read. */
function readMessage(source: PartitionMessage): { message: TransactionMessage } | { invalid: string } {
  let json: unknown;
  try {
    json = JSON.parse(source.payload);
  } catch {
    return { invalid: "payload is not valid JSON" };
  }
  const result = TransactionMessage.safeParse(json);
  if (result.success) return { message: result.data };
  const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  return { invalid: `payload does not match the contract: ${issues}` };
}
