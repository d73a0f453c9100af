import type { Db } from "@regulars/db";
import { apiRoleOfStaff, resolveSession, type StaffSession } from "@regulars/staff";
import type { Credential } from "./tenants.ts";

/**
 * A staff session as the credential procedures see: the member's API role, their tenant, and who they are, so
 * audit rows name them (`staff:<id>`) and owner-only procedures can tell an owner from a marketer.
 */
export function credentialOfStaffSession(session: StaffSession): Credential {
  return {
    keyId: `staff:${session.staff.id}`,
    tenantId: session.tenant.id,
    role: apiRoleOfStaff(session.staff.role),
    tenant: { name: session.tenant.name, timezone: session.tenant.timezone, currency: session.tenant.currency },
    staff: { ...session.staff },
  };
}

/** The credential of a session cookie's token, with the CSRF token its requests must repeat; null when none. */
export async function findStaffCredential(
  db: Db,
  token: string,
): Promise<{ credential: Credential; session: StaffSession } | null> {
  const session = await resolveSession(db, token);
  return session ? { credential: credentialOfStaffSession(session), session } : null;
}
