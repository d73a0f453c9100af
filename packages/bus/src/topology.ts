/**
 * Every stream, subject and durable consumer of Regulars is named here and nowhere else.
 * A namespace prefixes all of them, so test runs (and several environments on one NATS cluster)
 * never see each other's messages.
 *
 * Subjects carry the tenant (and for transactions the location) as tokens, so an operator can
 * filter or mirror one tenant's or one store's traffic without decoding payloads.
 */
export interface BusTopology {
  namespace: string;
  streams: { transactions: string; events: string; domain: string; deadLetter: string };
  consumers: { ledger: string; eventResolver: string; analyticsWriter: string };
  subjects: {
    transaction(tenantId: string, locationId: string): string;
    event(tenantId: string, eventType: string): string;
    domain(tenantId: string, eventType: string): string;
    deadLetter(consumer: string): string;
    allTransactions: string;
    allEvents: string;
    allDomain: string;
    allDeadLetters: string;
  };
}

const namespacePattern = /^[a-z][a-z0-9_]{0,30}$/;

export function busTopology(namespace = "regulars"): BusTopology {
  if (!namespacePattern.test(namespace)) throw new Error(`bus namespace "${namespace}" must match ${namespacePattern}`);
  const upper = namespace.toUpperCase();
  return {
    namespace,
    streams: {
      transactions: `${upper}_TX`,
      events: `${upper}_EVENTS`,
      domain: `${upper}_DOMAIN`,
      deadLetter: `${upper}_DLQ`,
    },
    consumers: { ledger: "ledger", eventResolver: "event-resolver", analyticsWriter: "analytics-writer" },
    subjects: {
      transaction: (tenantId, locationId) => `${namespace}.tx.${tenantId}.${locationId}`,
      event: (tenantId, eventType) => `${namespace}.ev.${tenantId}.${eventType}`,
      domain: (tenantId, eventType) => `${namespace}.domain.${tenantId}.${eventType}`,
      deadLetter: (consumer) => `${namespace}.dlq.${consumer}`,
      allTransactions: `${namespace}.tx.>`,
      allEvents: `${namespace}.ev.>`,
      allDomain: `${namespace}.domain.>`,
      allDeadLetters: `${namespace}.dlq.>`,
    },
  };
}
