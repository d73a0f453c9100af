import { type Analytics, createAnalytics } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appRouter } from "../src/root.ts";
import { type ApiContext, publicProcedure, router } from "../src/trpc.ts";
import { tenantCallers } from "./helpers.ts";

// ClickHouse at a port where nothing listens: the dashboard's call is an outage to retry, not a fault of ours
// (Postgres's side, through the API app and its logs: apps/api/test/stores-unreachable.http.test.ts).

let db: Db;
let analytics: Analytics;
beforeAll(async () => {
  db = testDb();
  analytics = await createAnalytics({ kind: "http", url: "http://127.0.0.1:1", database: "regulars" });
});
afterAll(async () => {
  await analytics?.close();
  await db?.$disconnect();
});

it("ClickHouse refusing connections: the dashboard answers 503 unavailable, and the host is told once", async () => {
  const t = await tenantCallers(db, "Unreachable Grill");
  const told: { procedure: string; store: string }[] = [];
  const day = new Date().toISOString().slice(0, 10);
  const input = encodeURIComponent(JSON.stringify({ from: day, to: day }));
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    router: appRouter,
    req: new Request(`http://regulars.test/trpc/analytics.dashboard.locations?input=${input}`),
    createContext: (): ApiContext => ({
      db,
      analytics,
      credential: t.adminCredential,
      requestId: "req_unreachable",
      onUnavailable: (procedure, store) => told.push({ procedure, store }),
    }),
  });
  expect(res.status).toBe(503);
  const body = (await res.json()) as { error: { data: { code: string; error: unknown } } };
  expect(body.error.data.code).toBe("SERVICE_UNAVAILABLE");
  expect(body.error.data.error).toEqual({
    code: "unavailable",
    message: "analytics cannot be reached, retry later",
    requestId: "req_unreachable",
  });
  expect(told).toEqual([{ procedure: "analytics.dashboard.locations", store: "clickhouse" }]);
});

it("a statement timeout is the procedure's own failure (500), not an outage: Postgres answered", async () => {
  const slow = router({
    slow: publicProcedure.query(({ ctx }) =>
      ctx.db.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
        await tx.$executeRaw`SELECT pg_sleep(1)`;
      }),
    ),
  });
  const told: string[] = [];
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    router: slow,
    req: new Request("http://regulars.test/trpc/slow"),
    createContext: (): ApiContext => ({
      db,
      analytics,
      credential: null,
      requestId: "req_slow",
      onUnavailable: (procedure) => told.push(procedure),
    }),
  });
  expect(res.status).toBe(500);
  expect(told).toEqual([]);
});
