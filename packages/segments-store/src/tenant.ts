import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { programmeInForce } from "@regulars/programme";
import { tierOrEntry } from "@regulars/rules";
import type { EvaluationContext } from "./member-ids.ts";

/** The tenant's IANA time zone: "birthday in N days" counts days there. */
async function tenantTimezone(db: Db, tenantId: string): Promise<string> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  if (!tenant) throw new DomainError("not_found", `no tenant ${tenantId}`);
  return tenant.timezone;
}

/**
 * What a definition is evaluated against as of `now`: the tenant's zone, and the entry level of the programme in
 * force then, read here rather than kept in the customers' snapshots, which no programme change rewrites.
 */
export async function evaluationContext(db: Db, tenantId: string, now: Date): Promise<Required<EvaluationContext>> {
  const [timezone, programme] = await Promise.all([tenantTimezone(db, tenantId), programmeInForce(db, tenantId, now)]);
  return { tenantId, timezone, now, entryTier: tierOrEntry(programme?.config.tiers, null) };
}
