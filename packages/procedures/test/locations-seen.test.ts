import { type AnalystSqlTarget, createAnalytics, type TransactionFact } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { startTcpProxy, testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure } from "./helpers.ts";

// locations.list over real Postgres and chdb: the locations an admin configured merged with those the tenant's
// tills sold at, and the configured ones alone (never an error) when ClickHouse cannot be read.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let mine: Awaited<ReturnType<typeof testTenant>>;
let theirs: Awaited<ReturnType<typeof testTenant>>;

const HOUR = 3_600_000;
const now = Date.now();
const ago = (hours: number) => new Date(now - hours * HOUR).toISOString();
let n = 0;
const sale = (tenantId: string, locationId: string, occurredAt: string): TransactionFact => ({
  tenantId,
  transactionId: `tx_seen_${++n}`,
  externalId: `pos_${n}`,
  type: "sale",
  refundOf: null,
  occurredAt,
  locationId,
  channel: "pos",
  customerId: null,
  currency: "EUR",
  total: 1000,
  discountTotal: 0,
  points: 0,
  lines: [],
});

const callerFor = async (key: string, target: AnalystSqlTarget | null) => {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, credential, requestId: "req_test", analytics: target });
};

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  mine = await testTenant(db, "Seen Grill", "Europe/Warsaw");
  theirs = await testTenant(db, "Seen Diner", "America/Chicago");
  await analytics.insertTransactions([
    sale(mine.tenantId, "store-A", ago(30)),
    sale(mine.tenantId, "store-A", ago(2)),
    sale(mine.tenantId, "store-B", ago(5)),
    sale(theirs.tenantId, "store-A", ago(1)),
    sale(theirs.tenantId, "store-Z", ago(1)),
  ]);
  const admin = await callerFor(mine.apiKeys.admin, analytics);
  await admin.locations.set({ id: "store-C", name: "Chicago", timezone: "America/New_York" });
  const other = await callerFor(theirs.apiKeys.admin, analytics);
  await other.locations.set({ id: "store-Y", name: null, timezone: null });
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

describe("locations.list with the tills' sales", () => {
  it("lists configured and seen locations by id, with sales, latest sale and the zone in force", async () => {
    const admin = await callerFor(mine.apiKeys.admin, analytics);
    expect(await admin.locations.list()).toEqual({
      items: [
        {
          id: "store-A",
          name: null,
          timezone: null,
          zoneInForce: "Europe/Warsaw",
          configured: false,
          updatedAt: null,
          sales: 2,
          lastSaleAt: ago(2),
        },
        {
          id: "store-B",
          name: null,
          timezone: null,
          zoneInForce: "Europe/Warsaw",
          configured: false,
          updatedAt: null,
          sales: 1,
          lastSaleAt: ago(5),
        },
        {
          id: "store-C",
          name: "Chicago",
          timezone: "America/New_York",
          zoneInForce: "America/New_York",
          configured: true,
          updatedAt: expect.any(String),
          sales: 0,
          lastSaleAt: null,
        },
      ],
      seenDays: 365,
      seenUnavailable: false,
    });
  });

  it("never shows another tenant's locations, seen or configured", async () => {
    const other = await callerFor(theirs.apiKeys.admin, analytics);
    const list = await other.locations.list();
    expect(list.items.map((l) => [l.id, l.sales, l.zoneInForce])).toEqual([
      ["store-A", 1, "America/Chicago"],
      ["store-Y", 0, "America/Chicago"],
      ["store-Z", 1, "America/Chicago"],
    ]);
  });

  it("answers the configured locations, saying sales are unavailable, when ClickHouse cannot be read", async () => {
    const configuredOnly = [expect.objectContaining({ id: "store-C", configured: true, sales: 0, lastSaleAt: null })];
    const without = await callerFor(mine.apiKeys.admin, null);
    expect(await without.locations.list()).toEqual({ items: configuredOnly, seenDays: 365, seenUnavailable: true });
    // A ClickHouse server that is down: its port refuses connections.
    const port = await startTcpProxy({ host: "127.0.0.1", port: 9 });
    await port.refuse();
    const down = await createAnalytics({ kind: "http", url: `http://${port.address}`, database: "regulars" });
    try {
      const broken = await callerFor(mine.apiKeys.admin, down);
      expect(await broken.locations.list()).toEqual({ items: configuredOnly, seenDays: 365, seenUnavailable: true });
    } finally {
      await down.close();
      await port.close();
    }
  });

  it("keeps the list's roles: not for tills, kiosks or analysts", async () => {
    for (const key of [mine.apiKeys.pos, mine.apiKeys.kiosk, mine.apiKeys.analyst]) {
      const caller = await callerFor(key, analytics);
      expect((await failure(caller.locations.list())).code).toBe("FORBIDDEN");
    }
  });
});
