import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

/**
 * The API's plain HTTP routes (sign-in, code files, health) answer a method a path does not take with a 405 naming
 * the ones it does, in the one error body; only a path nothing serves is a 404. The API on a real port.
 */
let db: Db;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Wrong Method Grill");
  const app = createApiApp({
    db,
    credentials: new CredentialCache(db, 0),
    log: createLogger({ level: "silent" }),
    registry: new Registry(),
    readiness: {},
    corsOrigins: ["http://localhost:5173"],
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
});

const call = (method: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method, headers });

describe("a path answered with another method than the one it takes", () => {
  it.each([
    ["GET", "/auth/sign-in", "POST"],
    ["POST", "/auth/session", "GET, HEAD"],
    ["PUT", "/healthz", "GET, HEAD"],
  ])("%s %s is a 405 with Allow: %s", async (method, path, allow) => {
    const res = await call(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(await res.json()).toEqual({
      code: "method_not_allowed",
      message: `${path} does not take ${method}; it takes ${allow}`,
      requestId: expect.any(String),
    });
  });

  it("a code file's upload route refuses a download's method", async () => {
    const path = "/admin/coupon-campaigns/cmp_1/codes";
    const res = await call("GET", path, { authorization: `Bearer ${tenant.apiKeys.admin}` });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ code: "method_not_allowed", requestId: expect.stringMatching(/^req_/) });
  });
});

describe("what stays as it was", () => {
  it("a path nothing serves is a 404 without Allow", async () => {
    const res = await call("POST", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
    expect(await res.json()).toMatchObject({ code: "not_found", message: "nothing is served at POST /nothing-here" });
  });

  it("a browser's preflight for sign-in is answered by CORS, not refused for its method", async () => {
    const res = await call("OPTIONS", "/auth/sign-in", {
      origin: "http://localhost:5173",
      "access-control-request-method": "POST",
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });
});
