import { recordAudit } from "@regulars/audit";
import { LocationId } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { DomainError, type FieldIssue } from "@regulars/errors";
import { z } from "zod";
import { storedTimeZone } from "./time-zones.ts";

/**
 * A location as an admin configured it. Tills name locations by free string (`locationId`), so a location without
 * a row is valid: it has no display name and keeps the tenant's time zone, as does a row whose `timezone` is null.
 */
export interface LocationRow {
  id: string;
  name: string | null;
  /** IANA zone of the location; null: the tenant's. */
  timezone: string | null;
  updatedAt: Date;
}

export interface LocationSettings {
  id: string;
  name: string | null;
  timezone: string | null;
}

const LocationName = z.string().trim().min(1, "must not be empty").max(100, "use at most 100 characters");

/**
 * The tenant's configured locations, by id. Locations seen in sales but never configured are not listed: the only
 * Postgres source of them (`transactions.location_id`, the same in checkout holds and profile orders) has no index
 * on the location, so a distinct over it scans every sale of the tenant.
 */
export async function listLocations(db: Db | DbTx, tenantId: string): Promise<LocationRow[]> {
  return db.location.findMany({
    where: { tenantId },
    select: { id: true, name: true, timezone: true, updatedAt: true },
    orderBy: { id: "asc" },
  });
}

/**
 * Creates or replaces a location's name and time zone, audited (`locations.set`, before and after) in the caller's
 * transaction. The programme cache notices a change of the tenant's locations by their count and newest `updated_at`
 * (`ProgrammeCache.refresh` in @regulars/programme), so every change must make the newest later than any a reader
 * saw: writers of one tenant's locations queue on the tenant's row, and each stamps past the newest with the clock
 * at that moment (not the transaction's start, which an earlier-started, later-committing writer would carry).
 */
export async function setLocation(
  tx: DbTx,
  tenantId: string,
  settings: LocationSettings,
  actor: string,
): Promise<LocationRow> {
  const location = await validSettings(tx, settings);
  // NO KEY UPDATE: writers of locations queue on each other, but never on the foreign-key checks (KEY SHARE) that
  // every write of the tenant's rows takes on this row.
  await tx.$executeRaw`SELECT 1 FROM tenants WHERE id = ${tenantId} FOR NO KEY UPDATE`;
  const [before] = await tx.$queryRaw<{ name: string | null; timezone: string | null }[]>`
    SELECT name, timezone FROM locations WHERE tenant_id = ${tenantId} AND id = ${location.id} FOR UPDATE`;
  const [saved] = await tx.$queryRaw<LocationRow[]>`
    WITH newest AS (SELECT max(updated_at) AS at FROM locations WHERE tenant_id = ${tenantId})
    INSERT INTO locations (tenant_id, id, name, timezone, updated_at)
    SELECT ${tenantId}, ${location.id}, ${location.name}, ${location.timezone},
      GREATEST(clock_timestamp(), newest.at + interval '1 millisecond')
    FROM newest
    ON CONFLICT (tenant_id, id) DO UPDATE SET
      name = EXCLUDED.name,
      timezone = EXCLUDED.timezone,
      updated_at = EXCLUDED.updated_at
    RETURNING id, name, timezone, updated_at AS "updatedAt"`;
  await recordAudit(tx, {
    tenantId,
    actor,
    action: "locations.set",
    target: location.id,
    details: {
      before: before ? { name: before.name, timezone: before.timezone } : null,
      after: { name: location.name, timezone: location.timezone },
    },
  });
  return saved!;
}

/** The store is an edge too (the CLI calls it): every field is checked here, each refusal naming its field. */
async function validSettings(tx: DbTx, settings: LocationSettings): Promise<LocationSettings> {
  const issues: FieldIssue[] = [];
  const id = LocationId.safeParse(settings.id);
  if (!id.success) issues.push({ path: "id", message: id.error.issues[0]!.message });
  const name = settings.name === null ? null : LocationName.safeParse(settings.name);
  if (name && !name.success) issues.push({ path: "name", message: name.error.issues[0]!.message });
  const timezone = settings.timezone === null ? null : await storedTimeZone(tx, settings.timezone);
  if (settings.timezone !== null && timezone === null)
    issues.push({ path: "timezone", message: "must be an IANA time zone such as Europe/Warsaw, or null" });
  if (issues.length)
    throw new DomainError(
      "invalid_request",
      `the location is invalid: ${issues.map((i) => i.path).join(", ")}`,
      issues,
    );
  return { id: settings.id, name: name?.data ?? null, timezone };
}
