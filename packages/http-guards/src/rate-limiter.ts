import { LRUCache } from "lru-cache";

/** A token bucket: `perSecond` tokens flow in, at most `burst` are held; each call takes one. */
export interface BucketLimit {
  perSecond: number;
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimiterOptions {
  /** Most buckets kept at once; beyond it the least recently used go (a full bucket is the same as none). */
  maxKeys?: number;
  /** Milliseconds clock; injected by tests. */
  now?: () => number;
}

/**
 * Per-API-key token buckets, with the limit chosen by the key's role (terminals post far more than an
 * admin console). Memory is bounded twice: an LRU caps the number of buckets, and a bucket idle long
 * enough to have refilled is dropped, since a missing bucket is a full one.
 */
export class KeyRateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;
  private takes = 0;

  constructor(
    private readonly limits: Readonly<Record<string, BucketLimit | null>>,
    opts: RateLimiterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const slowestRefillMs = Math.max(1, ...Object.values(limits).map((l) => (l ? (l.burst / l.perSecond) * 1000 : 0)));
    this.buckets = new LRUCache({
      max: opts.maxKeys ?? 50_000,
      ttl: Math.ceil(slowestRefillMs),
      ttlResolution: 0,
      perf: { now: this.now },
    });
  }

  get size(): number {
    return this.buckets.size;
  }

  /**
   * Takes `cost` tokens (a batched call costs one per procedure) or says how long until enough are back.
   * A cost above the burst is charged as the whole burst, so a large batch is slow but never impossible.
   */
  take(keyId: string, role: string, cost = 1): RateDecision {
    const limit = this.limits[role];
    if (!limit) return { ok: true };
    const charge = Math.min(cost, limit.burst);
    if (++this.takes % 1_000 === 0) this.buckets.purgeStale();
    const now = this.now();
    const previous = this.buckets.get(keyId);
    const refilled = previous
      ? Math.min(limit.burst, previous.tokens + ((now - previous.at) / 1000) * limit.perSecond)
      : limit.burst;
    if (refilled >= charge) {
      this.buckets.set(keyId, { tokens: refilled - charge, at: now });
      return { ok: true };
    }
    this.buckets.set(keyId, { tokens: refilled, at: now });
    const missing = charge - refilled;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / limit.perSecond)) };
  }
}
