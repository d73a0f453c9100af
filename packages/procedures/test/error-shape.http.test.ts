import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/root.ts";
import { type ApiContext, publicProcedure, router } from "../src/trpc.ts";
import { tenantCallers } from "./helpers.ts";

/**
 * A tRPC error carries the gateway's error body in `data.error` ({ code, message, issues, requestId }),
 * next to what the tRPC client needs (the numeric top-level code, `data.code`, `data.httpStatus`).
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// A procedure whose failure is not a domain error: what a bug or a dropped database connection looks like.
const failing = router({
  broken: publicProcedure.query(() => Promise.reject(new Error("password=hunter2 at store.ts:12"))),
});

async function call(
  path: string,
  credential: ApiContext["credential"],
  input?: unknown,
  on: typeof appRouter | typeof failing = appRouter,
) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    router: on,
    req: new Request(`http://regulars.test/trpc/${path}${query}`),
    createContext: () => ({ db, credential, requestId: "req_shape" }),
  });
  return { status: res.status, error: ((await res.json()) as { error: any }).error };
}

describe("tRPC errors in the one error shape", () => {
  it("refused input: invalid_request, the fields with the shared messages, and a message that names them", async () => {
    const t = await tenantCallers(db, "Shape Grill");
    const res = await call("customers.ledger", t.adminCredential, { limit: "many" });
    expect(res.status).toBe(400);
    expect(res.error).toMatchObject({ code: -32600, message: "the input is invalid: customerId, limit" });
    expect(res.error.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      path: "customers.ledger",
      requestId: "req_shape",
    });
    expect(res.error.data.error).toEqual({
      code: "invalid_request",
      message: "the input is invalid: customerId, limit",
      issues: [
        // The code and bounds let the admin and kiosk word each refusal in the person's language.
        { path: "customerId", message: "required", code: "invalid_type", params: { expected: "string" } },
        {
          path: "limit",
          message: "must be a number, not a string",
          code: "invalid_type",
          params: { expected: "number" },
        },
      ],
      requestId: "req_shape",
    });
  });

  it("domain errors keep their code; tRPC's own refusals get the code of the shared table", async () => {
    const t = await tenantCallers(db, "Shape Grill");
    const missing = await call("customers.get", t.adminCredential, { phone: "+48600999111" });
    expect(missing.status).toBe(404);
    expect(missing.error.data.error).toMatchObject({ code: "not_found", requestId: "req_shape" });
    const anonymous = await call("tenants.me", null);
    expect(anonymous.error.data).toMatchObject({
      code: "UNAUTHORIZED",
      error: { code: "unauthorized", message: expect.stringMatching(/Bearer/) },
    });
    const forbidden = await call("customers.search", await findCredential(db, t.apiKeys.kiosk), { query: "ab" });
    expect(forbidden.status).toBe(403);
    expect(forbidden.error.data.error).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/kiosk key cannot/),
    });
  });

  it("an internal failure says nothing of its cause, only where to look", async () => {
    const res = await call("broken", null, undefined, failing);
    expect(res.status).toBe(500);
    expect(res.error.data.error).toEqual({
      code: "internal",
      message: expect.stringMatching(/request id/),
      requestId: "req_shape",
    });
    expect(JSON.stringify(res.error)).not.toMatch(/hunter2|store\.ts|\n\s+at /);
    expect(res.error.data.stack).toBeUndefined();
  });
});
