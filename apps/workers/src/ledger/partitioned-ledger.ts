import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  type Bus,
  busDefaults,
  type ConsumerDependency,
  type ConsumerState,
  type DeadLetterCategory,
  type DeadLetterInfo,
  DependencyGate,
  deadLetter,
  defaultPauseBackoff,
  type PartitionMessage,
  PartitionReaders,
  type RunningConsumer,
  summarize,
} from "@regulars/bus";
import { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import {
  type AppliedBatch,
  adoptStream,
  applyTransactionBatch,
  claimPartitions,
  ensurePartitions,
  expireParkedRefunds,
  heartbeat,
  LeaseLostError,
  type LedgerDeps,
  ledgerDefaults,
  type PartitionGuard,
  releasePartitions,
  renewLeases,
  retireWorker,
  StreamChangedError,
  skipDeadLettered,
} from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

export interface PartitionedLedgerOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  ledger: LedgerDeps;
  dependency: ConsumerDependency;
  maxBatch?: number;
  /** How long to wait for a fuller batch when few messages are ready (0: apply at once); see `ledgerDefaults`. */
  lingerMs?: number;
  /** Batches applied at once, each of other partitions; see `ledgerDefaults`. */
  concurrentBatches?: number;
  /** A partition is free for another worker this long after its holder stopped renewing (a crash). */
  leaseMs?: number;
  /** Attempts at a message that fails on its own (a deadlock, a bug) before it is dead-lettered. */
  maxAttempts?: number;
  pauseBackoffMs?: (probe: number) => number;
  /** How often refunds parked past their deadline are rejected and dead-lettered. */
  parkedSweepMs?: number;
  /** This worker's name in the partition table; unique per process. */
  worker?: string;
  onApplied?: (batch: AppliedBatch, messages: TransactionMessage[]) => Promise<void>;
  onDeadLetter?: (info: DeadLetterInfo) => void;
  onBatch?: (stats: { size: number; ms: number; failed: number }) => void;
}

export interface RunningLedger extends RunningConsumer {
  /** The partitions this worker applies now. */
  held(): number[];
  /** Messages read or still in the stream for the partitions held. */
  backlog(): number;
}

interface Item {
  source: PartitionMessage;
  message: TransactionMessage;
}

/**
 * The ledger worker. Transactions are spread over partitions by customer (at the gateway); each partition
 * is applied strictly in stream order by the one worker holding its lease, and the workers alive share the
 * partitions fairly (a new worker gets its share within a lease period, a dead one's partitions are taken
 * over when its leases run out).
 *
 * Exactly once and in order without relying on acknowledgements: each partition's position (the last
 * stream sequence applied) is stored in Postgres and moved in the same transaction as the batch, after a
 * check that this worker still holds the partition. A worker that takes a partition over reads on from
 * that position; a worker that lost a lease (a long pause) finds out at its next commit and applies nothing.
 */
export async function startPartitionedLedger(opts: PartitionedLedgerOptions): Promise<RunningLedger> {
  const { db, bus, log } = opts;
  const { namespace, partitions, streams, consumers, subjects } = bus.topology;
  const consumer = consumers.ledger;
  const maxBatch = opts.maxBatch ?? busDefaults.maxBatch;
  const leaseMs = opts.leaseMs ?? ledgerDefaults.leaseMs;
  const maxAttempts = opts.maxAttempts ?? 4;
  const lingerMs = opts.lingerMs ?? ledgerDefaults.lingerMs;
  const lingerBatch = Math.min(maxBatch, ledgerDefaults.lingerBatch);
  const concurrentBatches = opts.concurrentBatches ?? ledgerDefaults.concurrentBatches;
  const worker = opts.worker ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  /** The stream this worker reads, by its creation time: a stream made anew under the same name starts again at 1. */
  const streamCreated = async () => (await bus.jsm.streams.info(streams.transactions)).created;
  const guard: PartitionGuard & { stream: string } = { namespace, worker, leaseMs, stream: await streamCreated() };
  const gate = new DependencyGate({
    consumer,
    dependency: opts.dependency,
    pauseBackoffMs: opts.pauseBackoffMs ?? defaultPauseBackoff,
    log,
  });
  const readers = new PartitionReaders({
    bus,
    stream: streams.transactions,
    filterOf: subjects.transactionPartition,
    highWater: 4 * maxBatch,
    log,
  });
  await ensurePartitions(db, namespace, partitions);
  const adopt = async () => {
    const anew = await adoptStream(db, namespace, guard.stream);
    if (anew.length)
      log.warn(
        { worker, stream: guard.stream, partitions: anew },
        "the transactions stream was made anew: its partitions are read from its start",
      );
  };
  await adopt();
  let stopping = false;

  /**
   * A stream deleted and made again (a NATS store lost, a new cluster) while this worker runs: what is being read
   * belongs to the old one, and the positions go back to the new stream's start. A stream missing or not answering
   * just now (a cluster without quorum) is looked at again at the next renewal, which it never holds up for long.
   */
  const followStream = async () => {
    let timer: NodeJS.Timeout | undefined;
    const created = await Promise.race([
      streamCreated().catch(() => null),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1_000))),
    ]).finally(() => clearTimeout(timer));
    if (!created || created === guard.stream) return;
    guard.stream = created;
    for (const p of readers.partitions()) readers.stop(p);
    await adopt();
  };

  // ---- leases: renew what is held, give back above the fair share, claim up to it ----
  const balanceLeases = async () => {
    await followStream();
    const live = await heartbeat(db, namespace, worker, leaseMs);
    const held = await renewLeases(db, namespace, worker, leaseMs);
    const heldSet = new Set(held.map((l) => l.partition));
    for (const p of readers.partitions()) if (!heldSet.has(p)) lost(p, "its lease ran out");
    const fair = Math.ceil(partitions / live);
    if (held.length > fair) {
      const extra = held.slice(fair).map((l) => l.partition);
      for (const p of extra) readers.stop(p);
      await releasePartitions(db, namespace, worker, extra);
      log.info({ worker, released: extra, live }, "gave partitions back for the other ledger workers");
    }
    // Held and not being read (just claimed, or dropped after a failed batch): read on from the position.
    const reading = new Set(readers.partitions());
    for (const l of held.slice(0, fair)) if (!reading.has(l.partition)) readers.start(l.partition, l.appliedSeq + 1);
    if (held.length < fair) {
      const claimed = await claimPartitions(db, namespace, worker, fair - held.length, leaseMs);
      for (const c of claimed) readers.start(c.partition, c.appliedSeq + 1);
      if (claimed.length)
        log.info({ worker, claimed: claimed.map((c) => c.partition), live }, "took ledger partitions");
    }
  };
  const lost = (partition: number, why: string) => {
    readers.stop(partition);
    log.warn({ worker, partition, why }, "ledger partition lost; another worker applies it");
  };
  const balanceSoon = () => {
    leasing = leasing.then(() =>
      stopping ? undefined : balanceLeases().catch((e) => log.warn({ err: summarize(e) }, "ledger leases not renewed")),
    );
  };
  let leasing: Promise<void> = balanceLeases().catch((e) => log.warn({ err: e }, "ledger leases not balanced"));
  const leaseTimer = setInterval(balanceSoon, Math.max(200, Math.floor(leaseMs / 3)));

  // ---- refunds parked past their deadline: rejected, dead-lettered for an operator ----
  const sweepParked = async () => {
    const waitMs = opts.ledger.refundWaitMs ?? ledgerDefaults.refundWaitMs;
    const expired = await expireParkedRefunds(db, opts.ledger.now?.() ?? new Date(), waitMs);
    for (const parked of expired) {
      const r = { ...parked, reason: `refunded_sale_not_found: ${parked.reason}` };
      const payload = JSON.stringify(r.message);
      const letterId = `parked:${r.message.transactionId}`;
      const letter = { subject: r.subject, streamSequence: 0, deliveries: 1, payload, letterId };
      await deadLetter(bus, consumer, streams.transactions, letter, r.reason);
      opts.onDeadLetter?.({
        consumer,
        subject: r.subject,
        payload: letter.payload,
        reason: r.reason,
        category: "rejected",
      });
    }
  };
  const sweepTimer = setInterval(
    () => void sweepParked().catch((e) => log.warn({ err: summarize(e) }, "parked refunds not swept")),
    opts.parkedSweepMs ??
      Math.min(30_000, Math.max(1_000, (opts.ledger.refundWaitMs ?? ledgerDefaults.refundWaitMs) / 4)),
  );

  // ---- applying ----
  const giveUp = async (item: { source: PartitionMessage }, reason: string, category: DeadLetterCategory) => {
    const { source } = item;
    const letter = { subject: source.subject, streamSequence: source.seq, deliveries: 1, payload: source.payload };
    await deadLetter(bus, consumer, streams.transactions, letter, reason);
    await skipDeadLettered(db, guard, source, { payload: source.payload, reason, category });
    opts.onDeadLetter?.({ consumer, subject: source.subject, payload: source.payload, reason, category });
    log.warn({ consumer, partition: source.partition, seq: source.seq, reason }, "message dead-lettered");
  };

  type Attempt = { applied: AppliedBatch } | { failed: unknown } | { stopped: true };
  /** Applies the items; through an outage waits and applies them again; a few tries for passing conflicts. */
  const attempt = async (items: Item[]): Promise<Attempt> => {
    for (let tries = 1; ; tries++) {
      try {
        const applied = await applyTransactionBatch(
          opts.ledger,
          items.map((i) => i.message),
          { sources: items.map((i) => i.source), guard },
        );
        return { applied };
      } catch (e) {
        if (e instanceof LeaseLostError) throw e;
        if (await gate.isOutage(e)) {
          if (!(await gate.waitForRecovery(e))) return { stopped: true };
          tries = 0;
          continue;
        }
        // A deadlock or a conflict with another writer passes; anything else fails the same way again.
        if (opts.dependency.isTransient(e) && tries < maxAttempts && !stopping) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** tries));
          continue;
        }
        return { failed: e };
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
    await opts.onApplied?.(
      applied,
      items.map((i) => i.message),
    );
  };

  /** Applies a run of readable messages: whole, or when that fails one by one in order. */
  const applyRun = async (items: Item[]): Promise<number> => {
    if (!items.length) return 0;
    const whole = await attempt(items);
    if ("stopped" in whole) return 0;
    if ("applied" in whole) {
      await settle(items, whole.applied);
      return whole.applied.outcomes.filter((o) => o.kind !== "done").length;
    }
    if (items.length === 1) {
      await giveUp(items[0]!, `gave up after ${maxAttempts} attempts: ${summarize(whole.failed)}`, "retries_exhausted");
      return 1;
    }
    log.warn({ err: whole.failed, size: items.length }, "batch failed; applying its messages one by one");
    let failed = 0;
    for (const item of items) {
      if (stopping) break;
      failed += await applyRun([item]);
    }
    return failed;
  };

  const processBatch = async (batch: PartitionMessage[]) => {
    const started = performance.now();
    let failed = 0;
    // Unreadable messages are dead-lettered where they stand, between the runs around them, so every
    // partition's position only ever moves forward.
    let run: Item[] = [];
    for (const source of batch) {
      const parsed = readMessage(source);
      if ("message" in parsed) {
        run.push({ source, message: parsed.message });
        continue;
      }
      failed += await applyRun(run);
      run = [];
      await giveUp({ source }, parsed.invalid, "invalid_payload");
      failed++;
    }
    failed += await applyRun(run);
    opts.onBatch?.({ size: batch.length, ms: performance.now() - started, failed });
  };

  const runBatch = async (batch: PartitionMessage[]) => {
    try {
      await processBatch(batch);
    } catch (e) {
      if (e instanceof StreamChangedError) {
        for (const p of e.partitions) readers.stop(p);
        log.warn(
          { worker, partitions: e.partitions },
          "batch read from a transactions stream since made anew: dropped",
        );
      } else if (e instanceof LeaseLostError) {
        for (const p of e.partitions) lost(p, "another worker holds it now");
      } else {
        log.error({ err: e }, "ledger batch failed; reading its partitions again from their positions");
        await new Promise((r) => setTimeout(r, 1_000));
      }
      // What was taken of the partitions still held is read again from their positions: nothing of
      // theirs may be applied before that, so what is queued of them goes too.
      for (const p of new Set(batch.map((m) => m.partition))) readers.stop(p);
      balanceSoon();
    }
  };

  // Up to `concurrentBatches` batches at once, never two holding the same partition: a partition's next batch is
  // taken only once its previous one has committed (or failed and been dropped), so each stays in stream order. A
  // batch is two dozen round trips to Postgres and a commit, then the events' acknowledgements: with Postgres
  // across a network a worker spends most of a batch waiting, and a second batch of other partitions uses that time.
  const busy = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopping) {
      if (inFlight.size >= concurrentBatches) {
        await Promise.race(inFlight);
        continue;
      }
      if (!readers.ready(busy)) {
        await readers.waitForMessages(250, 1, busy);
        continue;
      }
      if (lingerMs > 0) await readers.waitForMessages(lingerMs, lingerBatch, busy);
      const batch = readers.take(maxBatch, busy);
      if (!batch.length) continue; // its partitions were stopped meanwhile
      const partitionsOf = new Set(batch.map((m) => m.partition));
      for (const p of partitionsOf) busy.add(p);
      const done: Promise<void> = runBatch(batch)
        .catch((e) => log.error({ err: e }, "ledger batch failed"))
        .finally(() => {
          for (const p of partitionsOf) busy.delete(p);
          inFlight.delete(done);
          readers.recheck();
        });
      inFlight.add(done);
    }
    await Promise.all(inFlight);
  })();

  log.info({ worker, partitions, leaseMs }, "ledger worker started");
  return {
    durable: consumer,
    state: (): ConsumerState => gate.state(),
    held: () => readers.partitions(),
    backlog: () => readers.backlog(),
    async stop() {
      stopping = true;
      gate.close();
      clearInterval(leaseTimer);
      clearInterval(sweepTimer);
      await readers.close();
      await loop;
      await leasing.catch(() => undefined);
      await retireWorker(db, namespace, worker).catch((e) =>
        log.warn({ err: summarize(e) }, "partitions not given back; others take them when the leases run out"),
      );
    },
  };
}

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
