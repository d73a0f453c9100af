import { createDb, type Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { listen } from "@regulars/runtime";
import { type CreatedTenant, CredentialCache } from "@regulars/tenancy";
import { startTcpProxy, type TcpProxy, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiApp } from "../src/app.ts";

// The API reaches Postgres through a TCP proxy that refuses connections on demand: what the admin sees during an
// outage, and what the logs say about it (ClickHouse's side: packages/procedures/test/stores-unreachable.test.ts).

let db: Db;
let apiDb: Db;
let proxy: TcpProxy;
let server: Awaited<ReturnType<typeof listen>>;
let tenant: CreatedTenant;
const lines: { level: number; msg: string; err?: unknown; reason?: string; procedure?: string }[] = [];

beforeAll(async () => {
  db = testDb();
  tenant = await testTenant(db, "Outage Bistro");
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  apiDb = createDb({ url: proxy.url(testDatabaseUrl()), poolSize: 2 });
  const app = createApiApp({
    db: apiDb,
    // The key stays known while Postgres is away, so the call gets as far as its procedure.
    credentials: new CredentialCache(apiDb, 600_000),
    log: createLogger({
      level: "warn",
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    }),
    registry: new Registry(),
    readiness: {},
  });
  server = await listen(app.fetch, "127.0.0.1", 0);
});
afterAll(async () => {
  await server?.close();
  await proxy?.restore();
  await apiDb?.$disconnect();
  await db?.$disconnect();
  await proxy?.close();
});

const call = async (path: string, input: unknown) => {
  const res = await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${tenant.apiKeys.admin}` },
  });
  return { status: res.status, error: ((await res.json()) as { error: { data: { error: unknown } } }).error };
};

describe("Postgres out of reach is 503 unavailable, logged once as a warning", () => {
  it("Postgres refusing connections: a transaction lookup answers unavailable, as the gateway does", async () => {
    expect((await call("transactions.get", { externalId: "never-sold" })).status).toBe(404);
    await proxy.refuse();
    lines.length = 0;
    const res = await call("transactions.get", { externalId: "never-sold" });
    expect(res.status).toBe(503);
    expect(res.error.data.error).toMatchObject({
      code: "unavailable",
      message: "the database cannot be reached, retry later",
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, procedure: "transactions.get", reason: expect.any(String) });
    expect(lines[0]!.err).toBeUndefined();
    expect(lines[0]!.reason).not.toMatch(/\n|\s{2}/);
  });
});
