import { readFile } from "node:fs/promises";
import type { ApiKeyRole } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { tightenFileMode, writePrivateFile } from "@regulars/embedded";
import { type CreatedTenant, createDemoOwner, createDemoTenant, createKey, hashApiKey } from "@regulars/tenancy";

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
    const keys = await replaceRevokedKeys(db, saved);
    // Saved before the demo had an owner who signs in to the admin app: make one now and keep the login.
    const staff = saved.staff ?? (await createDemoOwner(db, saved.tenantId)) ?? undefined;
    if (!keys.replaced.length && staff === saved.staff) return saved;
    const upgraded = { ...saved, apiKeys: keys.apiKeys, ...(staff ? { staff } : {}) };
    await writePrivateFile(file, JSON.stringify(upgraded, null, 2));
    return upgraded;
  }
  if ((await db.tenant.count()) > 0) return null; // a real installation: never add demo data to it
  const created = await createDemoTenant(db);
  await writePrivateFile(file, JSON.stringify(created, null, 2));
  return created;
}

/**
 * A demo key revoked or rotated since it was saved (with the CLI or the admin's API keys page) is replaced by a new
 * key of its role, so the banner's keys and the README's "Try it" commands keep working; the new key is audited as
 * the demo's own. Only the demo tenant's file is ever read here.
 */
async function replaceRevokedKeys(db: Db, saved: DemoTenant) {
  const entries = Object.entries(saved.apiKeys) as [ApiKeyRole, string][];
  const live = await db.apiKey.findMany({
    where: { tenantId: saved.tenantId, revokedAt: null, hash: { in: entries.map(([, key]) => hashApiKey(key)) } },
    select: { hash: true },
  });
  const liveHashes = new Set(live.map((k) => k.hash));
  const apiKeys = { ...saved.apiKeys };
  const replaced: ApiKeyRole[] = [];
  for (const [role, key] of entries) {
    if (liveHashes.has(hashApiKey(key))) continue;
    apiKeys[role] = (await createKey(db, saved.tenantId, "demo", { role, label: `demo ${role} key` })).key;
    replaced.push(role);
  }
  return { apiKeys, replaced };
}
