import { EventMessage, TransactionMessage } from "@regulars/contracts";
import { type Db, prismaReader, type SqlReader } from "@regulars/db";
import { httpDefaults } from "@regulars/http-guards";
import type { CreatedTenant } from "@regulars/tenancy";
import { saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createGatewayApp } from "../src/app.ts";
import { gatewayDeps, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * Every posted transaction and event is looked up in Postgres before it is stored. Before that lookup a slow or hung
 * Postgres held up no till posting a plain sale; the lookup must not either: past its bound (`httpDefaults`,
 * `recordedLookupMs`) Postgres is taken as out of reach, and what nothing refuses is stored without it (JetStream's
 * dedupe and the ledger's idempotency keep it exact), while a refused one is answered 503.
 */
const day = 86_400_000;
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
/** While set, every read statement waits for it: Postgres hung. Opened after each test. */
let hung: { opened: Promise<void>; open: () => void } | null = null;
/** While set, the process is held this long after each read statement is sent: a busy machine, Postgres well. */
let heldAfterSending = 0;

beforeAll(async () => {
  db = testDb();
  bus = await testBus();
  const real = prismaReader(db);
  const reader: SqlReader = {
    async rows<T>(query: Parameters<SqlReader["rows"]>[0]) {
      if (hung) await hung.opened;
      const answer = real.rows<T>(query);
      const until = Date.now() + heldAfterSending;
      while (Date.now() < until) {}
      return answer;
    },
  };
  gateway = createGatewayApp(gatewayDeps(db, bus, { db, reader }));
  tenant = await testTenant(db, "Recorded Lookup Timeout");
});
afterEach(() => {
  hung?.open();
  hung = null;
  heldAfterSending = 0;
});
afterAll(async () => {
  await gateway?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const hangPostgres = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  hung = { opened, open };
};
const post = async (path: string, body: unknown) => {
  const res = await gateway.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.apiKeys.pos}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const lastStored = async (stream: string) => {
  const seq = (await bus.jsm.streams.info(stream)).state.last_seq;
  return { seq, message: seq ? (await bus.jsm.streams.getMessage(stream, { seq }))!.json() : null };
};

it("stores a plain sale while Postgres does not answer, and answers 503 for a sale it would refuse", async () => {
  const { transactions } = bus.topology.streams;
  hangPostgres();
  const sale = saleBody({ customer: { phone: "+48710004401" } });
  expect(await post("/v1/transactions", sale)).toMatchObject({
    status: 202,
    body: { externalId: sale.externalId, duplicate: false },
  });
  const stored = await lastStored(transactions);
  expect(TransactionMessage.parse(stored.message).transaction).toMatchObject({
    externalId: sale.externalId,
    total: sale.total,
  });

  // Outside the window: it may be a stored sale whose 202 was lost, which only Postgres could tell.
  const late = saleBody({ occurredAt: new Date(Date.now() - 40 * day).toISOString() });
  expect(await post("/v1/transactions", late)).toMatchObject({ status: 503, body: { code: "unavailable" } });
  expect((await lastStored(transactions)).seq).toBe(stored.seq);
});

it("stores a batch and an event while Postgres does not answer", async () => {
  const { transactions, events } = bus.topology.streams;
  hangPostgres();
  const sales = [saleBody({ customer: { phone: "+48710004402" } }), saleBody()];
  expect(await post("/v1/transactions/batch", { transactions: sales })).toMatchObject({
    status: 202,
    body: { accepted: 2 },
  });
  expect(TransactionMessage.parse((await lastStored(transactions)).message).transaction.externalId).toBe(
    sales[1]!.externalId,
  );

  const event = { eventId: `ev-hung-${Date.now()}`, type: "app_open", occurredAt: new Date().toISOString() };
  expect(await post("/v1/events", event)).toMatchObject({ status: 202, body: { duplicate: false } });
  expect(EventMessage.parse((await lastStored(events)).message).event.eventId).toBe(event.eventId);
});

it("counts only time the process could have read the answer: held past the bound, it still refuses with the reason", async () => {
  // Twice the bound, held right after the statement went out: the answer waits in the socket meanwhile.
  heldAfterSending = 2 * httpDefaults.recordedLookupMs;
  const late = saleBody({ occurredAt: new Date(Date.now() - 40 * day).toISOString() });
  expect(await post("/v1/transactions", late)).toMatchObject({
    status: 400,
    body: { code: "occurred_at_out_of_range" },
  });
  const event = { eventId: `ev-held-${Date.now()}`, type: "app_open", occurredAt: late.occurredAt };
  expect(await post("/v1/events", event)).toMatchObject({ status: 400, body: { code: "occurred_at_out_of_range" } });
});
