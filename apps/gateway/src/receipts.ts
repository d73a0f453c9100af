import { type Db, isTransientDbError } from "@regulars/db";
import { type Receipt, recordReceipts } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

/**
 * How often the receipts of accepted transactions are written. Another gateway process shows a transaction
 * `accepted` only once its receipt is written, so this is also how long a status read elsewhere may lag a 202.
 */
export const receiptFlushEveryMs = 200;

const keyOf = (tenantId: string, externalId: string) => `${tenantId}\u0000${externalId}`;

/**
 * Remembers what the gateway accepted, so `GET /v1/transactions/{externalId}` can say "accepted" before
 * the ledger has processed it. Written in small batches after the 202, off the request path: the stream
 * holds the transaction itself, and a receipt lost in a crash only means the status reads "not found"
 * for the moment until the ledger processes it. Until written, a receipt is answered from here, so this
 * process never denies what it has just accepted. Bounded: while Postgres is down the oldest are dropped.
 */
export class ReceiptLog {
  private pending: Receipt[] = [];
  /** Every receipt added and not yet written (pending or in a batch being written), by tenant and externalId. */
  private readonly unwritten = new Map<string, Receipt>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  /** Since the last flush failed: said once when it starts and once when it ends, not at every flush in between. */
  private failing = false;
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: { everyMs?: number; batch?: number; maxPending?: number } = {},
  ) {
    this.timer = setInterval(() => void this.flush(), opts.everyMs ?? receiptFlushEveryMs);
    this.timer.unref();
  }

  add(receipt: Receipt): void {
    this.pending.push(receipt);
    this.unwritten.set(keyOf(receipt.tenantId, receipt.externalId), receipt);
    const max = this.opts.maxPending ?? 50_000;
    if (this.pending.length > max) {
      const gone = this.pending.splice(0, this.pending.length - max);
      this.dropped += gone.length;
      this.forget(gone);
    }
    if (this.pending.length >= (this.opts.batch ?? 1_000)) void this.flush();
  }

  /**
   * The receipt this process accepted and has not written yet; null once written (Postgres answers then) or
   * when this process never accepted it.
   */
  unwrittenReceipt(tenantId: string, externalId: string): Receipt | null {
    return this.unwritten.get(keyOf(tenantId, externalId)) ?? null;
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.length) return;
      const batch = this.pending.splice(0, this.opts.batch ?? 1_000);
      try {
        await recordReceipts(this.db, batch);
        this.forget(batch); // only once committed: a status read in between still finds them here
        if (this.failing) {
          this.failing = false;
          this.log.info({ pending: this.pending.length, dropped: this.dropped }, "transaction receipts recorded again");
        }
      } catch (e) {
        this.pending.unshift(...batch); // kept for the next flush (bounded by add)
        if (this.failing) return;
        this.failing = true;
        // Postgres away: its stack says nothing new, and readiness already tells the operator.
        const what = isTransientDbError(e)
          ? {
              reason: String((e as Error)?.message ?? e)
                .replace(/\s+/g, " ")
                .trim(),
            }
          : { err: e };
        this.log.warn(
          { ...what, pending: this.pending.length },
          "could not record transaction receipts; retrying quietly until they are recorded",
        );
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private forget(receipts: Receipt[]): void {
    for (const r of receipts) {
      const key = keyOf(r.tenantId, r.externalId);
      // A repeat of the same externalId may have replaced it and still wait to be written.
      if (this.unwritten.get(key) === r) this.unwritten.delete(key);
    }
  }
}
