/** The HTTP surfaces' defaults, stated once: the server's configuration starts from these. */
export const httpDefaults = {
  /** Largest request body the gateway and the tRPC API read. */
  maxBodyBytes: 256 * 1024,
  /**
   * Longest the gateway waits for Postgres to say whether posted transactions and events were recorded before (a few
   * milliseconds when well): past it, Postgres is taken as out of reach, and what nothing refuses is stored without it.
   */
  recordedLookupMs: 250,
  /**
   * How long the gateway gathers concurrent requests' look-ups into one statement before sending it: a statement per
   * event-loop turn cost Postgres about twice the CPU per transaction under single POSTs (`RecordedLookups`).
   */
  recordedLookupGatherMs: 2,
  /** Most calls one batched tRPC request may carry. */
  maxTrpcBatch: 20,
  /** Browser origins allowed to call the tRPC API: the admin and kiosk apps in development. */
  corsOrigins: ["http://localhost:5173", "http://localhost:5174"],
} as const;
