import type { JetStreamClient } from "@nats-io/jetstream";
import type { Published } from "./publish.ts";

interface Queued {
  subject: string;
  payload: string | Uint8Array;
  msgId: string;
  resolve: (published: Published) => void;
  reject: (error: Error) => void;
}

/**
 * JetStream publishes with acks, written to the socket together. The NATS client flushes its outbound
 * buffer in a microtask after the first command, so publishes made by requests handled in separate
 * macrotasks (every HTTP request is one) each cost a socket write, about a fifth of the gateway's CPU.
 * This queue holds the publishes of one event-loop turn and issues them in one go at `setImmediate`,
 * after the poll phase that read those requests: one write for all of them. Each caller still gets its
 * own ack (or error) and resolves only when JetStream has stored its message.
 */
export class CoalescingPublisher {
  private queue: Queued[] = [];
  private scheduled = false;
  /** Flushes so far and messages they carried; for metrics and tests. */
  readonly stats = { flushes: 0, messages: 0 };

  constructor(private readonly js: JetStreamClient) {}

  /** Resolves with the ack once the message is stored; `duplicate` when `msgId` was stored before. */
  publishJson(subject: string, payload: unknown, msgId: string): Promise<Published> {
    return this.publish(subject, JSON.stringify(payload), msgId);
  }

  publish(subject: string, payload: string | Uint8Array, msgId: string): Promise<Published> {
    return new Promise((resolve, reject) => {
      this.queue.push({ subject, payload, msgId, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = () => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.stats.flushes++;
    this.stats.messages += batch.length;
    // Each publish puts its command in the client's buffer synchronously; the buffer goes out in one
    // write (or a few, when it passes the client's pending limit) after this loop.
    for (const item of batch) {
      let ack: ReturnType<JetStreamClient["publish"]>;
      try {
        ack = this.js.publish(item.subject, item.payload, { msgID: item.msgId });
      } catch (e) {
        item.reject(e as Error);
        continue;
      }
      ack.then(
        (a) => item.resolve({ seq: a.seq, duplicate: a.duplicate }),
        (e: Error) => item.reject(e),
      );
    }
  };
}
