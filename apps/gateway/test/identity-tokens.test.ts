import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { redeemToken } from "@regulars/identity-tokens";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** `POST /v1/identity-tokens`: the app backend asks for a kiosk QR token; an in-process gateway over real services. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let other: CreatedTenant;
let gateway: TestGateway;
let customerId: string;
const now = new Date();
const appleSubject = "001234.identity.tokens.test";
const phone = "+48600555017";

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  [tenant, other] = await Promise.all([testTenant(db, "Token Door"), testTenant(db, "Token Door Other")]);
  customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId: tenant.tenantId, phone, createdVia: "app" } });
  await db.customerIdentity.createMany({
    data: [
      { tenantId: tenant.tenantId, kind: "ext:apple", value: appleSubject, customerId },
      { tenantId: tenant.tenantId, kind: "phone", value: phone, customerId },
    ],
  });
});
afterAll(() => stopGateway({ gateway, bus, db }));

const post = async (key: string | null, body: unknown, headers: Record<string, string> = {}) => {
  const res = await gateway.request("/v1/identity-tokens", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const apple = { externalIdentity: { provider: "apple", subject: appleSubject } };
const domainCode = (work: Promise<unknown>) =>
  work.then(
    () => "redeemed",
    (e) => (e instanceof DomainError ? e.code : Promise.reject(e)),
  );

describe("POST /v1/identity-tokens", () => {
  it("gives an app key a token for its signed-in customer, which identifies them once at a kiosk", async () => {
    const res = await post(tenant.apiKeys.app, { customer: apple });
    expect(res).toEqual({
      status: 201,
      body: {
        token: expect.any(String),
        expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + 60_000).toISOString(),
      },
    });
    expect(await domainCode(redeemToken(db, other.tenantId, res.body.token, { now }))).toBe("token_invalid");
    expect(await redeemToken(db, tenant.tenantId, res.body.token, { now })).toBe(customerId);
    expect(await domainCode(redeemToken(db, tenant.tenantId, res.body.token, { now }))).toBe("token_used");
  });

  it("names the customer by id or phone too, and takes a lifetime of up to 300 seconds", async () => {
    const byId = await post(tenant.apiKeys.admin, { customer: { id: customerId }, ttlSeconds: 300 });
    expect(byId.status).toBe(201);
    expect(Date.parse(byId.body.expiresAt) - Math.floor(now.getTime() / 1000) * 1000).toBe(300_000);
    const byPhone = await post(tenant.apiKeys.app, { customer: { phone } });
    expect(await redeemToken(db, tenant.tenantId, byPhone.body.token, { now })).toBe(customerId);
  });

  it("is for app and admin keys only", async () => {
    for (const role of ["pos", "kiosk", "analyst"] as const) {
      const res = await post(tenant.apiKeys[role], { customer: apple });
      expect(res).toEqual({
        status: 403,
        body: { code: "forbidden", message: expect.stringMatching(/app or admin key/), requestId: expect.any(String) },
      });
    }
    expect((await post(null, { customer: apple })).body.code).toBe("unauthorized");
  });

  it("answers 404 for an identity nobody has in the tenant, and enrols nobody", async () => {
    const tenants = { tenantId: { in: [tenant.tenantId, other.tenantId] } };
    const before = await db.customer.count({ where: tenants });
    for (const customer of [
      { phone: "+48600555999" },
      { externalIdentity: { provider: "apple", subject: "nobody" } },
      { id: newId("customer") },
    ]) {
      expect((await post(tenant.apiKeys.app, { customer })).body).toMatchObject({ code: "not_found" });
    }
    // Another tenant's key knows no customer of this one.
    expect((await post(other.apiKeys.app, { customer: { id: customerId } })).status).toBe(404);
    expect((await post(other.apiKeys.app, { customer: apple })).status).toBe(404);
    expect(await db.customer.count({ where: tenants })).toBe(before);
  });

  it("answers an erased customer's id as it answers an unknown one: 404, no token", async () => {
    const erasedId = newId("customer");
    // What erasure leaves (@regulars/privacy): the row, emptied and marked, for the ledger; no identities.
    await db.customer.create({
      data: { id: erasedId, tenantId: tenant.tenantId, createdVia: "app", erasedAt: new Date(now.getTime() - 1000) },
    });
    const unknown = await post(tenant.apiKeys.app, { customer: { id: newId("customer") } });
    expect(unknown).toMatchObject({ status: 404, body: { code: "not_found" } });
    const erased = await post(tenant.apiKeys.app, { customer: { id: erasedId } });
    expect({ ...erased, body: { ...erased.body, requestId: null } }).toEqual({
      ...unknown,
      body: { ...unknown.body, requestId: null },
    });
  });

  it("refuses a body it cannot act on with a 400 that names the field", async () => {
    const refused = async (body: unknown) => (await post(tenant.apiKeys.app, body)).body;
    expect(await refused({ customer: apple, ttlSeconds: 301 })).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "ttlSeconds", message: "must be at most 300" }],
    });
    expect(await refused({ customer: { ...apple, phone } })).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "customer", message: expect.stringMatching(/exactly one of/) }],
    });
    expect((await refused({ customer: apple, tenantId: other.tenantId })).code).toBe("invalid_request");
    expect((await refused({})).issues).toEqual([{ path: "customer", message: expect.any(String) }]);
    const form = await post(tenant.apiKeys.app, "customer=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(form).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } });
  });

  it("is in the OpenAPI document, and each of its examples gets a token as it stands", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const operation = doc.paths["/v1/identity-tokens"].post;
    expect(operation).toMatchObject({ operationId: "createIdentityToken", tags: ["Identity"] });
    expect(operation.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/IdentityTokenRequest",
    });
    expect(operation.responses["201"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/IdentityToken",
    });
    expect(operation.security).toEqual([{ apiKey: [] }]);
    for (const status of ["400", "401", "403", "404", "413", "415", "429", "500", "503"]) {
      expect(operation.responses[status].content["application/json"].schema, status).toEqual({
        $ref: "#/components/schemas/ErrorBody",
      });
    }
    const { IdentityTokenRequest, IdentityToken } = doc.components.schemas;
    expect(IdentityTokenRequest.properties.customer.$ref).toBe("#/components/schemas/CustomerRef");
    for (const schema of [IdentityTokenRequest, IdentityToken]) {
      expect(schema.description).toEqual(expect.any(String));
      for (const [name, field] of Object.entries(schema.properties as Record<string, { description?: string }>)) {
        expect(field.description?.length ?? 0, name).toBeGreaterThan(10);
      }
    }
    const examples = Object.values(operation.requestBody.content["application/json"].examples) as {
      value: { customer: { id?: string; externalIdentity?: { provider: string; subject: string } } };
    }[];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    // A tenant of its own whose customers are the ones the examples name.
    const readers = await testTenant(db, "Token Examples");
    for (const { value } of examples) {
      const id = value.customer.id ?? newId("customer");
      await db.customer.create({ data: { id, tenantId: readers.tenantId, createdVia: "app" } });
      const ext = value.customer.externalIdentity;
      if (ext) {
        await db.customerIdentity.create({
          data: { tenantId: readers.tenantId, kind: `ext:${ext.provider}`, value: ext.subject, customerId: id },
        });
      }
      const res = await post(readers.apiKeys.app, value);
      expect(res.status, JSON.stringify(value)).toBe(201);
      expect(await redeemToken(db, readers.tenantId, res.body.token, { now })).toBe(id);
    }
  });
});
