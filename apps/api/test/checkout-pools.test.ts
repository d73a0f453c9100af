import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@regulars/logger";
import { loadConfig, type RunningRoles, startRoles } from "@regulars/runtime";
import { deleteStreams, testDatabaseUrl, testNatsUrl, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApiRole } from "../src/role.ts";

// The kiosk's checkout (tRPC `checkout.*`) runs on pg pools of the API's own, as the gateway's does: the quote's read,
// the guessing throttles' counts, and the holds' transactions. Through Prisma they were most of a quote's CPU.

const dataDir = mkdtempSync(join(tmpdir(), "regulars-api-checkout-pools-"));
const namespace = uniqueNamespace();
let api: RunningRoles;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    REGULARS_NAMESPACE: namespace,
    REGULARS_DATA_DIR: dataDir,
    API_PORT: "0",
  });
  api = await startRoles(config, createLogger({ level: "silent" }), { api: startApiRole });
});
afterAll(async () => {
  const bus = api?.ctx.bus;
  if (bus) await deleteStreams(bus);
  await api?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const connections = async (pool: string) => {
  const rows = await api.ctx.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`${namespace}-api-${pool}`}`;
  return Number(rows[0]!.n);
};

const quote = (key: string, input: unknown) =>
  fetch(`${api.urls.api}/trpc/checkout.quote?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${key}` },
  });

it("opens its checkout pools at start, and counts a kiosk's look-up nobody answered through them", async () => {
  expect(await connections("checkout-reader")).toBe(2);
  expect(await connections("miss-counts")).toBe(2);

  const tenant = await testTenant(api.ctx.db, "Kiosk Pools");
  const basket = {
    locationId: "store-001",
    channel: "kiosk",
    currency: "EUR",
    lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
  };
  const guest = await quote(tenant.apiKeys.kiosk, { basket });
  expect(guest.status).toBe(200);
  expect(((await guest.json()) as { result: { data: { total: number } } }).result.data.total).toBe(400);

  const nobody = await quote(tenant.apiKeys.kiosk, { basket, customer: { phone: "+48600999001" } });
  expect(nobody.status).toBe(404);
  const [row] = await api.ctx.db.$queryRaw<{ misses: number; in_flight: number }[]>`
    SELECT misses, in_flight FROM coupon_code_misses
    WHERE tenant_id = ${tenant.tenantId} AND starts_with(credential_id, 'customer-lookup:')`;
  expect(row).toEqual({ misses: 1, in_flight: 0 });
  // Written through the pool: its connections' last statements (`pg_stat_activity.query`) are the count's.
  const [last] = await api.ctx.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM pg_stat_activity
    WHERE application_name = ${`${namespace}-api-miss-counts`} AND query LIKE '%coupon_code_misses%'`;
  expect(Number(last!.n)).toBeGreaterThan(0);
});
