import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache, findCredential } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/**
 * A key revoked or rotated through this API stops working through it at once, though its cache keeps keys for a
 * minute (other processes keep that lag: their caches are not told).
 */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Revoking Grill");
  const app = createApiApp({
    db,
    credentials: new CredentialCache(db, 60_000),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
const me = (key: string) => fetch(`${server.url}/trpc/tenants.me`, { headers: bearer(key) });
const mutate = (key: string, procedure: string, input: unknown) =>
  fetch(`${server.url}/trpc/${procedure}`, { method: "POST", headers: bearer(key), body: JSON.stringify(input) });

async function keyIdOf(key: string): Promise<string> {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return credential.keyId;
}

describe("apiKeys.revoke and rotate through the API that authenticates the key", () => {
  it("refuses a revoked key on its very next call", async () => {
    const key = tenant.apiKeys.analyst;
    expect((await me(key)).status).toBe(200); // now cached
    expect((await mutate(tenant.apiKeys.admin, "apiKeys.revoke", { keyId: await keyIdOf(key) })).status).toBe(200);
    const refused = await me(key);
    expect(refused.status).toBe(401);
  });

  it("refuses the replaced key of a rotation without grace at once, and takes the new one", async () => {
    const key = tenant.apiKeys.kiosk;
    expect((await me(key)).status).toBe(200);
    const rotated = await mutate(tenant.apiKeys.admin, "apiKeys.rotate", {
      keyId: await keyIdOf(key),
      graceSeconds: 0,
    });
    expect(rotated.status).toBe(200);
    const { result } = (await rotated.json()) as { result: { data: { key: string } } };
    expect((await me(key)).status).toBe(401);
    expect((await me(result.data.key)).status).toBe(200);
  });
});
