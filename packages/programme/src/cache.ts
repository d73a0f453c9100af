import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";

export interface ProgrammeInForce {
  version: number;
  config: ProgrammeConfig;
  /** The tenant's time zone: weekdays, birthdays, days and months are local to it. */
  timezone: string;
}

/**
 * Programme versions per tenant, cached briefly: every transaction needs the version in force at its
 * `occurredAt`, and reading it from Postgres per message would double the hot path's queries.
 */
export class ProgrammeCache {
  private readonly cache = new Map<
    string,
    {
      loadedAt: number;
      timezone: string;
      latest: number;
      versions: { version: number; from: number; config: ProgrammeConfig }[];
    }
  >();
  constructor(
    private readonly db: Db,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * One cheap query per batch: drops cached programmes of these tenants that have a newer version, so
   * a change made in the admin app applies from the next batch on, not after the cache expires.
   */
  async refresh(tenantIds: string[]): Promise<void> {
    const cached = tenantIds.filter((t) => this.cache.has(t));
    if (!cached.length) return;
    const rows = await this.db.programmeVersion.groupBy({
      by: ["tenantId"],
      where: { tenantId: { in: cached } },
      _max: { version: true },
    });
    for (const r of rows)
      if ((r._max.version ?? 0) !== this.cache.get(r.tenantId)?.latest) this.cache.delete(r.tenantId);
  }

  async inForce(tenantId: string, occurredAt: Date): Promise<ProgrammeInForce | null> {
    let entry = this.cache.get(tenantId);
    if (!entry || Date.now() - entry.loadedAt > this.ttlMs) {
      const [tenant, rows] = await Promise.all([
        this.db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } }),
        this.db.programmeVersion.findMany({
          where: { tenantId },
          orderBy: [{ effectiveFrom: "desc" }, { version: "desc" }],
        }),
      ]);
      if (!tenant) return null;
      entry = {
        loadedAt: Date.now(),
        timezone: tenant.timezone,
        latest: Math.max(0, ...rows.map((r) => r.version)),
        versions: rows.map((r) => ({
          version: r.version,
          from: r.effectiveFrom.getTime(),
          config: ProgrammeConfig.parse(r.config),
        })),
      };
      this.cache.set(tenantId, entry);
    }
    const t = occurredAt.getTime();
    const found = entry.versions.find((v) => v.from <= t);
    return found ? { version: found.version, config: found.config, timezone: entry.timezone } : null;
  }
}
