import type { TransactionInput } from "@regulars/contracts";
import type { Recorded } from "./recorded-before.ts";

/** What one request asks Postgres about: its items (transactions, or an event), under the tenant that posted them. */
export interface LookupAsk<Item> {
  tenantId: string;
  items: readonly Item[];
}

interface Waiting<Item, Found> {
  ask: LookupAsk<Item>;
  resolve: (found: Map<string, Found>) => void;
  reject: (error: unknown) => void;
}

/**
 * Every transaction and every event posted is looked up in Postgres before it is stored (`admitTransactions`,
 * `admitEvent`), and one statement per single POST would be a round trip, and a connection, per request. As
 * `CoalescingPublisher` does for publishes, the lookups asked in one event-loop turn wait for `setImmediate`, after
 * the poll phase that read their requests, and go out as one statement (`recordedAll`, `recordedEventsAll`); each
 * request still resolves with its own answers, by its items' idempotency keys, or fails with the statement.
 */
export class RecordedLookups<Item = TransactionInput, Found = Recorded> {
  private queue: Waiting<Item, Found>[] = [];
  private scheduled = false;
  /** Lookups asked so far and statements they took; for tests and metrics. */
  readonly stats = { lookups: 0, statements: 0 };

  constructor(private readonly lookUp: (asks: readonly LookupAsk<Item>[]) => Promise<Map<string, Found>[]>) {}

  /** What Postgres recorded of these items of the tenant, by their idempotency key (`Recorded`). */
  readonly recordedBefore = (tenantId: string, items: Item[]): Promise<Map<string, Found>> =>
    new Promise((resolve, reject) => {
      this.stats.lookups++;
      this.queue.push({ ask: { tenantId, items }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });

  private readonly flush = () => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.stats.statements++;
    this.lookUp(batch.map((w) => w.ask)).then(
      (found) => {
        batch.forEach((w, i) => {
          w.resolve(found[i] ?? new Map());
        });
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  };
}
