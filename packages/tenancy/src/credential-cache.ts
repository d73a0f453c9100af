import type { Db } from "@regulars/db";
import { LRUCache } from "lru-cache";
import { classifyApiKey } from "./api-keys.ts";
import { type Credential, findCredential } from "./tenants.ts";

export type CredentialFinder = (key: string) => Promise<Credential | null>;

export interface CredentialCacheOptions {
  /** Most keys remembered; the least recently used go first. */
  maxEntries?: number;
  /** How long "unknown key" is remembered (capped by the TTL): short, so a key created meanwhile works soon. */
  negativeTtlMs?: number;
  /** The lookup behind the cache; tests inject one to count lookups. */
  find?: CredentialFinder;
}

interface Entry {
  value: Credential | null;
  expiresAt: number;
}

/**
 * Kiosks send a key with every request; looking it up in Postgres each time would put the database
 * on the ingestion hot path. Results (including "unknown key") are cached briefly, so a key revoked elsewhere
 * stops working here within `ttlMs`; the process that revokes a key evicts it at once (`evictKey`). Keys whose
 * checksum fails are refused before the cache: they can neither cost a lookup nor take a cache slot, and the
 * cache is an LRU, so it never outgrows `maxEntries`.
 */
export class CredentialCache {
  /** How long a key's credential is trusted before it is looked up again (a key revoked elsewhere stops within it). */
  static readonly defaultTtlMs = 30_000;
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<Credential | null>>();
  private readonly find: CredentialFinder;
  private readonly negativeTtlMs: number;
  /** Bumped by every eviction: a lookup that started before one may have read the key as it was, and is not kept. */
  private evictions = 0;

  constructor(
    db: Db,
    private readonly ttlMs = CredentialCache.defaultTtlMs,
    opts: CredentialCacheOptions = {},
  ) {
    this.entries = new LRUCache({ max: opts.maxEntries ?? 10_000 });
    this.find = opts.find ?? ((key) => findCredential(db, key));
    this.negativeTtlMs = Math.min(ttlMs, opts.negativeTtlMs ?? 5_000);
  }

  get size(): number {
    return this.entries.size;
  }

  async resolve(key: string): Promise<Credential | null> {
    // Only keys that passed the checksum are ever cached, so a hit needs no second look at it.
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    if (classifyApiKey(key) === "invalid") return null;
    // Concurrent requests with the same key share one lookup.
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup: Promise<Credential | null> = this.lookUp(key, now).finally(() => {
      // An eviction meanwhile may have cleared this lookup and a newer one taken its place.
      if (this.inFlight.get(key) === lookup) this.inFlight.delete(key);
    });
    this.inFlight.set(key, lookup);
    return lookup;
  }

  /**
   * Forgets the key with this id (entries are by key, so they are searched: a rare admin action over a bounded
   * cache), so its next use is looked up again: call it once its revocation or rotation has committed.
   */
  evictKey(keyId: string): void {
    this.evictions++;
    // A lookup in flight may have read the key before the revocation: later requests must not share it.
    this.inFlight.clear();
    const stale = [...this.entries.entries()].filter(([, entry]) => entry.value?.keyId === keyId);
    for (const [key] of stale) this.entries.delete(key);
  }

  private async lookUp(key: string, now: number): Promise<Credential | null> {
    const evictionsBefore = this.evictions;
    const value = await this.find(key);
    if (this.evictions !== evictionsBefore) return value;
    let expiresAt = now + (value ? this.ttlMs : this.negativeTtlMs);
    // A key revoked with a grace period stops exactly when the grace ends, not up to a TTL later.
    if (value?.revokesAt) expiresAt = Math.min(expiresAt, Date.parse(value.revokesAt));
    if (expiresAt > now) this.entries.set(key, { value, expiresAt });
    else this.entries.delete(key);
    return value;
  }
}
