import type { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { postedTransaction, saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A repeat of an `externalId` is a retry (202 `duplicate`) only when its body is the stored one, read as the gateway
 * reads it: the same sale must read the same however often it is read (its phone, a null for an omitted field), and a
 * stored message that cannot be read as a transaction is never the body of a retry.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({}, { withDb: false }));
  tenant = await testTenant(db, "Canonical Bodies");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = async (path: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const changedLines = { lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 9_999 }], total: 9_999 };

describe("a customer's phone", () => {
  it("with a trunk 0 doubled: the identical retry is a duplicate, single or in a batch", async () => {
    const sale = saleBody({ customer: { phone: "+97100501234567" } });
    expect(await post("/v1/transactions", sale)).toMatchObject({ status: 202, body: { duplicate: false } });
    expect(await post("/v1/transactions", sale)).toMatchObject({ status: 202, body: { duplicate: true } });
    expect(await post("/v1/transactions/batch", { transactions: [sale] })).toMatchObject({
      status: 202,
      body: { duplicates: 1, invalid: 0 },
    });
  });

  it("too short once its trunk 0 is dropped is a 400 naming customer.phone, and nothing is stored", async () => {
    const before = (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;
    const sale = saleBody({ customer: { phone: "+4901234" } });
    expect(await post("/v1/transactions", sale)).toMatchObject({
      status: 400,
      body: {
        code: "invalid_request",
        issues: [{ path: "customer.phone", message: expect.stringMatching(/^must be a possible phone number \(/) }],
      },
    });
    expect((await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq).toBe(before);
  });
});

it("an omitted customer, refundOf or holdId and a null one are the same sale", async () => {
  const { customer: _c, refundOf: _r, holdId: _h, ...anonymous } = saleBody();
  expect(await post("/v1/transactions", anonymous)).toMatchObject({ status: 202, body: { duplicate: false } });
  const withNulls = { ...anonymous, customer: null, refundOf: null, holdId: null };
  expect(await post("/v1/transactions/batch", { transactions: [withNulls] })).toMatchObject({
    status: 202,
    body: { duplicates: 1, invalid: 0 },
  });
  expect(await post("/v1/transactions", withNulls)).toMatchObject({ status: 202, body: { duplicate: true } });
});

describe("a stored message no longer readable as one", () => {
  it("is no transaction a repeat of its externalId can be the retry of: 409, never 202 duplicate", async () => {
    // What a release that let `+4901234` through stored: its phone read as `+491234`, which the contract refuses.
    const sale = saleBody({ customer: { phone: "+48600100200" } });
    const unreadable = { ...sale, customer: { phone: "+491234" } } as unknown as TransactionInput;
    const stored = postedTransaction(bus.topology, tenant.tenantId, unreadable);
    await bus.js.publish(stored.subject, JSON.stringify(stored.payload), { msgID: stored.msgId });

    for (const body of [sale, { ...sale, ...changedLines }]) {
      expect(await post("/v1/transactions", body)).toMatchObject({
        status: 409,
        body: {
          code: "idempotency_conflict",
          message: expect.stringMatching(/not a transaction .*\(transaction\.customer\.phone: .*new externalId$/),
        },
      });
    }
    expect(await post("/v1/transactions/batch", { transactions: [sale] })).toMatchObject({
      status: 202,
      body: { invalid: 1, results: [{ status: "invalid", error: { code: "idempotency_conflict" } }] },
    });
  });

  it("is no event a repeat of its eventId can be the retry of: 409, never 202 duplicate", async () => {
    const event = { eventId: `ev-unreadable-${Date.now()}`, type: "app_open", occurredAt: new Date().toISOString() };
    await bus.js.publish(bus.topology.subjects.event(tenant.tenantId, event.type), "not json", {
      msgID: `${tenant.tenantId}:${event.eventId}`,
    });
    expect(await post("/v1/events", event)).toMatchObject({
      status: 409,
      body: { code: "idempotency_conflict", message: expect.stringMatching(/not an event this gateway can read/) },
    });
  });
});
