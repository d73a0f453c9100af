import type { RawTx } from "./errors.ts";

/**
 * A tenant's erasures and the writers that decide who is "not erased" in one statement and write on that decision
 * in later ones (a segment refresh fills its list of members, then enters them): each holds the fence for the rest of
 * its transaction, the erasure alone and before it locks or deletes anything, the writers shared. A writer then never
 * acts on an erasure it could not see yet: one under way makes it wait until it commits, so its reads see
 * `erased_at`, and one that comes later waits for the writer's commit and deletes what it wrote. Nothing on a
 * customer's row is locked for it, so the ledger and merges never wait on it.
 */
export async function holdErasureFence(tx: RawTx, tenantId: string, mode: "erasure" | "writer"): Promise<void> {
  const key = `erasure-fence:${tenantId}`;
  if (mode === "erasure") await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  else await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`;
}
