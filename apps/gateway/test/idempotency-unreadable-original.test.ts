import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A repeated `externalId` is told from a changed transaction by reading the original JetStream kept. When that read
 * fails, the gateway cannot know which it is: the answer must be 503 (the till retries), never 202 `duplicate`,
 * which would silently drop a changed transaction. The read is made to fail for real, without a seam: the original
 * message is deleted from the stream while JetStream's duplicate window still remembers its id (what a retention
 * shorter than the window, or an operator's delete, would do), so the repeat's publish names a message that is gone.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({}, { withDb: false }));
  tenant = await testTenant(db, "Unreadable Originals");
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
const lastStored = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;

it("answers 503 unavailable, never 202 duplicate, when the original of a repeated externalId cannot be read", async () => {
  const original = saleBody({ customer: { phone: "+48600100200" } });
  expect(await post("/v1/transactions", original)).toMatchObject({ status: 202, body: { duplicate: false } });
  const seq = await lastStored();
  await bus.jsm.streams.deleteMessage(bus.topology.streams.transactions, seq);

  const changed = { ...original, lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 9_999 }], total: 9_999 };
  for (const body of [changed, original]) {
    expect(await post("/v1/transactions", body)).toEqual({
      status: 503,
      body: {
        code: "unavailable",
        message: expect.stringMatching(/accepted before.*could not be read.*retry later/),
        requestId: expect.any(String),
      },
    });
  }
  const batch = await post("/v1/transactions/batch", { transactions: [saleBody(), changed] });
  expect(batch).toMatchObject({ status: 503, body: { code: "unavailable" } });
  expect(await lastStored()).toBe(seq + 1); // the batch's other sale, which its retry then reads as duplicate
});
