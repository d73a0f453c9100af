import { type ConsumerMessages, DeliverPolicy } from "@nats-io/jetstream";
import type { Logger } from "@regulars/logger";
import type { Bus } from "./connection.ts";
import { refreshPending } from "./partition-backlog.ts";
import { replayForHeader } from "./topology.ts";

/** One message read from a partition: where it sits in the stream, and its payload. */
export interface PartitionMessage {
  partition: number;
  seq: number;
  subject: string;
  payload: string;
  /** Delivered when the stream held this many more of the partition's messages (its backlog then). */
  pending: number;
  /** Published again from the dead-letter stream (`replayDeadLetter`): an operator asks for it to be decided anew. */
  replayed: boolean;
}

const FETCH_EXPIRES_MS = 2_000;
/** How long past its expiry a fetch may stay open (heartbeats are every second) before it is given up. */
const FETCH_GRACE_MS = 5_000;
/** How long past its expiry a fetch that delivered messages may stay open before it is ended and the next begun. */
const FETCH_LATE_MS = 250;
/**
 * How often a reader waiting for the taker asks its consumer what the partition holds beyond what was read: one
 * request per waiting partition, none per message.
 */
const PENDING_REFRESH_MS = 2_000;

interface Reader {
  stop(): void;
  done: Promise<void>;
  pending: number;
}

/** No partition busy: the default of the calls that take around busy partitions. */
const none: ReadonlySet<number> = new Set();

/**
 * Reads chosen partitions of a stream from given sequences into one queue, each partition in stream
 * order. Every partition has an ordered consumer (ephemeral, no acknowledgements: where to read from is
 * the caller's business, e.g. a position stored with the data it produced), so reading never depends on
 * acknowledgement timing and a partition moves to another reader simply by being started there.
 *
 * Fetches, not `consume()`: the queue stays within `highWater` messages however far behind the caller is.
 */
export class PartitionReaders {
  /** Messages read, oldest first; per partition always in stream order. */
  readonly queue: PartitionMessage[] = [];
  private readonly readers = new Map<number, Reader>();
  private readonly waitingForSpace = new Set<() => void>();
  private readonly waitingForMessages = new Set<() => void>();
  /** Messages queued per partition: what `ready` counts, without walking the queue on every message read. */
  private readonly queued = new Map<number, number>();

  constructor(
    private readonly opts: {
      bus: Bus;
      stream: string;
      filterOf: (partition: number) => string;
      /** Most messages held in the queue before reading waits. */
      highWater: number;
      log: Logger;
      /** The fetches' timing (see the constants above); tests shorten it to bring about what a busy machine does. */
      fetch?: { expiresMs?: number; lateMs?: number; graceMs?: number };
    },
  ) {}

  /** Partitions being read. */
  partitions(): number[] {
    return [...this.readers.keys()].sort((a, b) => a - b);
  }

  /** Starts reading `partition` at `fromSeq` (a partition already being read is restarted there). */
  start(partition: number, fromSeq: number): void {
    this.stop(partition);
    let stopped = false;
    let fetching: ConsumerMessages | null = null;
    const reader: Reader = {
      pending: 0,
      stop: () => {
        stopped = true;
        fetching?.stop();
        this.wakeReaders();
      },
      done: Promise.resolve(),
    };
    reader.done = (async () => {
      const { bus, stream, filterOf, log } = this.opts;
      const expiresMs = this.opts.fetch?.expiresMs ?? FETCH_EXPIRES_MS;
      const lateMs = this.opts.fetch?.lateMs ?? FETCH_LATE_MS;
      const graceMs = this.opts.fetch?.graceMs ?? FETCH_GRACE_MS;
      const openConsumer = async () => {
        const made = await bus.js.consumers.get(stream, {
          filter_subjects: filterOf(partition),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: Math.max(1, fromSeq),
        });
        // What the partition holds from where reading starts: the backlog before the first message comes.
        reader.pending = (await made.info(true)).num_pending;
        return made;
      };
      let failures = 0;
      while (!stopped) {
        const attemptStarted = Date.now();
        try {
          let consumer = await openConsumer();
          while (!stopped) {
            // The backlog otherwise moves only with messages read: while the taker stands still (the ledger paused
            // by a database outage) the stream keeps filling, and the backlog would stay where the last one left it.
            await this.space(async () => {
              consumer = await refreshPending(consumer, reader, openConsumer);
            });
            if (stopped) break;
            fetching = await consumer.fetch({ max_messages: 256, expires: expiresMs });
            // An ordered consumer has one replica, on one node. When that node dies, the client (nats.js
            // 3.4) keeps the fetch open, counting missed heartbeats, for as long as the consumer's
            // assignment lingers: the partition would stall until the node is back. A fetch still open
            // well after it expired is abandoned and the consumer made anew where reading stopped.
            const abandoned = { now: false };
            const inFlight = fetching;
            const watchdog = setTimeout(() => {
              abandoned.now = true;
              inFlight.stop();
            }, expiresMs + graceMs);
            // Now and then the client misses the end of a pull that expired after delivering messages and keeps the
            // fetch open, pulling nothing, until two heartbeats are missed: that partition's transactions waited
            // the whole expiry (2 s) while the others flowed, the worst of the visible latencies at 1,000 tx/s.
            // Such a fetch is ended just past its expiry. What the server sent it and the client had not read yet
            // (a process descheduled on a busy machine reads late) is dropped with it, and the server counts it
            // delivered: the next fetch on that consumer would begin after it, and a partition's last messages would
            // wait for the next sale of the partition. So the consumer is made anew where reading stopped.
            let delivered = 0;
            let endedEarly = false;
            const late = setTimeout(() => {
              if (delivered === 0) return;
              endedEarly = true;
              inFlight.stop();
            }, expiresMs + lateMs);
            try {
              for await (const m of fetching) {
                if (stopped) break;
                delivered++;
                // A consumer made anew may replay what was read already: the partition only moves forward.
                if (m.seq < fromSeq) continue;
                reader.pending = m.info.pending;
                fromSeq = m.seq + 1;
                this.queue.push({
                  partition,
                  seq: m.seq,
                  subject: m.subject,
                  payload: m.string(),
                  pending: m.info.pending,
                  replayed: m.headers?.has(replayForHeader) ?? false,
                });
                this.queued.set(partition, (this.queued.get(partition) ?? 0) + 1);
                this.recheck();
              }
            } finally {
              clearTimeout(watchdog);
              clearTimeout(late);
            }
            fetching = null;
            if (abandoned.now && !stopped) throw new Error("the fetch outlived its expiry: its consumer is gone");
            failures = 0;
            if (endedEarly) {
              consumer.delete().catch(() => {}); // ephemeral: it would go by itself after five idle minutes
              break;
            }
          }
        } catch (e) {
          if (stopped) break;
          failures++;
          log.warn({ err: e, partition, failures }, "reading a partition failed; trying again");
          // The pause counts from the attempt's start: an attempt that already waited (a request that timed out
          // after 5 s, a fetch abandoned by the watchdog) is tried again at once. After a NATS node dies, making
          // the consumer anew often times out once while the cluster learns the node is gone; the backoff waited on
          // top of each such timeout left a partition unread for tens of seconds on a busy machine.
          const pause = Math.min(250 * 2 ** failures, 5_000) - (Date.now() - attemptStarted);
          if (pause > 0) await new Promise((r) => setTimeout(r, pause));
        }
      }
    })();
    this.readers.set(partition, reader);
  }

  /** Stops reading `partition` and drops what was read of it and not yet taken. */
  stop(partition: number): void {
    const reader = this.readers.get(partition);
    if (!reader) return;
    reader.stop();
    this.readers.delete(partition);
    this.dropQueued(new Set([partition]));
  }

  /**
   * Takes up to `max` messages, oldest first, of partitions not in `busy` (those another batch of the caller's
   * holds): every message of a busy partition stays, so each partition is still taken in stream order.
   */
  take(max: number, busy: ReadonlySet<number> = none): PartitionMessage[] {
    let taken: PartitionMessage[];
    if (!busy.size) taken = this.queue.splice(0, max);
    else {
      taken = [];
      const kept: PartitionMessage[] = [];
      for (const m of this.queue) (taken.length < max && !busy.has(m.partition) ? taken : kept).push(m);
      this.queue.splice(0, this.queue.length, ...kept);
    }
    for (const m of taken) this.uncount(m.partition);
    this.wakeReaders();
    return taken;
  }

  /** Messages queued of partitions not in `busy`. */
  ready(busy: ReadonlySet<number> = none): number {
    let n = this.queue.length;
    for (const p of busy) n -= this.queued.get(p) ?? 0;
    return n;
  }

  /**
   * Resolves when at least `atLeast` messages of partitions not in `busy` are queued, or after `ms`. Checked again
   * on every message read and on `recheck()`, which the caller calls when it frees busy partitions.
   */
  async waitForMessages(ms: number, atLeast = 1, busy: ReadonlySet<number> = none): Promise<void> {
    if (this.ready(busy) >= atLeast) return;
    await new Promise<void>((resolve) => {
      const check = () => {
        if (this.ready(busy) < atLeast) return;
        clearTimeout(timer);
        this.waitingForMessages.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waitingForMessages.delete(check);
        resolve();
      }, ms);
      this.waitingForMessages.add(check);
    });
  }

  /** Lets every `waitForMessages` look again at what is queued. */
  recheck(): void {
    for (const check of [...this.waitingForMessages]) check();
  }

  /** Messages read and not yet taken, plus what the stream held beyond them when last read. */
  backlog(): number {
    let pending = this.queue.length;
    for (const reader of this.readers.values()) pending += reader.pending;
    return pending;
  }

  async close(): Promise<void> {
    const readers = [...this.readers.values()];
    for (const p of this.partitions()) this.stop(p);
    await Promise.allSettled(readers.map((r) => r.done));
  }

  private dropQueued(partitions: Set<number>) {
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (partitions.has(this.queue[i]!.partition)) this.queue.splice(i, 1);
    for (const p of partitions) this.queued.delete(p);
    this.wakeReaders();
  }

  private uncount(partition: number) {
    const left = (this.queued.get(partition) ?? 0) - 1;
    if (left > 0) this.queued.set(partition, left);
    else this.queued.delete(partition);
  }

  private wakeReaders() {
    for (const wake of this.waitingForSpace) wake();
    this.waitingForSpace.clear();
  }

  /** Resolves once the queue is below its high-water mark, calling `refresh` every so often while it waits. */
  private async space(refresh: () => Promise<void>): Promise<void> {
    let refreshAt = Date.now() + PENDING_REFRESH_MS;
    while (this.queue.length >= this.opts.highWater) {
      if (Date.now() >= refreshAt) {
        await refresh();
        refreshAt = Date.now() + PENDING_REFRESH_MS;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waitingForSpace.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
