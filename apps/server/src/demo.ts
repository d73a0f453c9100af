import { readFile } from "node:fs/promises";
import type { Db } from "@regulars/db";
import { tightenFileMode, writePrivateFile } from "@regulars/embedded";
import { type CreatedTenant, createDemoOwner, createDemoTenant } from "@regulars/tenancy";

export type DemoTenant = CreatedTenant;

export const demoKeysFile = (dataDir: string) => `${dataDir}/demo-tenant.json`;

/**
 * On the first embedded start, a demo tenant with a small menu so there is something to try.
 * Its plain keys are kept in the local data folder (only hashes are in the database), because a
 * developer needs them again on the next start; only the owner may read that file.
 */
export async function ensureDemoTenant(db: Db, dataDir: string): Promise<DemoTenant | null> {
  const file = demoKeysFile(dataDir);
  await tightenFileMode(file); // written world-readable by older versions
  const saved = await readFile(file, "utf8")
    .then((s) => JSON.parse(s) as DemoTenant)
    .catch(() => null);
  if (saved && (await db.tenant.findUnique({ where: { id: saved.tenantId } }))) {
    if (saved.staff) return saved;
    // Saved before the demo had an owner who signs in to the admin app: make one now and keep the login.
    const staff = await createDemoOwner(db, saved.tenantId);
    if (!staff) return saved;
    const upgraded = { ...saved, staff };
    await writePrivateFile(file, JSON.stringify(upgraded, null, 2));
    return upgraded;
  }
  if ((await db.tenant.count()) > 0) return null; // a real installation: never add demo data to it
  const created = await createDemoTenant(db);
  await writePrivateFile(file, JSON.stringify(created, null, 2));
  return created;
}
