import { type LocationSeen, locationsSeenAtTills, locationsSeenDays } from "@regulars/analytics";
import { withTransaction } from "@regulars/db";
import { type LocationRow, listLocations, setLocation } from "@regulars/tenancy";
import { roleProcedure, router, type TenantContext } from "../trpc.ts";
import {
  type ConfiguredLocationView,
  type LocationList,
  type LocationView,
  SetLocationInput,
} from "./locations.types.ts";

const configuredView = (row: LocationRow): ConfiguredLocationView => ({
  id: row.id,
  name: row.name,
  timezone: row.timezone,
  updatedAt: row.updatedAt.toISOString(),
});

const dayMs = 86_400_000;

/**
 * The locations the tenant's tills sold at lately, or null when ClickHouse cannot be read. Any failure counts as
 * unavailable (down, not reachable from this process, tables not migrated yet): the list is the admin's way to
 * configure locations, and the configured ones come from Postgres, so it must not fail with the analytics store.
 */
async function seenAtTills(ctx: TenantContext): Promise<LocationSeen[] | null> {
  if (!ctx.analytics) return null;
  const since = new Date((ctx.now?.() ?? new Date()).getTime() - locationsSeenDays * dayMs);
  return locationsSeenAtTills(ctx.analytics, ctx.tenantId, since).catch(() => null);
}

/** Configured and seen locations in one list by id; a location's zone in force falls back to the tenant's. */
function mergeLocations(configured: LocationRow[], seen: LocationSeen[], tenantZone: string): LocationView[] {
  const sales = new Map(seen.map((s) => [s.locationId, s]));
  const ids = [...new Set([...configured.map((c) => c.id), ...sales.keys()])].sort();
  const rows = new Map(configured.map((c) => [c.id, c]));
  return ids.map((id) => {
    const row = rows.get(id);
    const sold = sales.get(id);
    return {
      id,
      name: row?.name ?? null,
      timezone: row?.timezone ?? null,
      zoneInForce: row?.timezone ?? tenantZone,
      configured: row !== undefined,
      updatedAt: row ? row.updatedAt.toISOString() : null,
      sales: sold?.sales ?? 0,
      lastSaleAt: sold?.lastSaleAt ?? null,
    };
  });
}

/**
 * The tenant's locations and their time zones, which till-side calendar rules (weekday and hour multipliers,
 * coupon hours) follow. Settings are for admin keys and the staff who act as admins, as `tenants.settings` is.
 */
export const locationsRouter = router({
  /**
   * Configured locations (Postgres) merged with those the tills sold at (ClickHouse): tills name locations by free
   * string, so a location exists before anyone configures it. Without ClickHouse, the configured ones alone.
   */
  list: roleProcedure("admin").query(async ({ ctx }): Promise<LocationList> => {
    const [configured, seen] = await Promise.all([listLocations(ctx.db, ctx.tenantId), seenAtTills(ctx)]);
    return {
      items: mergeLocations(configured, seen ?? [], ctx.credential.tenant.timezone),
      seenDays: locationsSeenDays,
      seenUnavailable: seen === null,
    };
  }),
  /** Creates or replaces a location's name and zone; audited as `locations.set`. */
  set: roleProcedure("admin")
    .input(SetLocationInput)
    .mutation(async ({ ctx, input }): Promise<ConfiguredLocationView> => {
      const saved = await withTransaction(ctx.db, (tx) => setLocation(tx, ctx.tenantId, input, ctx.credential.keyId));
      return configuredView(saved);
    }),
});
