import type { Db } from "@regulars/db";
import { addStaff, generatePassword, setStaffPassword } from "@regulars/staff";
import { demoMenu } from "./demo-menu.ts";
import { type CreatedTenant, createTenant } from "./tenants.ts";

export async function createDemoTenant(db: Db): Promise<CreatedTenant> {
  const created = await createTenant(db, { name: "Demo Burgers", timezone: "Europe/Warsaw", currency: "EUR" }, "demo");
  await db.product.createMany({ data: demoMenu.map((p) => ({ ...p, tags: [...p.tags], tenantId: created.tenantId })) });
  const staff = await createDemoOwner(db, created.tenantId);
  return staff ? { ...created, staff } : created;
}

export const demoOwnerEmail = "owner@demo.regulars.test";

/**
 * The demo tenant's owner, with a fresh password (the caller keeps it: only its hash is stored). Given a new
 * password when the account exists already, as when a data folder's saved login was lost. None when another
 * tenant of this database has the address (a second demo tenant, as benchmarks make): addresses are unique.
 */
export async function createDemoOwner(db: Db, tenantId: string): Promise<{ email: string; password: string } | null> {
  const password = generatePassword();
  const existing = await db.staffUser.findUnique({ where: { email: demoOwnerEmail } });
  if (existing && existing.tenantId !== tenantId) return null;
  if (existing) await setStaffPassword(db, tenantId, { id: existing.id, password }, { actor: "demo" });
  else await addStaff(db, tenantId, { email: demoOwnerEmail, name: "Demo Owner", role: "owner", password }, "demo");
  return { email: demoOwnerEmail, password };
}
