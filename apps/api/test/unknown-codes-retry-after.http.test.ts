import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/** The API on a real port, as the kiosk reaches it: tRPC over HTTP, batched as its client sends. */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;
const windowSeconds = 600;

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Retry After Grill");
  const app = createApiApp({
    db,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    unknownCodeLimit: { limit: 1, windowSeconds },
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
});

const basket = {
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
const quote = (couponCodes: string[]) =>
  fetch(
    `${server.url}/trpc/checkout.quote?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { basket, couponCodes } }))}`,
    { headers: { authorization: `Bearer ${tenant.apiKeys.kiosk}` } },
  );

describe("checkout.quote refused for too many unknown coupon codes", () => {
  it("says how long to wait in Retry-After, and names the codes as what is held", async () => {
    expect((await quote(["WRONG1"])).status).toBe(200);
    const refused = await quote(["WRONG2"]);
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(windowSeconds);
    const [answer] = (await refused.json()) as { error: { data: { error: { code: string; issues?: unknown[] } } } }[];
    expect(answer!.error.data.error).toMatchObject({ code: "rate_limited", issues: [{ path: "couponCodes" }] });
    // The same order without codes is priced, and carries no wait.
    const withoutCodes = await quote([]);
    expect([withoutCodes.status, withoutCodes.headers.get("retry-after")]).toEqual([200, null]);
  });
});
