import type { FrequencyCap } from "@regulars/contracts";

export type TenantCapsReader = (tenantId: string) => Promise<readonly FrequencyCap[]>;

interface Entry {
  caps: readonly FrequencyCap[];
  expiresAt: number;
}

/**
 * The tenants' own frequency caps for the trigger consumer, the schedules and the message sender of a process. Every
 * trigger batch and every send claim asks for them; reading them from Postgres each time would add a query to each,
 * so they are trusted for `ttlMs`: a change an admin saves applies within that time (30 s by default). A failed read
 * is not remembered: the batch or claim that needed it fails and is tried again, as when Postgres is down.
 */
export class TenantCapsCache {
  static readonly defaultTtlMs = 30_000;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<readonly FrequencyCap[]>>();

  constructor(
    private readonly load: TenantCapsReader,
    private readonly ttlMs = TenantCapsCache.defaultTtlMs,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The tenant's caps, at most `ttlMs` old; bound, so it can be handed over as a `tenantCaps` option. */
  readonly read: TenantCapsReader = async (tenantId) => {
    const hit = this.entries.get(tenantId);
    if (hit && hit.expiresAt > this.clock()) return hit.caps;
    // A claim of many messages of one tenant, or concurrent batches, share one read.
    const pending = this.inFlight.get(tenantId);
    if (pending) return pending;
    const loading = this.load(tenantId)
      .then((caps) => {
        this.entries.set(tenantId, { caps, expiresAt: this.clock() + this.ttlMs });
        return caps;
      })
      .finally(() => this.inFlight.delete(tenantId));
    this.inFlight.set(tenantId, loading);
    return loading;
  };
}
