import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { type Bus, CoalescingPublisher } from "@regulars/bus";

export interface RawPublishOptions {
  bus: Bus;
  /** Encoded messages to cycle through, shaped and sized like the gateway's. */
  payloads: Uint8Array[];
  /** Like the gateway's `<tenantId>:<externalId>`, so de-duplication costs the same. */
  msgIdPrefix: string;
  inFlight?: number;
  maxSeconds: number;
  /** Stop after this many, once `minSeconds` have passed: a sub-second run says little. */
  maxMessages: number;
  minSeconds?: number;
  onProgress?: (p: { elapsedSec: number; published: number }) => void;
  signal?: AbortSignal;
}

export interface RawPublishResult {
  stream: string;
  messages: number;
  seconds: number;
  perSec: number;
  avgBytes: number;
}

const ms = (n: number) => n * 1_000_000; // JetStream durations are nanoseconds

/** Storage settings of the real transactions stream, so the reference pays the same costs (file writes, dedup window). */
async function configLikeTransactions(
  bus: Bus,
): Promise<Pick<StreamConfig, "storage" | "num_replicas" | "duplicate_window">> {
  try {
    const { config } = await bus.jsm.streams.info(bus.topology.streams.transactions);
    return { storage: config.storage, num_replicas: config.num_replicas, duplicate_window: config.duplicate_window };
  } catch {
    return { storage: StorageType.File, num_replicas: 1, duplicate_window: ms(60 * 60 * 1000) };
  }
}

/**
 * The ceiling for the gateway: how fast this one Node process can publish to JetStream and get acks,
 * with ~256 publishes in flight, into a temporary stream that is deleted afterwards. It publishes the way
 * the gateway does (the coalescing publisher), so the distance to it is the gateway's own work.
 */
export async function measureRawPublish(opts: RawPublishOptions): Promise<RawPublishResult> {
  const suffix = Math.random().toString(36).slice(2, 10);
  const stream = `BENCH_RAW_${suffix.toUpperCase()}`;
  const subject = `benchraw.${suffix}`;
  const inFlight = opts.inFlight ?? 256;
  await opts.bus.jsm.streams.add({
    name: stream,
    subjects: [`${subject}.>`],
    ...(await configLikeTransactions(opts.bus)),
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // If this process dies before the delete below, the leftover at least empties itself.
    max_age: ms(60 * 60 * 1000),
  });

  let claimed = 0;
  let published = 0;
  let bytes = 0;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1_000;
  const earliestEnd = started + Math.min(opts.minSeconds ?? 2, opts.maxSeconds) * 1_000;
  const publisher = new CoalescingPublisher(opts.bus.nc);
  const ticker = setInterval(
    () => opts.onProgress?.({ elapsedSec: (performance.now() - started) / 1_000, published }),
    1_000,
  );
  // Each lane keeps one publish in flight: a sliding window, unlike waves of Promise.all that idle between waves.
  const lane = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= deadline || opts.signal?.aborted || (claimed >= opts.maxMessages && now >= earliestEnd)) return;
      const i = claimed++;
      const payload = opts.payloads[i % opts.payloads.length]!;
      await publisher.publish(`${subject}.${i % 20}`, payload, `${opts.msgIdPrefix}:raw-${suffix}-${i}`);
      published++;
      bytes += payload.byteLength;
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, lane));
    const seconds = (performance.now() - started) / 1_000;
    return {
      stream,
      messages: published,
      seconds,
      perSec: published / seconds,
      avgBytes: published ? Math.round(bytes / published) : 0,
    };
  } finally {
    clearInterval(ticker);
    publisher.close();
    await opts.bus.jsm.streams.delete(stream);
  }
}
