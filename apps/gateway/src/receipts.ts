import type { Db } from "@regulars/db";
import { type Receipt, recordReceipts } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

/**
 * Remembers what the gateway accepted, so `GET /v1/transactions/{externalId}` can say "accepted" before
 * the ledger has processed it. Written in small batches after the 202, off the request path: the stream
 * holds the transaction itself, and a receipt lost in a crash only means the status reads "not found"
 * for the moment until the ledger processes it. Bounded: while Postgres is down the oldest are dropped.
 */
export class ReceiptLog {
  private pending: Receipt[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly opts: { everyMs?: number; batch?: number; maxPending?: number } = {},
  ) {
    this.timer = setInterval(() => void this.flush(), opts.everyMs ?? 200);
    this.timer.unref();
  }

  add(receipt: Receipt): void {
    this.pending.push(receipt);
    const max = this.opts.maxPending ?? 50_000;
    if (this.pending.length > max) {
      this.dropped += this.pending.length - max;
      this.pending.splice(0, this.pending.length - max);
    }
    if (this.pending.length >= (this.opts.batch ?? 1_000)) void this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.length) return;
      const batch = this.pending.splice(0, this.opts.batch ?? 1_000);
      try {
        await recordReceipts(this.db, batch);
      } catch (e) {
        this.pending.unshift(...batch); // kept for the next flush (bounded by add)
        this.log.warn({ err: e, pending: this.pending.length }, "could not record transaction receipts; will retry");
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
