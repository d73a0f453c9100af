import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { Bus } from "./connection.ts";
import { busDefaults } from "./defaults.ts";

const ms = (n: number) => n * 1_000_000; // JetStream durations are nanoseconds
const day = 24 * 60 * 60 * 1000;

export interface TopologyOptions {
  /** JetStream remembers message ids this long; a repeat inside it is answered `duplicate: true`.
   * Beyond it the ledger's own idempotency keys still prevent a second award. */
  duplicateWindowMs?: number;
  /** How long a delivered message may stay unacknowledged before it is redelivered. */
  ackWaitMs?: number;
  replicas?: number;
}

/** JetStream's answer that a stream does not exist (not that it cannot answer for it now, e.g. without quorum). */
export const isStreamNotFound = (e: unknown) =>
  e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;

/**
 * Whether the stream already has every setting we declare. Only those are compared: the server fills in the rest
 * with its defaults (and newer servers add fields), which must not count as a change. Subjects compare as a set.
 */
function holdsDeclaredSettings(current: StreamConfig, wanted: Partial<StreamConfig>): boolean {
  return Object.entries(wanted).every(([key, value]) => {
    if (value === undefined) return true;
    const held: unknown = current[key as keyof StreamConfig];
    if (!Array.isArray(value)) return held === value;
    const sorted = (xs: unknown[]) => xs.map(String).sort().join("\u0000");
    return Array.isArray(held) && held.length === value.length && sorted(held) === sorted(value);
  });
}

/**
 * Creates the stream, or updates it when its settings differ from ours. An update that changes nothing is not sent:
 * some servers (nats-server 2.9.x, nats-io/nats-server#8470) rewrite the stream's `created` time on it, and that
 * time is what tells the ledger a stream made anew from the one it has read.
 */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    const info = await jsm.streams.info(config.name);
    if (!holdsDeclaredSettings(info.config, config)) await jsm.streams.update(config.name, config);
  } catch (e) {
    if (!isStreamNotFound(e)) throw e;
    await jsm.streams.add(config);
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
) {
  try {
    await jsm.consumers.info(stream, config.durable_name);
    const { durable_name, deliver_policy, ...updatable } = config;
    await jsm.consumers.update(stream, durable_name, updatable);
  } catch (e) {
    if (!String((e as Error).message).includes("not found")) throw e;
    await jsm.consumers.add(stream, config);
  }
}

/** Declares every stream and durable consumer; safe to run at each start, from several processes. */
export async function ensureTopology(bus: Bus, opts: TopologyOptions = {}): Promise<void> {
  const { streams, subjects, consumers } = bus.topology;
  const common = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: opts.replicas ?? 1,
    duplicate_window: ms(opts.duplicateWindowMs ?? busDefaults.duplicateWindowMs),
  };
  // Sales and app events carry points: no age limit (the scheduled trim deletes what the ledger and the event
  // resolver have read, see retention.ts), and should a size limit be set on them, a full stream refuses new
  // messages (the gateway answers 503 and the till retries) rather than dropping accepted ones nobody has read.
  const carriesPoints = { ...common, discard: DiscardPolicy.New, max_age: 0 };
  await ensureStream(bus.jsm, { ...carriesPoints, name: streams.transactions, subjects: [subjects.allTransactions] });
  await ensureStream(bus.jsm, { ...carriesPoints, name: streams.events, subjects: [subjects.allEvents] });
  await ensureStream(bus.jsm, {
    ...common,
    discard: DiscardPolicy.Old,
    name: streams.domain,
    subjects: [subjects.allDomain, subjects.allMarketing],
    max_age: ms(busDefaults.domainMaxAgeMs),
  });
  await ensureStream(bus.jsm, {
    ...common,
    discard: DiscardPolicy.Old,
    name: streams.deadLetter,
    subjects: [subjects.allDeadLetters],
    max_age: ms(30 * day),
  });

  const consumer = (durable_name: string): Partial<ConsumerConfig> & { durable_name: string } => ({
    durable_name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ms(opts.ackWaitMs ?? busDefaults.ackWaitMs),
    // Unlimited: the consumer dead-letters a message that fails on its own itself, with the reason.
    // Redeliveries after an outage or a hand-back at shutdown are not failures, and a JetStream limit would silently drop such a message after its last delivery.
    max_deliver: -1,
    max_ack_pending: 20_000,
  });
  // The ledger reads the transactions by partition from positions it keeps in Postgres, not through a
  // durable consumer. One left from before partitions would only accumulate a backlog: it goes.
  await bus.jsm.consumers.delete(streams.transactions, consumers.ledger).catch(() => false);
  await ensureConsumer(bus.jsm, streams.events, consumer(consumers.eventResolver));
  // Sales, app events and campaign events into ClickHouse: both halves of the stream.
  await ensureConsumer(bus.jsm, streams.domain, consumer(consumers.analyticsWriter));
  // The three below never read a campaign or message event: filtered out on the server (a broadcast makes two per
  // member). The loyalty types share no prefix a single filter could name (2.9 takes one), so the filter is the
  // domain half, not the loyalty types.
  const domainHalf = { filter_subject: subjects.allDomain };
  await ensureConsumer(bus.jsm, streams.domain, { ...consumer(consumers.loyaltyEventsWriter), ...domainHalf });
  // Its own position, so the profile never waits for ClickHouse, nor ClickHouse for it.
  await ensureConsumer(bus.jsm, streams.domain, { ...consumer(consumers.profileWriter), ...domainHalf });
  // Customer, consent, tier and fact events all say a customer's snapshot may be due.
  await ensureConsumer(bus.jsm, streams.domain, { ...consumer(consumers.customerSnapshotWriter), ...domainHalf });
  // Both halves: tenants subscribe their endpoints to types of any prefix (`message.*` included).
  await ensureConsumer(bus.jsm, streams.domain, consumer(consumers.webhookFanout));
  // Both halves: a campaign may be triggered by any domain event type, a message's opening or click included.
  await ensureConsumer(bus.jsm, streams.domain, consumer(consumers.campaignTriggers));
}

/** Messages the consumer has yet to receive (`pending`) and received but not acknowledged (`ackPending`). */
export async function consumerCounts(
  bus: Bus,
  stream: string,
  durable: string,
): Promise<{ pending: number; ackPending: number }> {
  const info = await bus.jsm.consumers.info(stream, durable);
  return { pending: info.num_pending, ackPending: info.num_ack_pending };
}

/** Messages not yet acknowledged by a consumer: what is still to do. */
export async function consumerBacklog(bus: Bus, stream: string, durable: string): Promise<number> {
  const info = await bus.jsm.consumers.info(stream, durable);
  return info.num_pending + info.num_ack_pending;
}

/** Messages of `stream` on `filter` stored after sequence `afterSeq` (for readers that keep their own positions). */
export async function pendingAfter(bus: Bus, stream: string, filter: string, afterSeq: number): Promise<number> {
  const last = await bus.jsm.streams.getMessage(stream, { last_by_subj: filter });
  if (!last || last.seq <= afterSeq) return 0;
  // Behind: a throw-away consumer from the position counts what is left.
  const counter = await bus.jsm.consumers.add(stream, {
    filter_subject: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSeq + 1,
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: ms(5_000),
  });
  await bus.jsm.consumers.delete(stream, counter.name).catch(() => false);
  return counter.num_pending;
}
