import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "@regulars/db";
import { hashApiKey, listKeys, revokeKey, rotateKey } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoKeysFile, ensureDemoTenant } from "../src/demo.ts";

let db: Db;
let dataDir: string;
beforeAll(async () => {
  db = testDb();
  dataDir = await mkdtemp(join(tmpdir(), "regulars-demo-keys-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await db?.$disconnect();
});

const liveKey = async (tenantId: string, key: string) =>
  db.apiKey.findFirst({ where: { tenantId, hash: hashApiKey(key), revokedAt: null } });

describe("the demo tenant's saved keys", () => {
  it("are replaced, role by role, once revoked or rotated, so the printed keys and the README's commands work", async () => {
    // With an owner saved, so that this test never makes the one demo owner the shared database may hold.
    const saved = { ...(await testTenant(db, "Demo Burgers")), staff: { email: "owner@demo.test", password: "x" } };
    await writeFile(demoKeysFile(dataDir), JSON.stringify(saved));
    const keys = await listKeys(db, saved.tenantId, { includeRevoked: false });
    const keyOf = (role: string) => keys.find((k) => k.role === role)!.id;
    await revokeKey(db, saved.tenantId, "test", { keyId: keyOf("pos") });
    await rotateKey(db, saved.tenantId, "test", { keyId: keyOf("admin"), graceSeconds: 0 });

    const demo = await ensureDemoTenant(db, dataDir);
    expect(demo!.apiKeys.pos).not.toBe(saved.apiKeys.pos);
    expect(demo!.apiKeys.admin).not.toBe(saved.apiKeys.admin);
    expect(demo!.apiKeys.kiosk).toBe(saved.apiKeys.kiosk);
    for (const key of Object.values(demo!.apiKeys)) expect(await liveKey(saved.tenantId, key)).not.toBeNull();
    expect(JSON.parse(await readFile(demoKeysFile(dataDir), "utf8")).apiKeys).toEqual(demo!.apiKeys);

    // The next start finds every key live and changes nothing.
    expect(await ensureDemoTenant(db, dataDir)).toEqual(demo);
    expect((await listKeys(db, saved.tenantId, { includeRevoked: true })).filter((k) => k.role === "pos")).toHaveLength(
      2,
    );
  });
});
