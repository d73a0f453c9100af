import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { duplicateNotStored, type Published } from "./publish.ts";

interface Queued {
  subject: string;
  payload: string | Uint8Array;
  msgId: string;
  resolve: (published: Published) => void;
  reject: (error: Error) => void;
  sentAt: number;
}

/** What JetStream answers a publish with: its ack, or why it did not store the message. */
interface PubAck {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

export interface CoalescingPublisherOptions {
  /** A publish not acknowledged within this is rejected (the client's JetStream default: 5 s). */
  timeoutMs?: number;
}

/**
 * JetStream publishes with acks, written to the socket together and acknowledged through one subscription.
 *
 * The NATS client flushes its outbound buffer in a microtask after the first command, so publishes made by
 * requests handled in separate macrotasks (every HTTP request is one) each cost a socket write: about a fifth
 * of the gateway's CPU. This queue holds the publishes of one event-loop turn and sends them at
 * `setImmediate`, after the poll phase that read those requests: one write for all of them.
 *
 * The acks come back on one wildcard inbox of this publisher, matched by a token in the reply subject,
 * instead of through `js.publish`: the client's request path arms a timer, races two promises and builds
 * an Error object for every request it completes (its internal cancel), which cost more than the write
 * itself in the profile. One sweep a second fails what stayed unanswered past the timeout. Each caller
 * still resolves only when JetStream has stored its message, with its own sequence number.
 */
export class CoalescingPublisher {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly waiting = new Map<string, Queued>();
  private nextToken = 0;
  private readonly inbox = createInbox();
  private readonly sweeper: NodeJS.Timeout;
  private readonly subscription: Subscription;
  private readonly timeoutMs: number;
  /** Flushes so far and messages they carried; for metrics and tests. */
  readonly stats = { flushes: 0, messages: 0 };

  constructor(
    private readonly nc: NatsConnection,
    opts: CoalescingPublisherOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.subscription = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => (err ? this.failAll(err) : this.answer(msg)),
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, this.timeoutMs));
    this.sweeper.unref();
  }

  /** Resolves with the ack once the message is stored; `duplicate` when `msgId` was stored before. */
  publishJson(subject: string, payload: unknown, msgId: string): Promise<Published> {
    return this.publish(subject, JSON.stringify(payload), msgId);
  }

  publish(subject: string, payload: string | Uint8Array, msgId: string): Promise<Published> {
    return new Promise((resolve, reject) => {
      this.queue.push({ subject, payload, msgId, resolve, reject, sentAt: 0 });
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
    const sentAt = Date.now();
    // Each publish puts its command in the client's buffer synchronously; the buffer goes out in one
    // write (or a few, past the client's pending limit) after this loop.
    for (const item of batch) {
      const token = (this.nextToken++).toString(36);
      const h = headers();
      h.set("Nats-Msg-Id", item.msgId);
      try {
        this.nc.publish(item.subject, item.payload, { reply: `${this.inbox}.${token}`, headers: h });
      } catch (e) {
        item.reject(e as Error);
        continue;
      }
      item.sentAt = sentAt;
      this.waiting.set(token, item);
    }
  };

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length + 1);
    const item = this.waiting.get(token);
    if (!item) return; // answered after its timeout
    this.waiting.delete(token);
    // Nobody answered for JetStream (a 503 status, no body): on a cluster, the stream has no leader while one
    // is elected or without a majority of its nodes; on a single server, no stream stores the subject.
    if (msg.headers?.code === 503 && msg.data.length === 0) {
      item.reject(
        new Error(`no JetStream stream answered for ${item.subject} (no leader elected now, or no stream stores it)`),
      );
      return;
    }
    let ack: PubAck;
    try {
      ack = msg.json<PubAck>();
    } catch {
      item.reject(new Error("JetStream answered the publish with something that is not JSON"));
      return;
    }
    if (ack.error) item.reject(new Error(`JetStream did not store the message: ${ack.error.description ?? "error"}`));
    else if (!ack.stream || typeof ack.seq !== "number") item.reject(new Error("invalid JetStream ack"));
    else if (ack.duplicate && ack.seq === 0) item.reject(duplicateNotStored(item.msgId));
    else item.resolve({ seq: ack.seq, duplicate: ack.duplicate === true });
  }

  private sweep(): void {
    const expired = Date.now() - this.timeoutMs;
    for (const [token, item] of this.waiting) {
      if (item.sentAt > expired) continue;
      this.waiting.delete(token);
      item.reject(new Error(`JetStream did not acknowledge the publish within ${this.timeoutMs} ms`));
    }
  }

  /** Stops listening for acks; what is still unanswered fails. Publish nothing after this. */
  close(): void {
    clearInterval(this.sweeper);
    try {
      this.subscription.unsubscribe();
    } catch {
      // the connection is closed already, and the subscription with it
    }
    this.failAll(new Error("the publisher was closed before JetStream acknowledged the publish"));
  }

  private failAll(error: Error): void {
    for (const item of this.waiting.values()) item.reject(error);
    this.waiting.clear();
  }
}

const perConnection = new WeakMap<NatsConnection, CoalescingPublisher>();

/**
 * The connection's own publisher, made on first use and closed with the connection: for the committed events
 * the outbox publishes (the ledger's per batch, a broadcast's per chunk), which `js.publish` sent as one request
 * each, with the timer, the promise race and the Error object of the client's request path.
 */
export function connectionPublisher(nc: NatsConnection): CoalescingPublisher {
  let publisher = perConnection.get(nc);
  if (!publisher) {
    const created = new CoalescingPublisher(nc);
    perConnection.set(nc, created);
    const close = () => created.close();
    void nc.closed().then(close, close);
    publisher = created;
  }
  return publisher;
}

/**
 * Publishes every message through the connection's publisher, at most `inFlight` unacknowledged at a time (each
 * slice one socket write), and resolves once JetStream has stored them all; rejects with the first failure.
 */
export async function publishAllCoalesced(
  nc: NatsConnection,
  messages: readonly { subject: string; payload: unknown; msgId: string }[],
  inFlight = 1_000,
): Promise<void> {
  const publisher = connectionPublisher(nc);
  for (let i = 0; i < messages.length; i += inFlight)
    await Promise.all(messages.slice(i, i + inFlight).map((m) => publisher.publishJson(m.subject, m.payload, m.msgId)));
}
