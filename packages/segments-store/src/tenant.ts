import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";

/** The tenant's IANA time zone: "birthday in N days" counts days there. */
export async function tenantTimezone(db: Db, tenantId: string): Promise<string> {
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timezone: true } });
  if (!tenant) throw new DomainError("not_found", `no tenant ${tenantId}`);
  return tenant.timezone;
}
