import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayEnv } from "../src/context.ts";
import { validationHook } from "../src/errors.ts";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** A refusal says where the refused field was: a bad id in the path is not the body's. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let gateway: TestGateway;

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway());
  tenant = await testTenant(db, "Refusal Wording");
});
afterAll(() => stopGateway({ gateway, bus, db }));

const get = async (path: string) => {
  const res = await gateway.request(path, { headers: { authorization: `Bearer ${tenant.apiKeys.pos}` } });
  return { status: res.status, body: (await res.json()) as any };
};

describe("a refused path parameter is called one", () => {
  it.each([
    ["/v1/transactions", "externalId"],
    ["/v1/events", "eventId"],
  ])("%s/{%s} too long", async (route, name) => {
    expect(await get(`${route}/${"x".repeat(200)}`)).toMatchObject({
      status: 400,
      body: {
        code: "invalid_request",
        message: `the path parameter is invalid: ${name}`,
        issues: [{ path: name }],
      },
    });
  });
});

describe("the gateway's validation hook words each part of the request", () => {
  // No gateway route reads a query yet: a route of its own, behind the same hook, pins the wording for the first.
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: "get",
      path: "/things/{id}",
      request: {
        params: z.object({ id: z.string().regex(/^t_\d+$/) }),
        query: z.object({ limit: z.coerce.number().int().max(100), from: z.string().min(3) }),
      },
      responses: { 200: { description: "found" } },
    }),
    (c) => c.body(null, 200),
  );
  const answer = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as any };
  };

  it("names a query parameter, and several", async () => {
    expect((await answer("/things/t_1?limit=500&from=abc")).body.message).toBe("the query parameter is invalid: limit");
    expect((await answer("/things/t_1?limit=500&from=a")).body.message).toBe(
      "the query parameters are invalid: limit, from",
    );
  });

  it("names a path parameter before reading the query", async () => {
    expect(await answer("/things/nope?limit=1&from=abc")).toMatchObject({
      status: 400,
      body: { code: "invalid_request", message: "the path parameter is invalid: id", issues: [{ path: "id" }] },
    });
  });
});
