import type { TransactionInput } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { httpDefaults } from "@regulars/http-guards";
import type { Recorded } from "./recorded-before.ts";

/** What one request asks Postgres about: its items (transactions, or an event), under the tenant that posted them. */
export interface LookupAsk<Item> {
  tenantId: string;
  items: readonly Item[];
}

interface Waiting<Item, Found> {
  ask: LookupAsk<Item>;
  resolve: (found: (Found | undefined)[]) => void;
  reject: (error: unknown) => void;
}

/** How often a timeout that fired late (the loop was held) starts again: a loop held on every turn still ends it. */
const MAX_RESTARTS = 3;

/**
 * Calls `onTimeout` after `ms` during which the event loop could have read an answer, and returns what cancels it. A
 * plain timer counts time the loop was held (garbage collection, a busy start, a saturated machine) and fires before
 * the I/O read in the same turn: Postgres answered in a millisecond and the request was refused 503 all the same.
 * A timer that fires more than half its bound late starts again (at most `MAX_RESTARTS` times); one that fires on
 * time waits for the turn's I/O (`setImmediate` runs after the poll phase), where an answer that arrived meanwhile
 * cancels it.
 */
export function afterResponsiveMs(ms: number, onTimeout: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const arm = (restarts: number) => {
    const due = performance.now() + ms;
    timer = setTimeout(() => {
      if (performance.now() - due > ms / 2 && restarts < MAX_RESTARTS) arm(restarts + 1);
      else immediate = setImmediate(onTimeout);
    }, ms);
  };
  arm(0);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

/** Items gathered for one statement past which it goes at once, without waiting out `gatherMs`. */
const MAX_GATHERED_ITEMS = 1_000;

/**
 * Every transaction and every event posted is looked up in Postgres before it is stored (`admitTransactions`,
 * `admitEvent`), and one statement per single POST would be a round trip, and a connection, per request. The lookups
 * asked within `gatherMs` of the first (`httpDefaults.recordedLookupGatherMs`), or until `MAX_GATHERED_ITEMS` items,
 * go out as one statement (`recordedAll`, `recordedEventsAll`); each request still resolves with its own answers, one
 * per item in its order, or fails with the statement. One statement per event-loop turn (`gatherMs` 0, as before)
 * held a few requests each, and Postgres spent 0.12–0.20 ms of CPU per single POST on them, half the gateway's own
 * work; gathered over 2 ms, 0.05–0.11 ms, and the gateway accepted about a fifth more, for at most 2 ms more per
 * request (`bench:ingest`'s CPU by process, docs/measurements.md). A statement that takes longer than `timeoutMs`
 * (of time the process could have read its answer) fails its requests `unavailable` (it runs on, its answer unused):
 * before every post was looked up, a slow or hung Postgres held no till up, and the callers answer without it as when
 * it is out of reach (`admitTransactions`, `admitEvent`).
 */
export class RecordedLookups<Item = TransactionInput, Found = Recorded> {
  private queue: Waiting<Item, Found>[] = [];
  private gathered = 0;
  private scheduled: { cancel: () => void } | null = null;
  /** Lookups asked so far and statements they took; for tests and metrics. */
  readonly stats = { lookups: 0, statements: 0 };

  constructor(
    private readonly lookUp: (asks: readonly LookupAsk<Item>[]) => Promise<(Found | undefined)[][]>,
    private readonly timeoutMs: number = httpDefaults.recordedLookupMs,
    private readonly gatherMs: number = httpDefaults.recordedLookupGatherMs,
  ) {}

  /** What Postgres recorded of each of these items of the tenant, in their order (`Recorded`; undefined: nothing). */
  readonly recordedBefore = (tenantId: string, items: Item[]): Promise<(Found | undefined)[]> =>
    new Promise((resolve, reject) => {
      this.stats.lookups++;
      this.queue.push({ ask: { tenantId, items }, resolve, reject });
      this.gathered += items.length;
      if (this.gathered >= MAX_GATHERED_ITEMS) this.flush();
      else if (!this.scheduled) this.scheduled = this.schedule();
    });

  /** The flush of what is gathered: after the turn's I/O (`setImmediate`) without a gathering time, else after it. */
  private schedule(): { cancel: () => void } {
    if (this.gatherMs <= 0) {
      const immediate = setImmediate(this.flush);
      return { cancel: () => clearImmediate(immediate) };
    }
    const timer = setTimeout(this.flush, this.gatherMs);
    return { cancel: () => clearTimeout(timer) };
  }

  private readonly flush = () => {
    this.scheduled?.cancel();
    this.scheduled = null;
    const batch = this.queue;
    this.queue = [];
    this.gathered = 0;
    this.stats.statements++;
    // Settling a request twice changes nothing: whichever of the answer and the timeout comes first is its outcome.
    const cancel = afterResponsiveMs(this.timeoutMs, () => {
      const late = new DomainError(
        "unavailable",
        `the database did not answer within ${this.timeoutMs} ms, retry later`,
      );
      for (const w of batch) w.reject(late);
    });
    this.lookUp(batch.map((w) => w.ask)).then(
      (found) => {
        cancel();
        batch.forEach((w, i) => {
          w.resolve(found[i] ?? []);
        });
      },
      (error: unknown) => {
        cancel();
        for (const w of batch) w.reject(error);
      },
    );
  };
}
