import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ReceiptLog } from "../src/receipts.ts";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * The gateway writes receipts in batches after answering 202. A status read in between must not deny what was just
 * accepted: the process that accepted it answers from its unwritten receipts. The flush interval is made longer than
 * the test, so every read here happens before any receipt is written, without waiting for anything.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ receiptFlushEveryMs: 60 * 60 * 1000 }));
  tenant = await testTenant(db, "Unwritten Receipts");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const request = async (method: "GET" | "POST", path: string, body?: unknown) => {
  const res = await gateway.request(path, {
    method,
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

it("answers accepted right after the 202, before the receipt is written", async () => {
  const sale = saleBody();
  const posted = await request("POST", "/v1/transactions", sale);
  expect(posted).toMatchObject({ status: 202, body: { duplicate: false } });
  expect(await db.transactionReceipt.count({ where: { tenantId: tenant.tenantId } })).toBe(0);

  expect(await request("GET", `/v1/transactions/${sale.externalId}`)).toEqual({
    status: 200,
    body: {
      status: "accepted",
      externalId: sale.externalId,
      id: posted.body.id,
      receivedAt: expect.any(String),
      waitingForSale: null,
      conflicts: 0,
    },
  });
});

it("answers an unknown externalId with a 404 that does not say it was refused, and asks to ask again", async () => {
  expect(await request("GET", "/v1/transactions/POS1-never-posted")).toEqual({
    status: 404,
    body: {
      code: "not_found",
      message:
        "no transaction POS1-never-posted is known for this tenant yet; one answered 202 in the last second may not be visible yet: ask again",
      requestId: expect.any(String),
    },
  });
});

it("documents the 404 of a transaction's status as not known yet, not as refused", async () => {
  const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
  const notFound = doc.paths["/v1/transactions/{externalId}"].get.responses["404"];
  expect(notFound.description).toMatch(/yet.*Not a refusal.*ask again/);
  expect(JSON.stringify(notFound.content)).toContain("is known for this tenant yet");
});

it("keeps a receipt answerable until it is written, then leaves it to Postgres", async () => {
  const receipts = new ReceiptLog(db, createLogger({ level: "silent" }), { everyMs: 60 * 60 * 1000 });
  const receipt = {
    tenantId: tenant.tenantId,
    externalId: "POS1-logged",
    transactionId: "txn_logged",
    receivedAt: new Date(),
  };
  receipts.add(receipt);
  expect(receipts.unwrittenReceipt(tenant.tenantId, "POS1-logged")).toBe(receipt);
  expect(receipts.unwrittenReceipt("tenant_other", "POS1-logged")).toBeNull();
  await receipts.stop();
  expect(receipts.unwrittenReceipt(tenant.tenantId, "POS1-logged")).toBeNull();
  expect(
    await request("GET", "/v1/transactions/POS1-logged").then((r) => [r.status, r.body.status, r.body.id]),
  ).toEqual([200, "accepted", "txn_logged"]);
});
