import type { Db } from "@regulars/db";
import { setTenantFrequencyCaps, tenantFrequencyCaps } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantCapsCache } from "../src/tenant-caps-cache.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const weekly = { max: 3, windowHours: 24 * 7 };
const dailyEmail = { channel: "email" as const, max: 1, windowHours: 24 };

describe("TenantCapsCache", () => {
  it("serves a tenant's caps for its time to live, then the caps saved since", async () => {
    const { tenantId } = await testTenant(db, "Cached Caps Grill");
    await setTenantFrequencyCaps(db, tenantId, [weekly], "test");
    let now = 1_000_000;
    const cache = new TenantCapsCache(
      (id) => tenantFrequencyCaps(db, id),
      30_000,
      () => now,
    );

    expect(await cache.read(tenantId)).toEqual([weekly]);
    await setTenantFrequencyCaps(db, tenantId, [dailyEmail], "test");
    now += 29_999;
    expect(await cache.read(tenantId)).toEqual([weekly]);
    now += 1;
    expect(await cache.read(tenantId)).toEqual([dailyEmail]);
  });

  it("keeps tenants apart, shares one read between concurrent callers, and remembers no failed read", async () => {
    const [a, b] = await Promise.all([testTenant(db, "Caps A"), testTenant(db, "Caps B")]);
    await setTenantFrequencyCaps(db, a.tenantId, [weekly], "test");
    const reads: string[] = [];
    let failNext = false;
    const cache = new TenantCapsCache(async (id) => {
      reads.push(id);
      if (failNext) {
        failNext = false;
        throw new Error("postgres is down");
      }
      return tenantFrequencyCaps(db, id);
    });

    failNext = true;
    await expect(cache.read(a.tenantId)).rejects.toThrow("postgres is down");
    const [first, second, other] = await Promise.all([
      cache.read(a.tenantId),
      cache.read(a.tenantId),
      cache.read(b.tenantId),
    ]);
    expect(first).toEqual([weekly]);
    expect(second).toEqual([weekly]);
    expect(other).toEqual([]);
    expect(reads).toEqual([a.tenantId, a.tenantId, b.tenantId]);
  });
});
