/**
 * The consumers' and streams' defaults, stated once: the server's configuration starts from these, and a
 * caller that passes nothing gets the same.
 */
export const busDefaults = {
  /** Messages handed to a handler at once. */
  maxBatch: 500,
  /** Failed attempts after which a message that fails on its own is dead-lettered. */
  maxDeliver: 6,
  /** How long a delivered message may stay unacknowledged before it is redelivered. */
  ackWaitMs: 30_000,
  /** How long JetStream remembers a message id (a repeat inside it is answered `duplicate`). */
  duplicateWindowMs: 60 * 60 * 1000,
  /** How long messages every reader is done with stay on their stream (for diagnosis and replays), then go. */
  keepReadMs: 7 * 24 * 60 * 60 * 1000,
  /**
   * The domain stream's age limit, a backstop for a reader nobody runs: its readers build views (analytics,
   * profiles, webhooks, campaigns), so past this its unread events go. The streams that carry points have none.
   */
  domainMaxAgeMs: 30 * 24 * 60 * 60 * 1000,
  /** Longest wait between probes of a dependency that is down, while its consumer is paused. */
  pauseMaxMs: 30_000,
} as const;
