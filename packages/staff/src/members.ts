import { recordAudit } from "@regulars/audit";
import { type Db, type DbTx, isUniqueViolation, type StaffUserModel, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { hashPassword } from "./passwords.ts";
import { type AddStaffInput, normalizeEmail, type StaffMember, type StaffRole } from "./staff.types.ts";

/**
 * A tenant's staff: who may sign in to its admin app, and as what. Every change is audited under `actor` (an
 * API key id, `staff:<id>` or `cli`). A tenant that has an owner always keeps one, so someone can manage staff.
 */

const memberOf = (row: StaffUserModel): StaffMember => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role as StaffRole,
  createdAt: row.createdAt.toISOString(),
});

const notFound = (id: string) =>
  new DomainError("not_found", `no staff member ${id}`, [{ path: "id", message: "no such staff member" }]);

export async function addStaff(db: Db, tenantId: string, input: AddStaffInput, actor: string): Promise<StaffMember> {
  const passwordHash = await hashPassword(input.password);
  const email = normalizeEmail(input.email);
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.staffUser.create({
        data: { id: newId("staff"), tenantId, email, name: input.name, role: input.role, passwordHash },
      });
      const details = { email, role: row.role };
      await recordAudit(tx, { tenantId, actor, action: "staff.add", target: row.id, details });
      return memberOf(row);
    });
  } catch (e) {
    // Addresses are unique across tenants (sign-in asks for no tenant), so the other account may be elsewhere.
    if (isUniqueViolation(e))
      throw new DomainError("conflict", "this e-mail address already belongs to a staff account", [
        { path: "email", message: "already in use" },
      ]);
    throw e;
  }
}

export async function listStaff(db: Db, tenantId: string): Promise<StaffMember[]> {
  const rows = await db.staffUser.findMany({ where: { tenantId }, orderBy: [{ email: "asc" }] });
  return rows.map(memberOf);
}

export async function findStaffByEmail(db: Db, tenantId: string, email: string): Promise<StaffMember | null> {
  const row = await db.staffUser.findFirst({ where: { tenantId, email: normalizeEmail(email) } });
  return row ? memberOf(row) : null;
}

/**
 * The member, with the tenant's owners locked: two owners demoting or removing each other at the same moment
 * must not leave the tenant with none.
 */
async function lockForChange(tx: DbTx, tenantId: string, id: string) {
  const owners = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM staff_users WHERE tenant_id = ${tenantId} AND role = 'owner' ORDER BY id FOR UPDATE`;
  const row = await tx.staffUser.findFirst({ where: { id, tenantId } });
  if (!row) throw notFound(id);
  return { row, isLastOwner: row.role === "owner" && owners.length === 1 };
}

/** Who is making a change, when it is a staff member: nobody removes or re-roles themselves. */
export interface ChangedBy {
  actor: string;
  staffId?: string | undefined;
}

function refuseSelf(by: ChangedBy, id: string, what: string) {
  if (by.staffId === id) throw new DomainError("forbidden", `you cannot ${what} yourself; ask another owner`);
}

/** Deletes the member and, with them, their sessions: they are signed out everywhere at once. */
export async function removeStaff(db: Db, tenantId: string, id: string, by: ChangedBy): Promise<StaffMember> {
  refuseSelf(by, id, "remove");
  return withTransaction(db, async (tx) => {
    const { row, isLastOwner } = await lockForChange(tx, tenantId, id);
    if (isLastOwner)
      throw new DomainError("conflict", "this is the tenant's last owner; make someone else an owner first");
    await tx.staffUser.delete({ where: { id } });
    const details = { email: row.email, role: row.role };
    await recordAudit(tx, { tenantId, actor: by.actor, action: "staff.remove", target: id, details });
    return memberOf(row);
  });
}

export async function setStaffRole(
  db: Db,
  tenantId: string,
  input: { id: string; role: StaffRole },
  by: ChangedBy,
): Promise<StaffMember> {
  refuseSelf(by, input.id, "change the role of");
  return withTransaction(db, async (tx) => {
    const { row, isLastOwner } = await lockForChange(tx, tenantId, input.id);
    if (row.role === input.role) return memberOf(row);
    if (isLastOwner)
      throw new DomainError("conflict", "this is the tenant's last owner; make someone else an owner first");
    const updated = await tx.staffUser.update({
      where: { id: row.id },
      data: { role: input.role, updatedAt: new Date() },
    });
    const details = { from: row.role, to: input.role };
    await recordAudit(tx, { tenantId, actor: by.actor, action: "staff.setRole", target: row.id, details });
    return memberOf(updated);
  });
}

/** A new password, and every session of the member ended: whoever knew the old one is signed out. */
export async function setStaffPassword(
  db: Db,
  tenantId: string,
  input: { id: string; password: string },
  by: ChangedBy,
): Promise<StaffMember> {
  const passwordHash = await hashPassword(input.password);
  return withTransaction(db, async (tx) => {
    const row = await tx.staffUser.findFirst({ where: { id: input.id, tenantId } });
    if (!row) throw notFound(input.id);
    const updated = await tx.staffUser.update({ where: { id: row.id }, data: { passwordHash, updatedAt: new Date() } });
    await tx.staffSession.deleteMany({ where: { staffId: row.id } });
    await recordAudit(tx, { tenantId, actor: by.actor, action: "staff.setPassword", target: row.id, details: {} });
    return memberOf(updated);
  });
}
