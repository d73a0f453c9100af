import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@regulars/logger";
import type { Bus } from "./connection.ts";
import { busDefaults } from "./defaults.ts";

/**
 * Pulls a durable consumer's messages into a buffer with explicit fetches, never more than about two
 * batches ahead, and keeps every message it handed out alive (`working()`) until it is settled.
 *
 * Explicit fetches, not `consume()`: `consume()` keeps pulling into a queue of its own that we cannot
 * reach, so while the consumer is paused those messages would age past the ack wait and come back as
 * redeliveries. Here every pulled message is in `inHand` until acked, nacked or terminated.
 */
export class MessageSource {
  readonly buffer: JsMsg[] = [];
  private readonly inHand = new Set<JsMsg>();
  private fetching: ConsumerMessages | null = null;
  private parked: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private pulling: Promise<void> = Promise.resolve();
  private stopping = false;
  /** While paused, nothing new is pulled: what is in hand waits for the dependency. */
  paused = false;

  constructor(
    private readonly bus: Bus,
    private readonly stream: string,
    private readonly durable: string,
    private readonly maxBatch: number,
    private readonly log: Logger,
    private readonly onMessage: () => void,
  ) {}

  async start(heartbeatMs?: number): Promise<void> {
    const consumer = await this.bus.js.consumers.get(this.stream, this.durable);
    const ackWaitMs = ((await consumer.info(true)).config.ack_wait ?? busDefaults.ackWaitMs * 1_000_000) / 1_000_000;
    const every = Math.max(100, heartbeatMs ?? ackWaitMs / 3);
    this.heartbeat = setInterval(() => {
      for (const m of this.inHand) m.working();
    }, every);
    this.pulling = this.pull(consumer);
  }

  /** Wakes the puller after the processor took a batch or the pause ended. */
  wake(): void {
    this.parked?.();
  }

  /** The message is settled (acked, nacked, terminated): stop reporting it as in progress. */
  release(m: JsMsg): void {
    this.inHand.delete(m);
  }

  /** Hands a message back for immediate redelivery (to this or another instance). */
  handBack(m: JsMsg): void {
    m.nak();
    this.release(m);
  }

  /** Messages taken from the buffer but not processed because the consumer is stopping: `close()` hands them back. */
  unprocessed(messages: JsMsg[]): void {
    this.buffer.unshift(...messages);
  }

  private async pull(consumer: Awaited<ReturnType<Bus["js"]["consumers"]["get"]>>): Promise<void> {
    while (!this.stopping) {
      if (this.paused || this.buffer.length >= this.maxBatch) {
        await new Promise<void>((r) => {
          this.parked = r;
          setTimeout(r, 250);
        });
        this.parked = null;
        continue;
      }
      try {
        // Messages are yielded as they arrive, so a quiet stream adds no latency; `expires` only bounds
        // how long one pull request waits for a full batch.
        this.fetching = await consumer.fetch({ max_messages: this.maxBatch - this.buffer.length, expires: 5_000 });
        for await (const m of this.fetching) {
          this.inHand.add(m);
          this.buffer.push(m);
          this.onMessage();
        }
      } catch (e) {
        if (this.stopping) break;
        this.log.warn({ err: e, consumer: this.durable }, "pulling messages failed; trying again");
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        this.fetching = null;
      }
    }
  }

  /** Stops pulling; what is in hand stays alive until `close()`. */
  async stopPulling(): Promise<void> {
    this.stopping = true;
    this.fetching?.stop();
    this.wake();
    await this.pulling;
  }

  /** After the last batch: buffered messages are handed back so another instance takes them at once. */
  async close(): Promise<void> {
    // The server may still hold our last pull request and would route the redeliveries of the
    // messages we hand back to it; a consumer info request makes it drop that request first.
    await this.bus.jsm.consumers.info(this.stream, this.durable).catch(() => undefined);
    for (const m of this.buffer.splice(0)) this.handBack(m);
    if (this.heartbeat) clearInterval(this.heartbeat);
  }
}
