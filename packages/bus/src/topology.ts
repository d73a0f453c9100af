import { campaignEventTypes, ledgerPartitionKey, type TransactionInput } from "@regulars/contracts";
import { DEFAULT_PARTITIONS, partitionOf } from "./partitions.ts";

/**
 * Every stream, subject and durable consumer of Regulars is named here and nowhere else.
 * A namespace prefixes all of them, so test runs (and several environments on one NATS cluster)
 * never see each other's messages.
 *
 * Subjects carry the tenant (and for transactions the ledger partition and the location) as tokens, so an
 * operator can filter or mirror one tenant's or one store's traffic without decoding payloads.
 */
export interface BusTopology {
  namespace: string;
  /** How many ledger partitions transactions are spread over (the same in every gateway and ledger worker). */
  partitions: number;
  streams: { transactions: string; events: string; domain: string; deadLetter: string };
  consumers: {
    ledger: string;
    eventResolver: string;
    analyticsWriter: string;
    loyaltyEventsWriter: string;
    /** Behavioural profile facts in Postgres, from `transaction.processed`. */
    profileWriter: string;
    customerSnapshotWriter: string;
    /** Domain events into webhook deliveries (Postgres); sending happens elsewhere, never in the consumer. */
    webhookFanout: string;
    /** Domain events into campaign enrolments and their planned steps (Postgres); steps run elsewhere. */
    campaignTriggers: string;
    /** Not a durable: the name (`<ns>.dlq.outbox`) of domain events the outbox gave up publishing (NATS refused them for good). */
    outbox: string;
  };
  subjects: {
    /** A transaction's subject: its ledger partition first (`p07`), so a worker reads one partition by filter. */
    transaction(tenantId: string, locationId: string, partition: number): string;
    /** The filter of one ledger partition. */
    transactionPartition(partition: number): string;
    /** The filter of one tenant's transactions, in every partition and location. */
    tenantTransactions(tenantId: string): string;
    event(tenantId: string, eventType: string): string;
    /**
     * A domain event's subject: `<ns>.domain.<tenant>.<type>`, or `<ns>.marketing.<tenant>.<type>` for a campaign
     * or message event. Both are the domain stream's, in one order.
     */
    domain(tenantId: string, eventType: string): string;
    deadLetter(consumer: string): string;
    allTransactions: string;
    allEvents: string;
    /** Every domain event but the campaigns' and messages': the ledger's, customers', coupons', segments'. */
    allDomain: string;
    /** Campaign enrolments and message events (see `campaignEventTypes`). */
    allMarketing: string;
    allDeadLetters: string;
  };
}

/**
 * The header a replayed dead letter carries: the durable it is for (see `replayForAnother`). Not namespaced: a
 * durable's name is only ever compared within its own stream.
 */
export const replayForHeader = "Regulars-Replay-For";

const namespacePattern = /^[a-z][a-z0-9_]{0,30}$/;
const partitionToken = (partition: number) => `p${String(partition).padStart(2, "0")}`;

export function busTopology(namespace = "regulars", partitions = DEFAULT_PARTITIONS): BusTopology {
  if (!namespacePattern.test(namespace)) throw new Error(`bus namespace "${namespace}" must match ${namespacePattern}`);
  partitionOf("", "", partitions); // refuses a count out of range
  const upper = namespace.toUpperCase();
  return {
    namespace,
    partitions,
    streams: {
      transactions: `${upper}_TX`,
      events: `${upper}_EVENTS`,
      domain: `${upper}_DOMAIN`,
      deadLetter: `${upper}_DLQ`,
    },
    consumers: {
      ledger: "ledger",
      eventResolver: "event-resolver",
      analyticsWriter: "analytics-writer",
      loyaltyEventsWriter: "loyalty-events-writer",
      profileWriter: "profile-writer",
      customerSnapshotWriter: "customer-snapshot-writer",
      webhookFanout: "webhook-fanout",
      campaignTriggers: "campaign-triggers",
      outbox: "outbox",
    },
    subjects: {
      transaction: (tenantId, locationId, partition) =>
        `${namespace}.tx.${partitionToken(partition)}.${tenantId}.${locationId}`,
      transactionPartition: (partition) => `${namespace}.tx.${partitionToken(partition)}.>`,
      tenantTransactions: (tenantId) => `${namespace}.tx.*.${tenantId}.*`,
      event: (tenantId, eventType) => `${namespace}.ev.${tenantId}.${eventType}`,
      domain: (tenantId, eventType) =>
        `${namespace}.${campaignEventTypes.has(eventType) ? "marketing" : "domain"}.${tenantId}.${eventType}`,
      deadLetter: (consumer) => `${namespace}.dlq.${consumer}`,
      allTransactions: `${namespace}.tx.>`,
      allEvents: `${namespace}.ev.>`,
      allDomain: `${namespace}.domain.>`,
      allMarketing: `${namespace}.marketing.>`,
      allDeadLetters: `${namespace}.dlq.>`,
    },
  };
}

/** The subject a transaction is stored on: its ledger partition follows the customer (see `ledgerPartitionKey`). */
export function transactionSubject(
  topology: BusTopology,
  tenantId: string,
  transaction: Pick<TransactionInput, "customer" | "type" | "refundOf" | "externalId" | "locationId">,
): string {
  return topology.subjects.transaction(
    tenantId,
    transaction.locationId,
    transactionPartition(topology, tenantId, transaction),
  );
}

/** The ledger partition a transaction is stored in: that of its customer's identity (see `ledgerPartitionKey`). */
export function transactionPartition(
  topology: BusTopology,
  tenantId: string,
  transaction: Pick<TransactionInput, "customer" | "type" | "refundOf" | "externalId">,
): number {
  return partitionOf(tenantId, ledgerPartitionKey(transaction), topology.partitions);
}
