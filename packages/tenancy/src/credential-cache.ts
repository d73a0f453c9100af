import type { Db } from "@regulars/db";
import { type Credential, findCredential } from "./tenants.ts";

/**
 * Kiosks send a key with every request; looking it up in Postgres each time would put the database
 * on the ingestion hot path. Results (including "unknown key") are cached briefly, so a revoked key
 * stops working within `ttlMs`.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { value: Credential | null; expiresAt: number }>();
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(key: string): Promise<Credential | null> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = await findCredential(this.db, key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    return value;
  }
}
