/** The ledger's defaults, stated once: the server's configuration starts from these. */
export const ledgerDefaults = {
  /** How long a refund waits for the sale it refunds (an offline till uploading late) before it is refused. */
  refundWaitMs: 24 * 60 * 60 * 1000,
  /** How long a ledger worker holds its partitions unrenewed: a crashed worker's are taken over after it. */
  leaseMs: 10_000,
  /** How often the scheduled jobs (pending release, expiry, notices, tier downgrades) run. */
  jobsIntervalMs: 60_000,
} as const;
