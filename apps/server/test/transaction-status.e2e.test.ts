import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { ledgerBacklog } from "@regulars/workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/**
 * What a POS integrator sees after a 202: accepted → processed (points, balance) or rejected with a
 * reason it can read, never a transaction that vanished into the dead-letter stream.
 */
let system: TestSystem;
const dedupeWindowSec = 6;
let db: Db;
let tenant: CreatedTenant;
let other: CreatedTenant;

beforeAll(async () => {
  // A short duplicate window, so a repeat can also arrive after JetStream forgot the first message; long enough
  // that three POSTs in a row stay inside it on a busy machine (2 s did not, once, in a full CI run).
  system = await startTestSystem({ DEDUPE_WINDOW_SECONDS: String(dedupeWindowSec) });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Status Burgers");
  other = await testTenant(db, "Other Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const status = async (key: string, externalId: string) => {
  const res = await fetch(`${system.gatewayUrl}/v1/transactions/${encodeURIComponent(externalId)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as any };
};
const settled = (key: string, externalId: string) =>
  eventually(`${externalId} settled`, async () => {
    const s = await status(key, externalId);
    return s.status === 200 && s.body.status !== "accepted" ? s.body : undefined;
  });
const line = (sku: string, unitPrice: number, quantity = 1) => ({
  sku,
  name: sku,
  quantity,
  unitPrice,
  discount: 0,
  tags: [],
});

describe("GET /v1/transactions/{externalId}", () => {
  it("a processed sale shows its points and the customer's balance, to POS and kiosk keys", async () => {
    const sale = saleBody({ customer: { phone: "+48610000001" }, lines: [line("MEAL", 2_500)] });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, sale)).status).toBe(202);
    expect(await settled(tenant.apiKeys.pos, sale.externalId)).toMatchObject({
      status: "processed",
      externalId: sale.externalId,
      type: "sale",
      pointsAwarded: 25,
      balance: { points: 25, pending: 0 },
      conflicts: 0,
    });
    expect((await status(tenant.apiKeys.kiosk, sale.externalId)).body.status).toBe("processed");
  });

  it("a made-up customer id, an over-refund and a refund of a refund end rejected with a machine-readable reason", async () => {
    const madeUp = saleBody({ customer: { id: "cus_0000000000000000000000000" } });
    await system.post("/v1/transactions", tenant.apiKeys.pos, madeUp);
    expect(await settled(tenant.apiKeys.pos, madeUp.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "unknown_customer", message: expect.stringContaining("cus_0000000000000000000000000") },
    });

    const sale = saleBody({ customer: { phone: "+48610000002" }, lines: [line("MEAL", 1_000)] });
    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    await settled(tenant.apiKeys.pos, sale.externalId);
    const tooMuch = saleBody({ type: "refund", refundOf: sale.externalId, lines: [line("MEAL", 1_500)] });
    await system.post("/v1/transactions", tenant.apiKeys.pos, tooMuch);
    expect(await settled(tenant.apiKeys.pos, tooMuch.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "refund_exceeds_sale" },
    });

    const refund = saleBody({ type: "refund", refundOf: sale.externalId, lines: [line("MEAL", 400)] });
    await system.post("/v1/transactions", tenant.apiKeys.pos, refund);
    expect(await settled(tenant.apiKeys.pos, refund.externalId)).toMatchObject({
      status: "processed",
      pointsAwarded: -4,
    });
    const ofRefund = saleBody({ type: "refund", refundOf: refund.externalId, lines: [line("MEAL", 400)] });
    await system.post("/v1/transactions", tenant.apiKeys.pos, ofRefund);
    expect(await settled(tenant.apiKeys.pos, ofRefund.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "refund_of_refund" },
    });

    const wrongLine = saleBody({
      type: "refund",
      refundOf: sale.externalId,
      lines: [{ ...line("MEAL", 100), lineNo: 3 }],
    });
    await system.post("/v1/transactions", tenant.apiKeys.pos, wrongLine);
    expect(await settled(tenant.apiKeys.pos, wrongLine.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "refund_line_not_in_sale", message: expect.stringContaining("lines.0.lineNo") },
    });
  });

  it("answers 404 for what was never posted, for another tenant's key, and 403 for an admin key", async () => {
    const sale = saleBody({ customer: { phone: "+48610000003" } });
    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    await settled(tenant.apiKeys.pos, sale.externalId);
    expect((await status(tenant.apiKeys.pos, "NEVER-POSTED-1")).status).toBe(404);
    expect((await status(other.apiKeys.pos, sale.externalId)).status).toBe(404);
    expect((await status(tenant.apiKeys.admin, sale.externalId)).status).toBe(403);
  });
});

describe("the same externalId with a different body is never silently a duplicate", () => {
  it("inside the duplicate window: 409 idempotency_conflict, nothing stored; the same body again is a duplicate", async () => {
    const sale = saleBody({ customer: { phone: "+48610000010" }, lines: [line("MEAL", 1_000)] });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, sale)).body.duplicate).toBe(false);
    const changed = { ...sale, lines: [line("MEAL", 2_000)], total: 2_000 };
    const conflict = await system.post("/v1/transactions", tenant.apiKeys.pos, changed);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      code: "idempotency_conflict",
      message: expect.stringContaining(sale.externalId),
    });
    const again = await system.post("/v1/transactions", tenant.apiKeys.pos, {
      ...sale,
      occurredAt: new Date(sale.occurredAt as string).toISOString(),
    });
    expect(again).toMatchObject({ status: 202, body: { duplicate: true } });
    expect(await settled(tenant.apiKeys.pos, sale.externalId)).toMatchObject({
      status: "processed",
      pointsAwarded: 10,
      conflicts: 0,
    });
  });

  it("after the window: Postgres answers, the changed body 409 and the same body a duplicate; nothing is stored again", async () => {
    const sale = saleBody({ customer: { phone: "+48610000011" }, lines: [line("MEAL", 1_000)] });
    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    await settled(tenant.apiKeys.pos, sale.externalId);
    await new Promise((r) => setTimeout(r, dedupeWindowSec * 1_000 + 500)); // JetStream forgets the message id
    const changed = { ...sale, lines: [line("MEAL", 5_000)], total: 5_000 };
    expect(await system.post("/v1/transactions", tenant.apiKeys.pos, changed)).toMatchObject({
      status: 409,
      body: { code: "idempotency_conflict", message: expect.stringContaining(sale.externalId) },
    });
    expect(await system.post("/v1/transactions", tenant.apiKeys.pos, sale)).toMatchObject({
      status: 202,
      body: { duplicate: true },
    });
    await eventually("the ledger idle", async () => ((await ledgerBacklog(system.bus, db)) === 0 ? true : undefined));
    expect(await status(tenant.apiKeys.pos, sale.externalId)).toMatchObject({
      body: { status: "processed", pointsAwarded: 10, balance: { points: 10 }, conflicts: 0 },
    });
    const customer = await system.client(tenant.apiKeys.admin).customers.get.query({ phone: "+48610000011" });
    expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, customerId: customer.id } })).toBe(1);
  });
});

describe("a refund waiting for its sale reads as waiting, whatever is posted under its externalId meanwhile", () => {
  it("accepted and waiting for its sale, a changed body after the window refused 409; then processed", async () => {
    const sale = saleBody({ customer: { phone: "+48610000020" }, lines: [line("MEAL", 1_000)] });
    const refund = saleBody({ type: "refund", refundOf: sale.externalId, lines: [line("MEAL", 1_000)] });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, refund)).status).toBe(202);
    // Run alone, this is the system's first transaction: on a busy machine its first batch can outlast the default.
    const waiting = await eventually(
      "the refund parked",
      async () => {
        const s = await status(tenant.apiKeys.pos, refund.externalId);
        return s.body.waitingForSale ? s.body : undefined;
      },
      30_000,
    );
    expect(waiting).toMatchObject({
      status: "accepted",
      waitingForSale: { refundOf: sale.externalId, until: expect.any(String) },
      conflicts: 0,
    });
    await new Promise((r) => setTimeout(r, dedupeWindowSec * 1_000 + 500)); // JetStream forgets the message id
    // The parked refund is what Postgres recorded under its externalId: a changed body is refused at the door.
    const changed = { ...refund, lines: [line("MEAL", 500)], total: 500 };
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, changed)).status).toBe(409);
    expect((await status(tenant.apiKeys.pos, refund.externalId)).body).toEqual(waiting);

    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    const done = await eventually("the refund applied", async () => {
      const s = await status(tenant.apiKeys.pos, refund.externalId);
      return s.body.status === "processed" ? s.body : undefined;
    });
    expect(done).toMatchObject({ type: "refund", pointsAwarded: -10, balance: { points: 0 }, conflicts: 0 });
  });
});

describe("a transaction dead-lettered by the consumer is recorded as rejected", () => {
  it("a message on the stream that breaks the contract reads rejected: contract_violation, with the reason", async () => {
    // What an older gateway, or a hand-made replay, could put on the stream: a body the contract refuses.
    const bad = {
      tenantId: tenant.tenantId,
      transactionId: "txn_hand_made",
      receivedAt: new Date().toISOString(),
      transaction: { ...saleBody(), total: "lots" },
    };
    const externalId = bad.transaction.externalId;
    await system.bus.js.publish(
      system.bus.topology.subjects.transaction(tenant.tenantId, "store-017", 0),
      JSON.stringify(bad),
    );
    const rejected = await settled(tenant.apiKeys.pos, externalId);
    expect(rejected).toMatchObject({
      status: "rejected",
      reason: { code: "contract_violation", message: expect.stringContaining("transaction.total") },
    });
  });
});
