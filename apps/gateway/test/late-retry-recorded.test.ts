import { EventMessage, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyEventBatch, applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { baseRateProgramme, gatewayDeps, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A till whose 202 was lost retries later, when `occurredAt` has left the acceptance window. JetStream remembers the
 * id for its duplicate window only (an hour in production, a second here): past it, the retry of a stored sale or
 * event heard 400 occurred_at_out_of_range. What the ledger recorded answers then, compared by body.
 */
const day = 86_400_000;
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
let clock = Date.now();

beforeAll(async () => {
  db = testDb();
  bus = await testBus({ duplicateWindowMs: 1_000 });
  gateway = createGatewayApp(gatewayDeps(db, bus, { db, now: () => new Date(clock) }));
  tenant = await testTenant(db, "Late Retry Recorded");
  await baseRateProgramme(db, tenant.tenantId);
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const post = async (path: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const lastOn = async (stream: string) => {
  const { state } = await bus.jsm.streams.info(stream);
  return JSON.parse((await bus.jsm.streams.getMessage(stream, { seq: state.last_seq }))!.string());
};
/** Until JetStream has forgotten the message ids (its window is a second): no answer is timed, only waited for. */
const pastDuplicateWindow = () => new Promise((resolve) => setTimeout(resolve, 2_500));

it("answers a late retry of a processed sale duplicate, a changed body conflict, one not processed yet unavailable", async () => {
  // A minute inside the 35-day window when first posted, two minutes past it at the retry.
  const occurredAt = new Date(clock - 35 * day + 60_000).toISOString();
  const sale = saleBody({ externalId: "late-sale-1", occurredAt, customer: { phone: "+48710000201" } });
  expect(await post("/v1/transactions", sale)).toMatchObject({ status: 202, body: { duplicate: false } });
  const stored = TransactionMessage.parse(await lastOn(bus.topology.streams.transactions));
  const applied = await applyTransactionBatch(
    { db, programmes: new ProgrammeCache(db, 0), now: () => new Date(clock) },
    [stored],
  );
  expect(applied.outcomes.map((o) => o.kind)).toEqual(["done"]);
  // Accepted, and not yet read by the ledger: its body cannot be compared until it is.
  const pending = saleBody({ externalId: "late-sale-pending", occurredAt, customer: { phone: "+48710000203" } });
  expect(await post("/v1/transactions", pending)).toMatchObject({ status: 202 });
  await eventually(
    "the pending sale's receipt",
    async () =>
      (await db.transactionReceipt.count({ where: { tenantId: tenant.tenantId, externalId: "late-sale-pending" } })) ||
      undefined,
  );
  await pastDuplicateWindow();
  clock += 3 * 60_000;
  const messages = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
  const before = await messages();

  expect(await post("/v1/transactions", sale)).toMatchObject({
    status: 202,
    body: { externalId: "late-sale-1", duplicate: true },
  });
  expect(await post("/v1/transactions", { ...sale, customer: { phone: "+48710000299" } })).toMatchObject({
    status: 409,
    body: { code: "idempotency_conflict" },
  });
  expect(await post("/v1/transactions", pending)).toMatchObject({ status: 503, body: { code: "unavailable" } });
  expect(await post("/v1/transactions", { ...sale, externalId: "late-sale-never" })).toMatchObject({
    status: 400,
    body: { code: "occurred_at_out_of_range" },
  });
  expect(await messages()).toBe(before);
});

it("answers a late retry of a decided event duplicate, a changed body conflict", async () => {
  const occurredAt = new Date(clock - 35 * day + 60_000).toISOString();
  const event = { eventId: "late-event-1", type: "app_open", occurredAt, customer: { phone: "+48710000202" } };
  expect(await post("/v1/events", event)).toMatchObject({ status: 202, body: { duplicate: false } });
  const stored = EventMessage.parse(await lastOn(bus.topology.streams.events));
  await applyEventBatch(db, new ProgrammeCache(db, 0), [stored]);
  await pastDuplicateWindow();
  clock += 3 * 60_000;

  expect(await post("/v1/events", event)).toMatchObject({ status: 202, body: { duplicate: true } });
  expect(await post("/v1/events", { ...event, type: "feedback_submitted" })).toMatchObject({
    status: 409,
    body: { code: "idempotency_conflict" },
  });
  expect(await post("/v1/events", { ...event, eventId: "late-event-never" })).toMatchObject({
    status: 400,
    body: { code: "occurred_at_out_of_range" },
  });
});
