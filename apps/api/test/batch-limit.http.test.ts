import type { Db } from "@regulars/db";
import { KeyRateLimiter } from "@regulars/http-guards";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDeps, createApiApp } from "../src/app.ts";

/**
 * A batch's size and its charge on the key's bucket are counted as tRPC splits the URL: every procedure named
 * after `/trpc/`, whatever follows a `/`. The API on real ports, one app per limit.
 */
let db: Db;
let tenant: CreatedTenant;
const servers: Awaited<ReturnType<typeof listen>>[] = [];

const start = async (limits: Pick<ApiDeps, "maxBatchSize" | "rateLimiter">) => {
  const app = createApiApp({
    db,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    ...limits,
  });
  const server = await listen(app.fetch, "127.0.0.1", 0);
  servers.push(server);
  return server.url;
};

let batchOfThree: string;
let burstOfFive: string;

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Batch Limit Grill");
  batchOfThree = await start({ maxBatchSize: 3 });
  // A clock that never moves: no token flows back between requests.
  const frozen = Date.parse("2026-01-01T00:00:00.000Z");
  burstOfFive = await start({
    maxBatchSize: 50,
    rateLimiter: new KeyRateLimiter({ admin: { perSecond: 1, burst: 5 } }, { now: () => frozen }),
  });
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await db?.$disconnect();
});

const settingsBatch = (base: string, calls: number, suffix = "") =>
  fetch(`${base}/trpc/${Array(calls).fill("tenants.settings").join(",")}${suffix}?batch=1`, {
    headers: { authorization: `Bearer ${tenant.apiKeys.admin}` },
  });

describe("the batch limit", () => {
  it("lets a batch within the limit through", async () => {
    const res = await settingsBatch(batchOfThree, 3);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(3);
  });

  it.each(["", "/x", "/x/y", "%2Fx"])("refuses ten calls with %j after the last one", async (suffix) => {
    const res = await settingsBatch(batchOfThree, 10, suffix);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "invalid_request",
      message: "a batch may hold at most 3 calls; this one has 10",
    });
  });

  it("counts calls named with an encoded comma", async () => {
    const res = await fetch(`${batchOfThree}/trpc/${Array(4).fill("tenants.settings").join("%2C")}?batch=1`, {
      headers: { authorization: `Bearer ${tenant.apiKeys.admin}` },
    });
    expect(res.status).toBe(400);
  });
});

describe("the rate limit", () => {
  it("charges every call of a batch with a trailing path segment", async () => {
    const first = await settingsBatch(burstOfFive, 4, "/x");
    expect(first.status).toBe(207);
    // Four of the five tokens are gone: a second batch of four finds one.
    const second = await settingsBatch(burstOfFive, 4, "/x");
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: "rate_limited" });
  });
});
