import { StoredTransaction, TransactionInput, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { postedTransaction, saleBody, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseRateProgramme, startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A field the contract does not know is refused at the door, naming it: dropped, a till's misspelt `line_no` let its
 * refund take back another line's points. What the stream already holds is read as stored: a message another release
 * of the gateway stored with fields this one refuses still applies, and its retry is still a duplicate.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const now = new Date();
const at = new Date(now.getTime() - 60_000).toISOString();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  tenant = await testTenant(db, "Door Unknown Fields");
  await baseRateProgramme(db, tenant.tenantId);
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
const storedCount = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;
const line = (sku: string, unitPrice: number, extra: object = {}) => ({
  sku,
  name: sku,
  quantity: 1,
  unitPrice,
  tags: [] as string[],
  discount: 0,
  ...extra,
});
const sale = (externalId: string) =>
  saleBody({
    externalId,
    occurredAt: at,
    customer: { phone: "+48710000101" },
    lines: [line("BURGER", 2000), line("BURGER", 2000, { tags: ["new"] })],
  });
const refund = (externalId: string, refundOf: string, lines: ReturnType<typeof line>[]) =>
  saleBody({ externalId, type: "refund", refundOf, occurredAt: at, customer: { phone: "+48710000101" }, lines });

describe("unknown fields are refused with 400, naming where", () => {
  it("a refund line's misspelt lineNo: nothing is stored", async () => {
    expect((await post("/v1/transactions", sale("UF-S-1"))).status).toBe(202);
    const before = await storedCount();

    const answer = await post("/v1/transactions", refund("UF-R-1", "UF-S-1", [line("BURGER", 2000, { line_no: 1 })]));

    expect(answer).toMatchObject({
      status: 400,
      body: {
        code: "invalid_request",
        message: "the request body is invalid: lines.0",
        issues: [{ path: "lines.0", message: 'unknown field: "line_no"' }],
      },
    });
    expect(await storedCount()).toBe(before);
  });

  it("a field beside the transaction's or the event's own", async () => {
    expect(await post("/v1/transactions", { ...sale("UF-S-2"), holdID: "hold_x" })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "(body)", message: 'unknown field: "holdID"' }] },
    });
    const event = { eventId: "UF-E-1", type: "app_open", occurredAt: at, bogus: 1 };
    expect(await post("/v1/events", event)).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "(body)", message: 'unknown field: "bogus"' }] },
    });
  });

  it("in a batch: beside `transactions` refuses the call, in one transaction refuses that one alone", async () => {
    expect(await post("/v1/transactions/batch", { transactions: [sale("UF-S-3")], till: 7 })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "(body)", message: 'unknown field: "till"' }] },
    });
    const misspelt = refund("UF-R-4", "UF-S-4", [line("BURGER", 2000, { line_no: 1 })]);
    const answer = await post("/v1/transactions/batch", { transactions: [sale("UF-S-4"), misspelt] });
    expect(answer.status).toBe(202);
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual(["accepted", "invalid"]);
    expect(answer.body.results[1].error).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "lines.0", message: 'unknown field: "line_no"' }],
    });
  });

  it("the OpenAPI document says so of each body", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const { schemas } = doc.components;
    for (const name of ["TransactionInput", "TransactionLine", "BehaviouralEventInput", "TransactionBatchInput"])
      expect([name, schemas[name].additionalProperties]).toEqual([name, false]);
  });
});

describe("ids made only of dots are refused: GET /v1/transactions/%2E could never read them", () => {
  it.each([".", ".."])("%j as externalId, eventId or a batch item's externalId", async (id) => {
    const onlyDots = [{ path: "externalId", message: "must not be only dots" }];
    expect(await post("/v1/transactions", { ...sale("x"), externalId: id })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", message: "the request body is invalid: externalId", issues: onlyDots },
    });
    expect(await post("/v1/events", { eventId: id, type: "app_open", occurredAt: at })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "eventId", message: "must not be only dots" }] },
    });
    const batch = await post("/v1/transactions/batch", { transactions: [{ ...sale("x"), externalId: id }] });
    expect(batch.body.results[0]).toMatchObject({ status: "invalid", error: { issues: onlyDots } });
  });
});

describe("a message stored with fields this gateway refuses", () => {
  it("applies as the ledger reads it, and a retry of it is a duplicate", async () => {
    const posted = sale("UF-S-5");
    const { subject, payload, msgId } = postedTransaction(
      bus.topology,
      tenant.tenantId,
      TransactionInput.parse(posted),
    );
    const stored = {
      ...payload,
      partition: 3,
      transaction: {
        ...posted,
        bodyHash: "sha256:0",
        lines: (posted.lines as object[]).map((l) => ({ ...l, lineRef: "r1" })),
      },
    };
    const ack = await bus.js.publish(subject, JSON.stringify(stored), { msgID: msgId });

    const read = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq: ack.seq });
    const parsed = TransactionMessage.safeParse(JSON.parse(read!.string()));
    expect(parsed.error).toBeUndefined();
    const { outcomes } = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
      parsed.data!,
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
    const status = await gateway.request("/v1/transactions/UF-S-5", {
      headers: { authorization: `Bearer ${tenant.apiKeys.pos}` },
    });
    expect(await status.json()).toMatchObject({ status: "processed", pointsAwarded: 40 });

    expect(await post("/v1/transactions", posted)).toMatchObject({ status: 202, body: { duplicate: true } });
  });

  it("applies when stored under an id made only of dots, accepted before such ids were refused", async () => {
    // Built as the older gateway stored it: the stored form, which keeps the id, not the posted one, which refuses it.
    const transaction = StoredTransaction.parse(sale("."));
    const { payload } = postedTransaction(bus.topology, tenant.tenantId, transaction);
    const parsed = TransactionMessage.safeParse(JSON.parse(JSON.stringify(payload)));
    expect(parsed.error).toBeUndefined();
    const { outcomes } = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
      parsed.data!,
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
  });
});
