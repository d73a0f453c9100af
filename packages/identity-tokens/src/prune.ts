import type { Db } from "@regulars/db";

/**
 * Deletes the records of redeemed tokens that expired more than `graceSeconds` ago (every tenant, or only
 * `tenantIds`). An expired token is refused before its record is looked at, so the record has done its job;
 * the grace covers servers whose clocks run behind the one pruning.
 */
export async function pruneUsedIdentityTokens(
  db: Db,
  now: Date,
  opts: { tenantIds?: string[]; graceSeconds?: number } = {},
): Promise<number> {
  const before = new Date(now.getTime() - (opts.graceSeconds ?? 3600) * 1000);
  const tenants = opts.tenantIds ?? null;
  let deleted = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM used_identity_tokens WHERE (tenant_id, jti) IN (
        SELECT tenant_id, jti FROM used_identity_tokens
        WHERE expires_at < ${before} AND (${tenants}::text[] IS NULL OR tenant_id = ANY(${tenants}::text[])) LIMIT 10000)`;
    deleted += n;
    if (n < 10_000) return deleted;
  }
}
