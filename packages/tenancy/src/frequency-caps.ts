import { recordAudit } from "@regulars/audit";
import { FrequencyCap } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { z } from "zod";

/**
 * The tenant's own frequency caps ("at most 3 marketing messages per customer per week across all campaigns"): they
 * hold for every campaign's messages beside each campaign's own caps, as many as a campaign may have.
 */
export const TenantFrequencyCaps = z.array(FrequencyCap).max(10);
export type TenantFrequencyCaps = z.infer<typeof TenantFrequencyCaps>;

/**
 * The tenant's caps as stored. A stored value that no longer parses (written by hand, or by an older shape) reads as
 * none rather than failing every campaign's planning and every send of the tenant; the admin page shows it empty.
 */
export async function tenantFrequencyCaps(db: Db, tenantId: string): Promise<TenantFrequencyCaps> {
  const row = await db.tenant.findUnique({ where: { id: tenantId }, select: { frequencyCaps: true } });
  if (!row) throw new DomainError("not_found", `no tenant ${tenantId}`);
  return TenantFrequencyCaps.safeParse(row.frequencyCaps).data ?? [];
}

/**
 * Replaces the tenant's caps; audited with the list before and after. Messages already queued are checked against
 * the new caps right before they go (by the message sender, within its cache's time; see apps/workers).
 */
export async function setTenantFrequencyCaps(
  db: Db,
  tenantId: string,
  caps: readonly FrequencyCap[],
  actor: string,
): Promise<TenantFrequencyCaps> {
  const parsed = TenantFrequencyCaps.safeParse(caps);
  if (!parsed.success)
    throw new DomainError(
      "invalid_request",
      "frequency caps must be at most 10, each a count and a window in hours",
      parsed.error.issues.map((i) => ({ path: ["caps", ...i.path].join("."), message: i.message })),
    );
  return withTransaction(db, async (tx) => {
    const [before] = await tx.$queryRaw<{ frequency_caps: unknown }[]>`
      SELECT frequency_caps FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
    if (!before) throw new DomainError("not_found", `no tenant ${tenantId}`);
    await tx.$executeRaw`
      UPDATE tenants SET frequency_caps = ${JSON.stringify(parsed.data)}::jsonb WHERE id = ${tenantId}`;
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "tenants.setFrequencyCaps",
      target: tenantId,
      details: { from: before.frequency_caps, to: parsed.data },
    });
    return parsed.data;
  });
}
