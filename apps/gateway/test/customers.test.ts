import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** `/v1/customers…`: the app backend registers customers and keeps their profile; an in-process gateway over real services. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let other: CreatedTenant;
let gateway: TestGateway;
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  [tenant, other] = await Promise.all([testTenant(db, "Customer Door"), testTenant(db, "Customer Door Other")]);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = async (
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await gateway.request(path, {
    method,
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
};
let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.gateway.${++n}` });
const register = (body: unknown, key = tenant.apiKeys.app) => call("POST", "/v1/customers", key, body);
const webSubscription = (endpoint: string) =>
  JSON.stringify({
    endpoint,
    expirationTime: null,
    keys: { p256dh: "BNcRdreALRFXTkOOUHK1", auth: "tBHItJI5svbpez7K" },
  });

describe("the customer routes", () => {
  it("register (201, then 200 the same customer), read, change the profile, consents and devices", async () => {
    const ext = apple();
    const created = await register({ externalIdentity: ext, name: "Ada", phone: "+48 604 000 001" });
    expect(created).toMatchObject({
      status: 201,
      body: { outcome: "created", customer: { name: "Ada", phone: "+48604000001", phoneVerified: false } },
    });
    const id = created.body.customer.id as string;
    expect(await register({ externalIdentity: ext })).toMatchObject({
      status: 200,
      body: { outcome: "existing", customer: { id } },
    });

    const patched = await call("PATCH", `/v1/customers/${id}`, tenant.apiKeys.app, { email: "ADA@example.com" });
    expect(patched).toMatchObject({
      status: 200,
      body: { changed: ["email"], customer: { email: "ada@example.com" } },
    });
    const consents = await call("PUT", `/v1/customers/${id}/consents`, tenant.apiKeys.app, {
      consents: [{ channel: "sms", purpose: "marketing", granted: true }],
      source: "app:settings",
    });
    expect(consents).toEqual({
      status: 200,
      body: {
        consents: [
          {
            channel: "sms",
            purpose: "marketing",
            granted: true,
            source: "app:settings",
            occurredAt: now.toISOString(),
          },
        ],
      },
    });
    const device = { deviceId: "pixel-7", platform: "android", token: "fcm-token-1" };
    expect(await call("POST", `/v1/customers/${id}/push-tokens`, tenant.apiKeys.app, device)).toEqual({
      status: 200,
      body: { deviceId: "pixel-7", platform: "android", updatedAt: now.toISOString() },
    });
    const read = await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app);
    expect(read).toMatchObject({
      status: 200,
      body: {
        id,
        email: "ada@example.com",
        externalIdentities: [ext],
        consents: [{ channel: "sms" }],
        pushDevices: [{ deviceId: "pixel-7" }],
      },
    });
    expect(await call("DELETE", `/v1/customers/${id}/push-tokens/pixel-7`, tenant.apiKeys.app)).toEqual({
      status: 204,
      body: null,
    });
    expect((await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app)).body.pushDevices).toEqual([]);
    const events = await db.outboxEvent.findMany({
      where: { tenantId: tenant.tenantId, payload: { path: ["customerId"], equals: id } },
    });
    expect(events.map((e) => e.type).sort()).toEqual(["consent.changed", "customer.created", "customer.updated"]);
  });

  it("is for app keys only", async () => {
    for (const role of ["pos", "kiosk", "analyst", "admin"] as const) {
      const res = await register({ externalIdentity: apple() }, tenant.apiKeys[role]);
      expect(res).toMatchObject({
        status: 403,
        body: { code: "forbidden", message: expect.stringMatching(/app key/) },
      });
      expect((await call("GET", "/v1/customers/cus_01jd4z8x9r3v7q2m5n6p8t0w1y", tenant.apiKeys[role])).status).toBe(
        403,
      );
    }
    expect((await register({ externalIdentity: apple() }, "")).body.code).toBe("unauthorized");
  });

  it("answers 404 for another tenant's customer, and changes nothing of it", async () => {
    const mine = (await register({ externalIdentity: apple(), name: "Mine" })).body.customer.id as string;
    const key = other.apiKeys.app;
    expect((await call("GET", `/v1/customers/${mine}`, key)).body).toMatchObject({ code: "not_found" });
    expect((await call("PATCH", `/v1/customers/${mine}`, key, { name: "Theirs" })).status).toBe(404);
    const consent = { consents: [{ channel: "push", purpose: "marketing", granted: true }] };
    expect((await call("PUT", `/v1/customers/${mine}/consents`, key, consent)).status).toBe(404);
    const device = { deviceId: "d", platform: "web", token: webSubscription("https://push.example/d") };
    expect((await call("POST", `/v1/customers/${mine}/push-tokens`, key, device)).status).toBe(404);
    expect((await call("DELETE", `/v1/customers/${mine}/push-tokens/d`, key)).status).toBe(404);
    expect(await db.customer.findUniqueOrThrow({ where: { id: mine } })).toMatchObject({ name: "Mine" });
    expect(await db.customerConsent.count({ where: { customerId: mine } })).toBe(0);
  });

  it("answers 404 for an erased customer, never an empty profile, and writes nothing back", async () => {
    const id = (await register({ externalIdentity: apple(), name: "Erased" })).body.customer.id as string;
    // The row as an erasure leaves it (packages/privacy): personal columns cleared, erased_at set, the row kept.
    await db.customerIdentity.deleteMany({ where: { customerId: id } });
    await db.customer.update({ where: { id }, data: { name: null, erasedAt: new Date(now.getTime() - 60_000) } });

    expect(await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app)).toMatchObject({
      status: 404,
      body: { code: "not_found", message: expect.stringContaining("erased") },
    });
    const patched = await call("PATCH", `/v1/customers/${id}`, tenant.apiKeys.app, { name: "Back Again" });
    expect(patched).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: null });
    const forgotten = await call("DELETE", `/v1/customers/${id}/push-tokens/pixel-7`, tenant.apiKeys.app);
    expect(forgotten).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("answers 409 on `phone`: another customer's number unproven, a phone-only account's new number unproven", async () => {
    const holder = await register({ externalIdentity: apple(), phone: "+48604111222", phoneVerified: true });
    expect(holder.status).toBe(201);
    expect(await register({ externalIdentity: apple(), phone: "+48 604 111 222" })).toMatchObject({
      status: 409,
      body: { code: "conflict", issues: [{ path: "phone", message: expect.stringMatching(/prove it/) }] },
    });

    const phoneOnly = await register({ phone: "+48604111223", phoneVerified: true });
    const id = phoneOnly.body.customer.id as string;
    expect(await call("PATCH", `/v1/customers/${id}`, tenant.apiKeys.app, { phone: "+48604111224" })).toMatchObject({
      status: 409,
      body: { code: "conflict", issues: [{ path: "phone", message: expect.stringMatching(/prove the new number/) }] },
    });
    expect(await register({ phone: "+48604111223", phoneVerified: true })).toMatchObject({
      status: 200,
      body: { outcome: "existing", customer: { id } },
    });
  });

  it("refuses what it cannot act on with a 400 that names the field", async () => {
    const refused = async (body: unknown) => (await register(body)).body;
    expect(await refused({ externalIdentity: apple(), phone: "+48 604 00" })).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "phone", message: expect.stringMatching(/not a valid number/) }],
    });
    expect(await refused({ phone: "+48604000009" })).toMatchObject({
      issues: [{ path: "externalIdentity", message: "give an externalIdentity, or a phone with phoneVerified: true" }],
    });
    expect((await refused({ externalIdentity: apple(), tenantId: other.tenantId })).code).toBe("invalid_request");
    expect((await call("GET", "/v1/customers/not-an-id", tenant.apiKeys.app)).body).toMatchObject({
      issues: [{ path: "customerId" }],
    });
    const form = await call("PATCH", "/v1/customers/cus_01jd4z8x9r3v7q2m5n6p8t0w1y", tenant.apiKeys.app, "name=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } });
  });

  it("refuses a browser subscription whose endpoint is not a public push service over https", async () => {
    const id = (await register({ externalIdentity: apple() })).body.customer.id as string;
    const save = (token: string) =>
      call("POST", `/v1/customers/${id}/push-tokens`, tenant.apiKeys.app, { deviceId: "b-1", platform: "web", token });
    for (const [endpoint, message] of [
      ["http://127.0.0.1:8080/admin", "endpoint must be an https URL"],
      ["https://169.254.169.254/latest/meta-data/", expect.stringMatching(/not an IP address/)],
      ["https://localhost:5432/", expect.stringMatching(/not this machine or a private network/)],
    ] as const)
      expect(await save(webSubscription(endpoint))).toMatchObject({
        status: 400,
        body: { code: "invalid_request", issues: [{ path: "token", message }] },
      });
    expect(await save('{"endpoint":"https://push.example/x"}')).toMatchObject({
      status: 400,
      body: { issues: [{ path: "token", message: expect.stringMatching(/PushSubscription/) }] },
    });
    expect((await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app)).body.pushDevices).toEqual([]);
    expect(await save(webSubscription("https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn"))).toMatchObject({
      status: 200,
      body: { deviceId: "b-1", platform: "web" },
    });
  });

  it("is in the OpenAPI document, every field described, and each request example works as it stands", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>)
      // The tills' enrolment (pos and kiosk keys) has its own test: customer-enrolments.test.ts.
      .filter(([path]) => path.startsWith("/v1/customers") && path !== "/v1/customers/enrolments")
      .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));
    expect(ops.map((o) => o.op.operationId).sort()).toEqual([
      "getCustomer",
      "registerCustomer",
      "removeCustomerPushToken",
      "saveCustomerPushToken",
      "setCustomerConsents",
      "updateCustomerProfile",
    ]);
    for (const { op } of ops) expect(op).toMatchObject({ tags: ["Customers"], security: [{ apiKey: [] }] });
    const schemas = doc.components.schemas as Record<string, any>;
    for (const name of [
      "RegisterCustomerRequest",
      "Registration",
      "CustomerProfile",
      "UpdateProfileRequest",
      "ProfileUpdate",
      "SetConsentsRequest",
      "ConsentsInForce",
      "PushTokenRequest",
      "PushDevice",
      "ConsentState",
    ]) {
      expect(schemas[name]?.description, name).toEqual(expect.any(String));
      for (const [field, schema] of Object.entries(schemas[name].properties as Record<string, any>)) {
        const described = schema.description ?? (schema.$ref && schemas[schema.$ref.split("/").pop()].description);
        expect(described?.length ?? 0, `${name}.${field}`).toBeGreaterThan(10);
      }
    }
    // A tenant of its own, so the example phone numbers name nobody the tills know.
    const readers = await testTenant(db, "Customer Examples");
    const examplesOf = (op: any) =>
      Object.entries(
        (op.requestBody?.content["application/json"].examples ?? {}) as Record<string, { value: unknown }>,
      );
    const registrations = examplesOf(ops.find((o) => o.op.operationId === "registerCustomer")!.op);
    expect(registrations.length).toBeGreaterThanOrEqual(3);
    let customerId = "";
    for (const [name, { value }] of registrations) {
      const res = await register(value, readers.apiKeys.app);
      expect({ name, status: res.status, body: res.body }).toMatchObject({ status: 201, body: { outcome: "created" } });
      customerId = res.body.customer.id;
    }
    for (const { method, path, op } of ops.filter((o) => o.op.operationId !== "registerCustomer")) {
      const url = path
        .replace("{customerId}", customerId)
        .replace("{deviceId}", "7D3C2F1A-0B4E-4C8D-9A6F-2E5B1C7D8E90");
      const examples = examplesOf(op);
      if (!op.requestBody) {
        expect((await call(method.toUpperCase(), url, readers.apiKeys.app)).status, op.operationId).toBeLessThan(300);
        continue;
      }
      expect(examples.length, op.operationId).toBeGreaterThan(0);
      for (const [name, { value }] of examples) {
        const res = await call(method.toUpperCase(), url, readers.apiKeys.app, value);
        expect({ example: `${op.operationId} ${name}`, status: res.status, body: res.body }).toMatchObject({
          status: 200,
        });
      }
    }
  });
});
