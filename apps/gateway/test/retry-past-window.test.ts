import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A till whose 202 was lost retries; meanwhile the 35-day window may have moved past its `occurredAt`, or the
 * tenant's currency changed. What was stored must be answered as stored (duplicate, or a conflict for another body),
 * never refused as if the till's stored sale or event were invalid. Only what was never stored is refused.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
let clock = Date.now();
const day = 86_400_000;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => new Date(clock) }));
  tenant = await testTenant(db, "Retry Past Window");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = async (path: string, key: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const storedOn = async (stream: string) => (await bus.jsm.streams.info(stream)).state.messages;

it("answers a retry of a sale, a batch item and an event stored just inside the window as a repeat once it has passed", async () => {
  const edge = new Date(clock - 35 * day + 1_000).toISOString();
  const sale = { ...saleBody({ occurredAt: edge }), externalId: "edge-sale-1" };
  const batched = { ...saleBody({ occurredAt: edge }), externalId: "edge-sale-2" };
  const event = { eventId: "edge-event-1", type: "app_open", occurredAt: edge };
  const { pos, app } = tenant.apiKeys;
  expect(await post("/v1/transactions", pos, sale)).toMatchObject({ status: 202, body: { duplicate: false } });
  expect(await post("/v1/transactions/batch", pos, { transactions: [batched] })).toMatchObject({
    status: 202,
    body: { accepted: 1 },
  });
  expect(await post("/v1/events", app, event)).toMatchObject({ status: 202, body: { duplicate: false } });

  clock += 5_000;
  expect(await post("/v1/transactions", pos, sale)).toMatchObject({
    status: 202,
    body: { externalId: "edge-sale-1", duplicate: true },
  });
  expect(await post("/v1/transactions/batch", pos, { transactions: [batched] })).toMatchObject({
    status: 202,
    body: { accepted: 0, duplicates: 1, invalid: 0, results: [{ externalId: "edge-sale-2", status: "duplicate" }] },
  });
  expect(await post("/v1/events", app, event)).toMatchObject({
    status: 202,
    body: { eventId: "edge-event-1", duplicate: true },
  });

  // Another body under a stored id is the conflict it always is.
  const changed = { ...sale, locationId: "store-018" };
  expect(await post("/v1/transactions", pos, changed)).toMatchObject({
    status: 409,
    body: { code: "idempotency_conflict" },
  });
  expect(
    await post("/v1/transactions/batch", pos, { transactions: [{ ...batched, locationId: "store-018" }] }),
  ).toMatchObject({ status: 202, body: { invalid: 1, results: [{ error: { code: "idempotency_conflict" } }] } });
  // Not "app": an app key's event naming no channel was recorded as the app's, so naming it is the same body.
  expect(await post("/v1/events", app, { ...event, channel: "web" })).toMatchObject({
    status: 409,
    body: { code: "idempotency_conflict" },
  });

  // What was never stored is refused for its occurredAt, and nothing is stored for it.
  const unstored = { ...sale, externalId: "edge-sale-3" };
  expect(await post("/v1/transactions", pos, unstored)).toMatchObject({
    status: 400,
    body: { code: "occurred_at_out_of_range" },
  });
  expect(await post("/v1/transactions/batch", pos, { transactions: [unstored] })).toMatchObject({
    status: 202,
    body: { invalid: 1, results: [{ error: { code: "occurred_at_out_of_range" } }] },
  });
  expect(await post("/v1/events", app, { ...event, eventId: "edge-event-2" })).toMatchObject({
    status: 400,
    body: { code: "occurred_at_out_of_range" },
  });
  expect(await storedOn(bus.topology.streams.transactions)).toBe(2);
  expect(await storedOn(bus.topology.streams.events)).toBe(1);
});

it("answers a retry of a sale stored before the tenant's currency changed as a repeat", async () => {
  const sale = { ...saleBody(), externalId: "currency-sale-1" };
  const other = { ...saleBody(), externalId: "currency-sale-2" };
  expect(await post("/v1/transactions", tenant.apiKeys.pos, sale)).toMatchObject({ status: 202 });
  await db.tenant.update({ where: { id: tenant.tenantId }, data: { currency: "PLN" } });
  try {
    expect(await post("/v1/transactions", tenant.apiKeys.pos, sale)).toMatchObject({
      status: 202,
      body: { duplicate: true },
    });
    expect(await post("/v1/transactions/batch", tenant.apiKeys.pos, { transactions: [sale, other] })).toMatchObject({
      status: 202,
      body: {
        duplicates: 1,
        invalid: 1,
        results: [{ status: "duplicate" }, { status: "invalid", error: { code: "invalid_request" } }],
      },
    });
  } finally {
    await db.tenant.update({ where: { id: tenant.tenantId }, data: { currency: "EUR" } });
  }
});
