import { apiRoleOfStaff, type StaffSession } from "@regulars/staff";
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
