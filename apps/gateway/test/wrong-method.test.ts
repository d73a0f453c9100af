import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/**
 * A method a path does not take is a 405 naming the methods it does (RFC 9110 §15.5.6), in the one error body; only a
 * path no route serves is a 404. An in-process gateway over the test database and a bus of its own.
 */
let db: Db;
let bus: TestBus;
let gateway: TestGateway;
let tenant: CreatedTenant;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway());
  tenant = await testTenant(db, "Wrong Method Diner");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const call = (method: string, path: string, key?: string, headers: Record<string, string> = {}) =>
  gateway.request(path, { method, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

const refusal = (method: string, path: string, allow: string) => ({
  code: "method_not_allowed",
  message: `${path} does not take ${method}; it takes ${allow} (see /v1/openapi.json)`,
  requestId: expect.stringMatching(/^req_/),
});

describe("a path answered with another method than the one it takes", () => {
  it.each([
    ["GET", "/v1/transactions", "POST", "pos"],
    ["PUT", "/v1/checkout/holds/hold_01JD4Z8X9R3V7Q2M5N6P8T0W1Y", "DELETE", "pos"],
    ["GET", "/v1/checkout/quote", "POST", "kiosk"],
    ["POST", "/v1/transactions/T-1001", "GET, HEAD", "pos"],
    ["DELETE", "/v1/customers/cus_01JD4Z8X9R3V7Q2M5N6P8T0W1Y", "GET, HEAD, PATCH", "app"],
    ["PATCH", "/v1/openapi.json", "GET, HEAD", undefined],
  ] as const)("%s %s is a 405 with Allow: %s", async (method, path, allow, role) => {
    const res = await call(method, path, role && tenant.apiKeys[role]);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await res.json()).toEqual(refusal(method, path, allow));
  });

  it("HEAD on a path without GET is a 405 without a body; on a GET route it is answered as Hono does", async () => {
    const refused = await call("HEAD", "/v1/transactions", tenant.apiKeys.pos);
    expect(refused.status).toBe(405);
    expect(refused.headers.get("allow")).toBe("POST");
    expect(await refused.text()).toBe("");
    const document = await call("HEAD", "/v1/openapi.json");
    expect(document.status).toBe(200);
    expect(document.headers.get("allow")).toBeNull();
  });

  it("the key is still checked first: without one the answer is the 401 it was", async () => {
    const res = await call("GET", "/v1/transactions");
    expect(res.status).toBe(401);
    expect(res.headers.get("allow")).toBeNull();
  });
});

describe("what stays as it was", () => {
  it("a path no route serves is a 404 without Allow", async () => {
    for (const [method, path] of [
      ["GET", "/v1/nope"],
      ["POST", "/v1/checkout/holds/h-1/cancel"],
      ["DELETE", "/nowhere"],
    ] as const) {
      const res = await call(method, path, tenant.apiKeys.pos);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("allow"), `${method} ${path}`).toBeNull();
      expect(await res.json()).toEqual({
        code: "not_found",
        message: `no route ${method} ${path}; see /v1/openapi.json`,
        requestId: expect.stringMatching(/^req_/),
      });
    }
  });

  it("a route that answers 404 itself (an unknown transaction) keeps its 404, without Allow", async () => {
    const res = await call("GET", "/v1/transactions/NEVER-POSTED", tenant.apiKeys.pos);
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
    expect(await res.json()).toMatchObject({ code: "not_found" });
  });

  it("a browser's preflight is answered by CORS, not refused for its method", async () => {
    const res = await call("OPTIONS", "/v1/transactions", undefined, {
      origin: "https://kiosk.example.com",
      "access-control-request-method": "POST",
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });
});

describe("the OpenAPI document", () => {
  it("says what a wrong method is answered, and lists its code among the error codes", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as any;
    expect(doc.info.description).toContain("405 `method_not_allowed` and an `Allow` header");
    expect(doc.components.schemas.ErrorBody.properties.code.enum).toContain("method_not_allowed");
  });

  it("lists the 405 among the responses of every operation, with its Allow header", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as any;
    const operations = Object.values(doc.paths).flatMap((item: any) => Object.values(item)) as any[];
    expect(doc.paths["/v1/transactions"].post.responses["405"]).toEqual({
      $ref: "#/components/responses/MethodNotAllowed",
    });
    expect(operations.filter((o) => !o.responses?.["405"])).toEqual([]);
    const refusal = doc.components.responses.MethodNotAllowed;
    expect(refusal.headers.Allow).toBeDefined();
    expect(refusal.content["application/json"]).toMatchObject({
      schema: { $ref: "#/components/schemas/ErrorBody" },
      example: { code: "method_not_allowed" },
    });
  });
});
