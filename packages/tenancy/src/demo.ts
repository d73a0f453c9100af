import type { Db } from "@regulars/db";
import { demoMenu } from "./demo-menu.ts";
import { type CreatedTenant, createTenant } from "./tenants.ts";

export async function createDemoTenant(db: Db): Promise<CreatedTenant> {
  const created = await createTenant(db, { name: "Demo Burgers", timezone: "Europe/Warsaw", currency: "EUR" }, "demo");
  await db.product.createMany({ data: demoMenu.map((p) => ({ ...p, tags: [...p.tags], tenantId: created.tenantId })) });
  return created;
}
