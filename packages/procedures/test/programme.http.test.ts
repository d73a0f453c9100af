import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/root.ts";
import { tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Through the real tRPC HTTP handler, so the error formatter shapes the response as a client sees it. */
async function post(
  credential: Awaited<ReturnType<typeof tenantCallers>>["adminCredential"],
  path: string,
  input: unknown,
) {
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    router: appRouter,
    req: new Request(`http://regulars.test/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    }),
    createContext: () => ({ db, credential, requestId: "req_http" }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { message: string; data: Record<string, unknown> } },
  };
}

describe("programme errors over HTTP", () => {
  it("shows input and whole-programme issues with dotted paths and the request id", async () => {
    const t = await tenantCallers(db);
    const badFactor = await post(t.adminCredential, "programme.rules.upsert", {
      rule: { id: "x2", type: "multiplier", factor: 500 },
    });
    expect(badFactor.status).toBe(400);
    expect(badFactor.body.error?.data).toMatchObject({
      code: "BAD_REQUEST",
      requestId: "req_http",
      error: { code: "invalid_request", issues: [expect.objectContaining({ path: "rule.factor" })] },
    });

    const unknownTier = await post(t.adminCredential, "programme.rules.upsert", {
      rule: { id: "gold", type: "per_visit", points: 3, tiers: ["gold"] },
    });
    expect(unknownTier.status).toBe(400);
    expect(unknownTier.body.error?.data).toMatchObject({
      error: { issues: [{ path: "rules.1.tiers.0", message: "the programme has no tier 'gold'" }] },
    });

    const past = await post(t.adminCredential, "programme.pendingDays.set", {
      days: 2,
      effectiveFrom: "2020-01-01T00:00:00Z",
    });
    expect(past.body.error?.data).toMatchObject({
      httpStatus: 400,
      error: { issues: [expect.objectContaining({ path: "effectiveFrom" })] },
    });
  });
});
