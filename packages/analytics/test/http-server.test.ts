import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type ClickHouseHttpServer, startClickHouseHttpServer, startTcpProxy, type TcpProxy } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Analytics,
  createAnalytics,
  isClickHouseServerStateError,
  isTransientClickHouseError,
} from "../src/index.ts";
import { eventFact, transactionFact } from "./fixtures.ts";

// The production path (@clickhouse/client over HTTP) against a real engine: the ClickHouse HTTP
// interface served over chdb, behind a TCP proxy that can make it unreachable.

let server: ClickHouseHttpServer;
let proxy: TcpProxy;
let analytics: Analytics;
const tenantId = `tn_http_${randomBytes(3).toString("hex")}`;

const caught = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (e) {
    return e;
  }
  throw new Error("expected this to fail");
};

beforeAll(async () => {
  server = await startClickHouseHttpServer();
  proxy = await startTcpProxy({ host: "127.0.0.1", port: server.port });
  analytics = await createAnalytics({
    kind: "http",
    url: proxy.url(server.url),
    database: `http_${randomBytes(4).toString("hex")}`,
  });
  await analytics.migrate();
}, 60_000);
afterAll(async () => {
  await analytics?.close();
  await proxy?.close();
  await server?.stop();
});

describe("over HTTP", () => {
  it("migrates, writes and reads facts with bound parameters, including quotes and backslashes", async () => {
    const customerId = "cus_o'brien\\x";
    const fact = transactionFact({ tenantId, customerId });
    await analytics.insertTransactions([fact]);
    await analytics.insertEvents([eventFact({ tenantId, customerId, type: "app_open" })]);

    expect(await analytics.ping()).toBe(true);
    expect(await analytics.countTransactions(tenantId, { customerId })).toBe(1);
    expect(await analytics.countEvents(tenantId, { customerId: "x' OR 1=1 --" })).toBe(0);
    expect(await analytics.countEvents(tenantId, { customerId, type: "app_open" })).toBe(1);
    expect(await analytics.getTransaction(tenantId, fact.transactionId)).toMatchObject({
      customerId,
      total: fact.total,
      lineCount: 2,
    });
    expect(await analytics.migrate()).toEqual({ applied: [] });
    expect(proxy.accepted).toBeGreaterThan(0);
  });
});

describe("isTransientClickHouseError", () => {
  it("recognises a refused and a reset connection, and a 503 from a proxy in front of ClickHouse", async () => {
    await proxy.refuse();
    const refused = await caught(analytics.insertEvents([eventFact({ tenantId })]));
    expect(await analytics.ping()).toBe(false);
    await proxy.restore();

    const slow = "SELECT sleepEachRow(0.5) FROM numbers(4)";
    setTimeout(() => proxy.cut(), 300);
    const reset = await caught(analytics.client.query({ query: slow }).then((r) => r.json()));

    const unavailable: Server = createServer((_, res) =>
      res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable\n"),
    );
    await new Promise<void>((r) => unavailable.listen(0, "127.0.0.1", r));
    const behindProxy = await createAnalytics({
      kind: "http",
      url: `http://127.0.0.1:${(unavailable.address() as { port: number }).port}`,
      database: "regulars",
    });
    const gateway503 = await caught(behindProxy.insertEvents([eventFact({ tenantId })]));
    await behindProxy.close();
    await new Promise((r) => unavailable.close(r));

    for (const [name, e] of Object.entries({ refused, reset, gateway503 }))
      expect(isTransientClickHouseError(e), `${name}: ${String(e)}`).toBe(true);
  });

  it("does not take the statement's own errors for an outage", async () => {
    const syntax = await caught(analytics.client.command({ query: "SELEC 1" }));
    const missingTable = await caught(
      analytics.client.query({ query: `SELECT * FROM ${analytics.database}.no_such_table` }),
    );
    const badRow = await caught(
      analytics.client.insert({
        table: `${analytics.database}.events`,
        values: [{ tenant_id: tenantId, id: "e", occurred_at: "not a time" }],
        format: "JSONEachRow",
      }),
    );
    for (const [name, e] of Object.entries({ syntax, missingTable, badRow, plain: new Error("boom") }))
      expect(isTransientClickHouseError(e), `${name}: ${String(e)}`).toBe(false);
  });
});

describe("isClickHouseServerStateError", () => {
  it("recognises a server that answers /ping but refuses inserts because of its state, by the error's type", async () => {
    // A ClickHouse whose Keeper is away, or whose merges are behind, or whose memory is used up: /ping says Ok.
    const refusals = {
      readOnly:
        "Code: 242. DB::Exception: Table is in readonly mode (replica path: /clickhouse/tables/01/events). (TABLE_IS_READ_ONLY) (version 24.8.4.13 (official build))",
      tooManyParts:
        "Code: 252. DB::Exception: Too many parts (3001 with average size of 12.00 KiB) in table 'regulars.events'. Merges are processing significantly slower than inserts. (TOO_MANY_PARTS) (version 24.8.4.13 (official build))",
      memoryTotal:
        "Code: 241. DB::Exception: Memory limit (total) exceeded: would use 7.45 GiB (attempt to allocate chunk of 4219456 bytes), maximum: 7.20 GiB. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))",
    };
    const caughtFrom: Record<string, unknown> = {};
    for (const [name, body] of Object.entries(refusals)) {
      const refusing: Server = createServer((req, res) => {
        if (req.url?.startsWith("/ping")) return res.writeHead(200).end("Ok.\n");
        req.resume();
        const code = /^Code: (\d+)/.exec(body)![1]!;
        res.writeHead(500, { "x-clickhouse-exception-code": code }).end(body);
      });
      await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
      const behind = await createAnalytics({
        kind: "http",
        url: `http://127.0.0.1:${(refusing.address() as { port: number }).port}`,
        database: "regulars",
      });
      expect(await behind.ping()).toBe(true);
      caughtFrom[name] = await caught(behind.insertEvents([eventFact({ tenantId })]));
      await behind.close();
      await new Promise((r) => refusing.close(r));
    }
    for (const [name, e] of Object.entries(caughtFrom)) {
      expect(isClickHouseServerStateError(e), `${name}: ${String(e)}`).toBe(true);
      expect(isTransientClickHouseError(e), `${name}: ${String(e)}`).toBe(true);
    }
  });

  it("leaves out what a statement can bring about itself: its own memory limit, its own errors", async () => {
    const queryMemory = await caught(
      analytics.client
        .query({ query: "SELECT groupArray(number) FROM numbers(10000000) SETTINGS max_memory_usage = 1000000" })
        .then((r) => r.json()),
    );
    const syntax = await caught(analytics.client.command({ query: "SELEC 1" }));
    const unavailable = new Error("503 Service Unavailable");
    for (const [name, e] of Object.entries({ queryMemory, syntax, unavailable, plain: new Error("boom") }))
      expect(isClickHouseServerStateError(e), `${name}: ${String(e)}`).toBe(false);
    expect((queryMemory as { type?: string }).type).toBe("MEMORY_LIMIT_EXCEEDED");
  });
});
