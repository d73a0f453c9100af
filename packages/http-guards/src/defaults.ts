/** The HTTP surfaces' defaults, stated once: the server's configuration starts from these. */
export const httpDefaults = {
  /** Largest request body the gateway and the tRPC API read. */
  maxBodyBytes: 256 * 1024,
  /** Most calls one batched tRPC request may carry. */
  maxTrpcBatch: 20,
  /** Browser origins allowed to call the tRPC API: the admin and kiosk apps in development. */
  corsOrigins: ["http://localhost:5173", "http://localhost:5174"],
} as const;
