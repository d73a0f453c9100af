import type { Consumer } from "@nats-io/jetstream";

/**
 * Sets the reader's `pending` to what its consumer has not delivered yet (all of it lies past the queue: no fetch is
 * open while a reader waits for space); returns the consumer to fetch from next.
 */
export async function refreshPending(
  consumer: Consumer,
  reader: { pending: number },
  openConsumer: () => Promise<Consumer>,
): Promise<Consumer> {
  try {
    reader.pending = (await consumer.info()).num_pending;
    return consumer;
  } catch {
    // The server deletes an ordered consumer left without a fetch for five minutes (a long outage): one made anew
    // where reading stopped counts the same and is read from next. With NATS away too, the next refresh tries again.
    const fresh = await openConsumer().catch(() => null);
    if (!fresh) return consumer;
    consumer.delete().catch(() => {});
    return fresh;
  }
}
