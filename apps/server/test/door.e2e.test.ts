import { createDb, type Db } from "@regulars/db";
import { daysAgo, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import type { CreatedTenant } from "@regulars/tenancy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/** What the stores cannot hold, or must not believe, is refused with a 400 before anything is accepted. */
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem();
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Door Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000).toISOString();

describe("occurredAt must lie in the accepted window (35 days back, 5 minutes ahead by default)", () => {
  const refused: [string, () => string][] = [
    ["36 days ago: older than an offline upload may be", () => daysAgo(36)],
    ["10 minutes ahead: beyond clock skew", () => secondsFromNow(600)],
    ["next year", () => secondsFromNow(366 * 86_400)],
  ];
  it.each(refused)("refuses a sale dated %s", async (_name, when) => {
    const sale = saleBody({ occurredAt: when() });
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "occurred_at_out_of_range", issues: [expect.objectContaining({ path: "occurredAt" })] });
    expect(await db.transaction.count({ where: { tenantId: tenant.tenantId, externalId: sale.externalId } })).toBe(0);
  });

  it.each(refused)("refuses an event dated %s", async (_name, when) => {
    const res = await system.post("/v1/events", tenant.apiKeys.kiosk, { eventId: `ev-${Math.random()}`, type: "app_open", occurredAt: when() });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("occurred_at_out_of_range");
  });

  const accepted: [string, () => string][] = [
    ["34 days ago (an offline till catching up)", () => daysAgo(34)],
    ["now", () => new Date().toISOString()],
    ["4 minutes ahead (a till whose clock runs fast)", () => secondsFromNow(240)],
  ];
  it.each(accepted)("accepts a sale dated %s", async (_name, when) => {
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, saleBody({ occurredAt: when() }));
    expect(res.status).toBe(202);
  });
});
