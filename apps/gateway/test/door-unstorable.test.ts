import { randomBytes } from "node:crypto";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * What Postgres cannot hold is a 400 naming the field, never a 500 from the store: a push token past what its
 * unique index holds, a time in year 0000; and a property named `__proto__` is refused, not accepted and dropped.
 */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  tenant = await testTenant(db, "Door Unstorable");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await gateway.request(path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
};
let n = 0;
const register = (extra: Record<string, unknown> = {}) =>
  call("POST", "/v1/customers", tenant.apiKeys.app, {
    externalIdentity: { provider: "apple", subject: `door-unstorable.${++n}` },
    ...extra,
  });
const consent = [{ channel: "sms", purpose: "marketing", granted: true }];
const earliest = "must be 1900-01-01T00:00:00Z or later";

describe("the customer door", () => {
  it("refuses a push token longer than its unique index holds, and keeps one of 2048 random characters", async () => {
    const id = (await register()).body.customer.id as string;
    const token = randomBytes(3072).toString("base64"); // random: Postgres cannot compress it into the index
    const save = (deviceId: string, t: string) =>
      call("POST", `/v1/customers/${id}/push-tokens`, tenant.apiKeys.app, { deviceId, platform: "android", token: t });

    expect(await save("long", token.slice(0, 3000))).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "token", message: "must be at most 2048 characters" }] },
    });
    expect(await save("longest", token.slice(0, 2048))).toMatchObject({ status: 200, body: { deviceId: "longest" } });
    const devices = (await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app)).body.pushDevices;
    expect(devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(["longest"]);
  });

  it("refuses a consent time in year 0000 naming the field, and records nothing", async () => {
    const id = (await register()).body.customer.id as string;
    const set = await call("PUT", `/v1/customers/${id}/consents`, tenant.apiKeys.app, {
      consents: consent,
      occurredAt: "0000-01-01T00:00:00Z",
    });
    expect(set).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "occurredAt", message: earliest }] },
    });
    expect((await call("GET", `/v1/customers/${id}`, tenant.apiKeys.app)).body.consents).toEqual([]);

    expect(await register({ consents: consent, consentedAt: "0000-06-01T00:00:00Z" })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", issues: [{ path: "consentedAt", message: earliest }] },
    });
  });
});

describe("the events door", () => {
  it("refuses a property named __proto__ at its path, rather than accepting the event without it", async () => {
    const occurredAt = new Date(now.getTime() - 60_000).toISOString();
    // Raw JSON: an object literal with `__proto__` would set the prototype, not send the key.
    const properties = '{"__proto__":{"screen":"home"},"a":1}';
    const body = `{"eventId":"e-proto","type":"app_open","occurredAt":"${occurredAt}","properties":${properties}}`;

    expect(await call("POST", "/v1/events", tenant.apiKeys.pos, body)).toMatchObject({
      status: 400,
      body: {
        code: "invalid_request",
        issues: [{ path: "properties.__proto__", message: "key must not be __proto__" }],
      },
    });
    expect((await call("GET", "/v1/events/e-proto", tenant.apiKeys.pos)).status).toBe(404);
  });
});
