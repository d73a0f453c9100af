import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Credential, CredentialCache, findCredential, revokeKey } from "../src/index.ts";

// evictKey: the process that revokes a key forgets it at once, however long its cache keeps keys.

let db: Db;

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function revoked(tenantId: string, key: string): Promise<string> {
  const keyId = (await findCredential(db, key))!.keyId;
  await revokeKey(db, tenantId, "test", { keyId });
  return keyId;
}

describe("CredentialCache.evictKey", () => {
  it("forgets the revoked key only: its next use is looked up, other keys stay cached", async () => {
    const tenant = await testTenant(db, "Evicting Grill");
    const looked: string[] = [];
    const find = (key: string) => {
      looked.push(key);
      return findCredential(db, key);
    };
    const cache = new CredentialCache(db, 600_000, { find });
    expect(await cache.resolve(tenant.apiKeys.pos)).toMatchObject({ role: "pos" });
    expect(await cache.resolve(tenant.apiKeys.kiosk)).toMatchObject({ role: "kiosk" });

    cache.evictKey(await revoked(tenant.tenantId, tenant.apiKeys.pos));
    expect(await cache.resolve(tenant.apiKeys.pos)).toBeNull();
    expect(await cache.resolve(tenant.apiKeys.kiosk)).toMatchObject({ role: "kiosk" });
    expect(looked).toEqual([tenant.apiKeys.pos, tenant.apiKeys.kiosk, tenant.apiKeys.pos]);
  });

  it("neither shares nor keeps a lookup that read the key before it was revoked", async () => {
    const tenant = await testTenant(db, "Racing Grill");
    let readBeforeRevocation!: () => void;
    const read = new Promise<void>((done) => {
      readBeforeRevocation = done;
    });
    let release!: () => void;
    const released = new Promise<void>((done) => {
      release = done;
    });
    let calls = 0;
    const find = async (key: string): Promise<Credential | null> => {
      const found = await findCredential(db, key);
      if (++calls === 1) {
        readBeforeRevocation();
        await released; // the first lookup answers only after the revocation and the eviction
      }
      return found;
    };
    const cache = new CredentialCache(db, 600_000, { find });
    const inFlight = cache.resolve(tenant.apiKeys.pos);
    await read;

    cache.evictKey(await revoked(tenant.tenantId, tenant.apiKeys.pos));
    expect(await cache.resolve(tenant.apiKeys.pos)).toBeNull(); // a lookup of its own, not the one in flight
    release();
    expect(await inFlight).toMatchObject({ role: "pos" }); // a request in flight before the revocation
    expect(await cache.resolve(tenant.apiKeys.pos)).toBeNull();
  });
});
