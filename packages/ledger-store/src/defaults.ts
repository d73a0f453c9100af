/** The ledger's defaults, stated once: the server's configuration starts from these. */
export const ledgerDefaults = {
  /** How long a refund waits for the sale it refunds (an offline till uploading late) before it is refused. */
  refundWaitMs: 24 * 60 * 60 * 1000,
  /** How long a ledger worker holds its partitions unrenewed: a crashed worker's are taken over after it. */
  leaseMs: 10_000,
  /**
   * How long a ledger worker waits for a fuller batch when fewer than `lingerBatch` messages are ready. A batch
   * costs two dozen statements and a commit whatever its size, so under load fuller batches leave the CPU to
   * everything else; when traffic is light a lone sale waits this long at most.
   */
  lingerMs: 50,
  /** Messages ready at which a ledger worker applies at once (or `LEDGER_BATCH_SIZE`, if smaller). */
  lingerBatch: 100,
  /**
   * Batches a ledger worker applies at once, each of other partitions. One batch at a time left a worker waiting
   * on Postgres and NATS for most of each batch: two workers applied 3,460–4,100 tx/s (five runs of
   * `bench:ingest --spawn`) with 0.3–0.4 of the 2 cores idle; two at a time, 3,910–4,550 (five runs) with 1.8 busy.
   */
  concurrentBatches: 2,
  /** How often the scheduled jobs (pending release, expiry, notices, tier downgrades) run. */
  jobsIntervalMs: 60_000,
} as const;
