import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import { type Db, type DbTx, sqlArray } from "@regulars/db";
import { DEFAULT_VERSION, versionInForce } from "./in-force.ts";
import type { ProgrammeInForce } from "./types.ts";

interface Entry {
  loadedAt: number;
  timezone: string;
  latest: number;
  versions: { version: number; effectiveFrom: Date; config: ProgrammeConfig }[];
  /** The zones of the tenant's locations that have one (`locations.timezone` not null), by location id. */
  zones: Map<string, string>;
  /** Which state of the tenant's locations `zones` was read from: their count and newest `updated_at`. */
  locationsStamp: string;
}

/** Count and newest `updated_at` together: a set moves the newest forward, a row removed lowers the count. */
const stampOf = (count: number, newest: Date | null) => `${count}:${newest?.getTime() ?? "-"}`;

/**
 * The programme in force for a tenant at an instant, read fresh (no cache): for the API and the CLI. With a
 * `locationId`, `localZone` is that location's zone (see `ProgrammeInForce` for which calendar logic uses it).
 */
export const programmeInForce = (
  db: Db | DbTx,
  tenantId: string,
  at: Date,
  locationId?: string | null,
): Promise<ProgrammeInForce | null> => new ProgrammeCache(db, 0).inForce(tenantId, at, locationId);

/**
 * Programme versions and location zones per tenant, cached briefly: every transaction needs the version in force
 * at its `occurredAt` and the zone of its location, and reading them from Postgres per message would double the hot
 * path's queries.
 */
export class ProgrammeCache {
  private readonly cache = new Map<string, Entry>();
  constructor(
    private readonly db: Db | DbTx,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * One cheap query per batch: drops cached entries of these tenants that have a newer programme version or changed
   * locations, so a change made in the admin app applies from the next batch on, not after the cache expires. A
   * cancelled version (`cancelScheduledVersion`) is always the newest and its number is never given again, so the
   * newest number changes with a cancellation too, and any other number than the cached one means a change.
   * Locations: `setLocation` (@regulars/tenancy) always moves `updated_at` forward, so any other stamp is a change.
   */
  async refresh(tenantIds: string[]): Promise<void> {
    const cached = tenantIds.filter((t) => this.cache.has(t));
    if (!cached.length) return;
    // Both lookups are index-only ranges on primary keys starting with tenant_id.
    const rows = await this.db.$queryRaw<
      { tenantId: string; latest: number | null; locations: number; newest: Date | null }[]
    >`
      SELECT t.id AS "tenantId", v.latest, l.locations, l.newest
      FROM unnest(${sqlArray(cached)}::text[]) AS t(id)
      CROSS JOIN LATERAL (SELECT max(version) AS latest FROM programme_versions WHERE tenant_id = t.id) v
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS locations, max(updated_at) AS newest FROM locations WHERE tenant_id = t.id) l`;
    for (const r of rows) {
      const entry = this.cache.get(r.tenantId);
      if (!entry) continue;
      if ((r.latest ?? 0) !== entry.latest || stampOf(r.locations, r.newest) !== entry.locationsStamp)
        this.cache.delete(r.tenantId);
    }
  }

  /**
   * The version in force at `at` (the default programme when none is); null for an unknown tenant. `localZone` is
   * the zone of `locationId` when an admin set one, else the tenant's.
   */
  async inForce(tenantId: string, at: Date, locationId?: string | null): Promise<ProgrammeInForce | null> {
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
      localZone: (locationId && entry.zones.get(locationId)) || entry.timezone,
    };
  }
}

async function loadVersions(db: Db | DbTx, tenantId: string): Promise<Omit<Entry, "loadedAt"> | null> {
  const [tenant, rows, [located]] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } }),
    db.programmeVersion.findMany({ where: { tenantId } }),
    db.$queryRaw<{ locations: number; newest: Date | null; zones: Record<string, string> }[]>`
      SELECT count(*)::int AS locations, max(updated_at) AS newest,
        coalesce(jsonb_object_agg(id, timezone) FILTER (WHERE timezone IS NOT NULL), '{}'::jsonb) AS zones
      FROM locations WHERE tenant_id = ${tenantId}`,
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
    zones: new Map(Object.entries(located?.zones ?? {})),
    locationsStamp: stampOf(located?.locations ?? 0, located?.newest ?? null),
  };
}
