import { TRPCClientError } from "@regulars/api-client";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

let system: TestSystem;
let db: Db;
let a: CreatedTenant;
let b: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({ MAX_BODY_BYTES: "4096" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  a = await testTenant(db, "Tenant A");
  b = await testTenant(db, "Tenant B");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const issuesOf = (body: { issues?: { path: string }[] }) => body.issues?.map((i) => i.path) ?? [];

describe("malformed transactions get a 400 that names the field", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "zero quantity",
      saleBody({ lines: [{ sku: "A", name: "A", quantity: 0, unitPrice: 100, discount: 0, tags: [] }], total: 0 }),
      "lines.0.quantity",
    ],
    [
      "fractional price",
      saleBody({ lines: [{ sku: "A", name: "A", quantity: 1, unitPrice: 1.5, discount: 0, tags: [] }], total: 1.5 }),
      "lines.0.unitPrice",
    ],
    ["total not matching lines", { ...saleBody(), total: 1 }, "total"],
    ["missing externalId", { ...saleBody(), externalId: undefined }, "externalId"],
    ["offset-less timestamp", saleBody({ occurredAt: "2026-11-26 12:31" }), "occurredAt"],
    ["unknown channel", saleBody({ channel: "fax" as never }), "channel"],
    ["two identities", saleBody({ customer: { phone: "+48600100200", cardNumber: "CARD-1" } }), "customer"],
    ["phone not E.164", saleBody({ customer: { phone: "600100200" } }), "customer.phone"],
    ["refund without refundOf", saleBody({ type: "refund" }), "refundOf"],
    ["location unsafe for subjects", saleBody({ locationId: "store 17.a" }), "locationId"],
    [
      "discount above the line",
      saleBody({ lines: [{ sku: "A", name: "A", quantity: 1, unitPrice: 100, discount: 200, tags: [] }], total: -100 }),
      "lines.0.discount",
    ],
    ["wrong currency for the tenant", saleBody({ currency: "USD" }), "currency"],
  ];
  it.each(cases)("%s", async (_name, body, path) => {
    const res = await system.post("/v1/transactions", a.apiKeys.pos, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", requestId: expect.stringMatching(/^req_/) });
    expect(issuesOf(res.body)).toContain(path);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  });

  it("rejects a body that is not JSON", async () => {
    const res = await system.post("/v1/transactions", a.apiKeys.pos, "{not json");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
  });

  it("rejects a body over the size limit with 413", async () => {
    const res = await system.post("/v1/transactions", a.apiKeys.pos, saleBody({ pad: "x".repeat(5_000) }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  it("keeps nothing of a rejected transaction", async () => {
    const body = { ...saleBody({ customer: { phone: "+48600999999" } }), total: 1 };
    expect((await system.post("/v1/transactions", a.apiKeys.pos, body)).status).toBe(400);
    expect(await db.transaction.count({ where: { tenantId: a.tenantId, externalId: body.externalId as string } })).toBe(
      0,
    );
  });
});

describe("credentials", () => {
  it("401 without a key and with an unknown key", async () => {
    expect((await system.post("/v1/transactions", null, saleBody())).status).toBe(401);
    const res = await system.post("/v1/transactions", "rk_pos_not-a-real-key", saleBody());
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthorized");
  });

  it("403 for a role that may not post transactions", async () => {
    const res = await system.post("/v1/transactions", a.apiKeys.analyst, saleBody());
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/analyst key cannot/);
  });

  it("tRPC refuses calls without a key and procedures outside the key's role", async () => {
    const anonymous = system.client("rk_admin_unknown");
    await expect(anonymous.tenants.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(system.client(a.apiKeys.kiosk).customers.search.query({ query: "+48" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    expect(await system.client(a.apiKeys.analyst).tenants.me.query()).toMatchObject({
      id: a.tenantId,
      role: "analyst",
      currency: "EUR",
    });
  });

  it("tRPC input errors name the field", async () => {
    const err = await system
      .client(a.apiKeys.admin)
      .customers.get.query({ phone: "12" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<any>).data).toMatchObject({
      code: "BAD_REQUEST",
      error: { code: "invalid_request", issues: [expect.objectContaining({ path: "phone" })] },
    });
  });
});

describe("tenant isolation", () => {
  it("one tenant's key sees nothing of another tenant", async () => {
    const sale = saleBody({ customer: { phone: "+48600123123" } });
    const posted = await system.post("/v1/transactions", a.apiKeys.pos, sale);
    const txA = await system.processed(a.apiKeys.admin, sale.externalId as string);
    const other = system.client(b.apiKeys.admin);
    await expect(other.customers.get.query({ phone: "+48600123123" })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(other.customers.get.query({ id: txA.customerId! })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(other.customers.ledger.query({ customerId: txA.customerId! })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(other.transactions.get.query({ id: posted.body.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(other.transactions.get.query({ externalId: sale.externalId as string })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    expect((await other.customers.search.query({ query: "+48600123" })).items).toEqual([]);
    expect((await system.client(a.apiKeys.admin).customers.search.query({ query: "+48600123" })).items).toHaveLength(1);
  });

  it("the same externalId in two tenants is two transactions, and a customer id from another tenant is refused", async () => {
    const sale = saleBody({ customer: { phone: "+48600555555" } });
    const inA = await system.post("/v1/transactions", a.apiKeys.pos, sale);
    const inB = await system.post("/v1/transactions", b.apiKeys.pos, sale);
    expect(inB.body.duplicate).toBe(false);
    expect(inB.body.id).not.toBe(inA.body.id);
    const txA = await system.processed(a.apiKeys.admin, sale.externalId as string);
    const txB = await system.processed(b.apiKeys.admin, sale.externalId as string);
    expect(txA.customerId).not.toBe(txB.customerId);

    // B's terminal naming A's customer by id gets no points onto A's account: the message is dead-lettered.
    const cross = saleBody({ customer: { id: txA.customerId! } });
    await system.post("/v1/transactions", b.apiKeys.pos, cross);
    const sequenceOfDeadLetter = await eventually("dead letter", async () => {
      const info = await system.bus.jsm.streams.info(system.bus.topology.streams.deadLetter).catch(() => null);
      return info && info.state.messages > 0 ? info.state.last_seq : undefined;
    });
    const dead = (await system.bus.jsm.streams.getMessage(system.bus.topology.streams.deadLetter, {
      seq: sequenceOfDeadLetter,
    }))!.json<{ reason: string }>();
    expect(dead.reason).toBe(`unknown_customer: unknown customer id ${txA.customerId}`);
    expect((await system.client(a.apiKeys.admin).customers.get.query({ id: txA.customerId! })).points.balance).toBe(14);
  });
});

describe("operability", () => {
  it("serves health, readiness with each dependency, metrics, the OpenAPI document and its docs page", async () => {
    const get = (path: string) => fetch(`${system.gatewayUrl}${path}`);
    expect((await get("/healthz")).status).toBe(200);
    expect(await (await get("/readyz")).json()).toEqual({
      status: "ready",
      checks: { nats: true, postgres: true, clickhouse: true },
    });
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("regulars_gateway_request_seconds");
    expect(metrics).toContain("regulars_messages_processed_total");
    const doc = (await (await get("/v1/openapi.json")).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/transactions", "/v1/events"]));
    expect(doc.paths["/v1/transactions"].post.responses).toHaveProperty("202");
    const docs = await get("/v1/docs");
    expect(await docs.text()).toContain("/v1/openapi.json");
    expect((await get("/v1/docs/assets/swagger-ui-bundle.js")).status).toBe(200);
    const missing = await get("/v1/nope");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).code).toBe("not_found");
  });
});
