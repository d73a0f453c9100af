import { type Bus, type PartitionReaders, summarize } from "@regulars/bus";
import type { Db } from "@regulars/db";
import {
  adoptStream,
  claimPartitions,
  ensurePartitions,
  heartbeat,
  type PartitionGuard,
  releasePartitions,
  renewLeases,
} from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

export interface PartitionLeasesOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  /** The partitions' readers: started for what this worker holds, stopped for what it loses or gives back. */
  readers: PartitionReaders;
  guard: Omit<PartitionGuard, "stream">;
  /** The transactions stream found at start (its creation time, see `streamCreated`). */
  stream: string;
}

export interface PartitionLeases {
  /**
   * The transactions stream the positions count in and the readers read now. It changes only while no partition is
   * being read, so what the readers hold at any moment was read from the stream this returns then.
   */
  stream(): string;
  /** Renews and balances again as soon as the previous pass is done (after a failed batch, a lost lease). */
  balanceSoon(): void;
  /** Stops reading a partition whose lease this worker no longer holds. */
  lost(partition: number, why: string): void;
  /** No more passes; resolves once the one under way is done. */
  stop(): Promise<void>;
}

/** The stream's creation time: a change says the stream may have been made anew (see `streamContradicts`). */
export async function streamCreated(bus: Bus): Promise<string> {
  return (await bus.jsm.streams.info(bus.topology.streams.transactions)).created;
}

/**
 * Whether the transactions stream created at `created` contradicts positions recorded in another one, i.e. was made
 * anew rather than merely given a new creation time (some servers rewrite it on an update after a restart):
 * - its last sequence lies below the highest position: a stream never numbers backwards (a purge or a trim keeps the
 *   last sequence), so what was read there was never in this one;
 * - or the message at a partition's position is another partition's: a position is always the sequence of one of
 *   its own partition's messages, and a stream keeps that message there until it deletes it.
 * Messages missing at or below a position (a first sequence above position + 1) are no such proof: the same stream
 * trims what was read, or loses messages, and keeps its numbering, while a stream made anew is never trimmed before
 * the positions count in it. A new stream already past the highest position escapes the first test only, and the
 * second unless, by chance, every partition's position holds a message of that partition there too.
 */
export async function streamContradicts(bus: Bus, created: string, positions: Map<number, number>): Promise<boolean> {
  const { streams, subjects } = bus.topology;
  const { created: now, state } = await bus.jsm.streams.info(streams.transactions);
  if (now !== created) throw new Error("the transactions stream changed again while being adopted");
  if (state.last_seq < Math.max(0, ...positions.values())) return true;
  const probed = [...positions].filter(([, seq]) => seq >= Math.max(1, state.first_seq));
  const held = await Promise.all(
    probed.map(async ([partition, seq]) => {
      const stored = await bus.jsm.streams.getMessage(streams.transactions, { seq });
      // A partition's filter is `<its prefix>.>`: its messages' subjects begin with that prefix.
      return !stored || stored.subject.startsWith(subjects.transactionPartition(partition).slice(0, -1));
    }),
  );
  return held.includes(false);
}

/**
 * This worker's share of the ledger partitions. Every third of a lease it renews what it holds, gives back what
 * is above its fair share `ceil(P / workers alive)`, and claims up to it; it reads each partition it holds from
 * the position stored for it + 1. It also notices a transactions stream made anew and reads the new one from its
 * start. The partitions' rows are made and the stream adopted before this resolves.
 */
export async function keepPartitionLeases(opts: PartitionLeasesOptions): Promise<PartitionLeases> {
  const { db, bus, log, readers, guard } = opts;
  const { namespace, partitions } = bus.topology;
  const { worker, leaseMs } = guard;
  let stopping = false;
  let adopted = opts.stream;

  await ensurePartitions(db, namespace, partitions);
  const adopt = async (stream: string) => {
    const anew = await adoptStream(db, namespace, stream, (positions) => streamContradicts(bus, stream, positions));
    adopted = stream;
    if (anew.length)
      log.warn(
        { worker, stream, partitions: anew },
        "the transactions stream was made anew: its partitions are read from its start",
      );
  };
  await adopt(adopted);

  /**
   * A stream deleted and made again (a NATS store lost, a new cluster) while this worker runs: what is being read
   * belongs to the old one, and the positions go back to the new stream's start; a stream whose creation time alone
   * changed keeps them (`streamContradicts`). Either way the readers start again. A stream missing or not answering
   * just now (a cluster without quorum) is looked at again at the next renewal, which it never holds up for long.
   * The stream counts as followed only once adopted: an adoption that failed (a Postgres blip) is tried again at
   * the next pass, and until then nothing is read, since the positions still count in the old stream.
   */
  const followStream = async () => {
    let timer: NodeJS.Timeout | undefined;
    const created = await Promise.race([
      streamCreated(bus).catch(() => null),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1_000))),
    ]).finally(() => clearTimeout(timer));
    if (!created || created === adopted) return;
    for (const p of readers.partitions()) readers.stop(p);
    await adopt(created);
  };

  const lost = (partition: number, why: string) => {
    readers.stop(partition);
    // Whether another worker took it is not known here (after an outage the lease may simply have run out): the
    // next pass claims it again if it is free.
    log.warn(
      { worker, partition, why },
      "ledger partition lost: its lease lapsed or was taken; claimed again when free",
    );
  };

  // Renew what is held, give back above the fair share, claim up to it.
  const balance = async () => {
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

  let passes: Promise<void> = balance().catch((e) => log.warn({ err: e }, "ledger leases not balanced"));
  const balanceSoon = () => {
    passes = passes.then(() =>
      stopping ? undefined : balance().catch((e) => log.warn({ err: summarize(e) }, "ledger leases not renewed")),
    );
  };
  const timer = setInterval(balanceSoon, Math.max(200, Math.floor(leaseMs / 3)));

  return {
    stream: () => adopted,
    balanceSoon,
    lost,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await passes.catch(() => undefined);
    },
  };
}
