import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { DEFAULT_VERSION, versionInForce } from "./in-force.ts";
import type { ProgrammeInForce } from "./types.ts";

interface Entry {
  loadedAt: number;
  timezone: string;
  latest: number;
  versions: { version: number; effectiveFrom: Date; config: ProgrammeConfig }[];
}

/** The programme in force for a tenant at an instant, read fresh (no cache): for the API and the CLI. */
export const programmeInForce = (db: Db | DbTx, tenantId: string, at: Date): Promise<ProgrammeInForce | null> =>
  new ProgrammeCache(db, 0).inForce(tenantId, at);

/**
 * Programme versions per tenant, cached briefly: every transaction needs the version in force at its
 * `occurredAt`, and reading it from Postgres per message would double the hot path's queries.
 */
export class ProgrammeCache {
  private readonly cache = new Map<string, Entry>();
  constructor(
    private readonly db: Db | DbTx,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * One cheap query per batch: drops cached programmes of these tenants that have a newer version, so
   * a change made in the admin app applies from the next batch on, not after the cache expires. A cancelled
   * version (`cancelScheduledVersion`) is always the newest and its number is never given again, so the newest
   * number changes with a cancellation too, and any other number than the cached one means a change.
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

  /** The version in force at `at` (the default programme when none is); null for an unknown tenant. */
  async inForce(tenantId: string, at: Date): Promise<ProgrammeInForce | null> {
    let entry = this.cache.get(tenantId);
    if (!entry || Date.now() - entry.loadedAt > this.ttlMs) {
      const loaded = await loadVersions(this.db, tenantId);
      if (!loaded) return null;
      entry = { loadedAt: Date.now(), ...loaded };
      this.cache.set(tenantId, entry);
    }
    const found = versionInForce(entry.versions, at);
    return {
      version: found?.version ?? DEFAULT_VERSION,
      config: found?.config ?? defaultProgramme,
      timezone: entry.timezone,
    };
  }
}

async function loadVersions(db: Db | DbTx, tenantId: string): Promise<Omit<Entry, "loadedAt"> | null> {
  const [tenant, rows] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } }),
    db.programmeVersion.findMany({ where: { tenantId } }),
  ]);
  if (!tenant) return null;
  return {
    timezone: tenant.timezone,
    latest: Math.max(0, ...rows.map((r) => r.version)),
    versions: rows.map((r) => ({
      version: r.version,
      effectiveFrom: r.effectiveFrom,
      config: ProgrammeConfig.parse(r.config),
    })),
  };
}
