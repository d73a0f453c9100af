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
   * Batches a ledger worker applies at once, each of other partitions. A batch is two dozen statements, each a
   * round trip to Postgres, and one batch at a time a worker waits through every one of them. With Postgres 2 ms
   * away (a delaying proxy; managed Postgres in another zone is 0.5–2 ms), one worker applied 1,190 → 1,835 tx/s
   * (base rate) and 1,098 → 1,331 (full programme) with two at a time; against the local Postgres 2,534 → 2,637 and
   * 2,090 → 2,401 (`pnpm bench:ledger`, one run each). Where the cores are already full (every role on 2 cores,
   * `bench:ingest --spawn`) it gains within run-to-run noise.
   */
  concurrentBatches: 2,
  /** How often the scheduled jobs (pending release, expiry, notices, tier downgrades) run. */
  jobsIntervalMs: 60_000,
} as const;
