import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

const TTL_MS = 1_000;
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({ CREDENTIAL_CACHE_TTL_MS: String(TTL_MS) });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Revoking Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a revoked key stops working within CREDENTIAL_CACHE_TTL_MS", () => {
  it("at the gateway and over tRPC, while the tenant's other keys keep working", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    const issued = await admin.apiKeys.create.mutate({ role: "pos", label: "till to revoke" });
    expect((await system.post("/v1/transactions", issued.key, saleBody())).status).toBe(202); // now cached
    expect(await system.client(issued.key).tenants.me.query()).toMatchObject({ role: "pos" });

    await admin.apiKeys.revoke.mutate({ keyId: issued.id });
    await sleep(TTL_MS + 200);

    const refused = await system.post("/v1/transactions", issued.key, saleBody());
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("unauthorized");
    await expect(system.client(issued.key).tenants.me.query()).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody())).status).toBe(202);
  });

  it("a rotated key is replaced: the new key works at once, the old one stops", async () => {
    const admin = system.client(tenant.apiKeys.admin);
    const old = await admin.apiKeys.create.mutate({ role: "kiosk" });
    expect((await system.post("/v1/transactions", old.key, saleBody({ channel: "kiosk" }))).status).toBe(202);
    const rotated = await admin.apiKeys.rotate.mutate({ keyId: old.id });
    expect((await system.post("/v1/transactions", rotated.key, saleBody({ channel: "kiosk" }))).status).toBe(202);
    await sleep(TTL_MS + 200);
    expect((await system.post("/v1/transactions", old.key, saleBody())).status).toBe(401);
  });
});
