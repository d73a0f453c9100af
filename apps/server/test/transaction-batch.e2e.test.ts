import { connectBus } from "@regulars/bus";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { daysAgo, eventually, saleBody, testDatabaseUrl, testNatsUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

/**
 * `POST /v1/transactions/batch`: a till's offline backlog in one call, a result per transaction, the
 * same rules as posting them one by one, and the 202 only once every accepted transaction is stored.
 */
let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({ WORKERS: "ledger" }, ["gateway", "workers"]);
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Offline Tills");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

const batch = (transactions: unknown[], key = tenant.apiKeys.pos) =>
  system.post("/v1/transactions/batch", key, { transactions });

/** Transactions of this tenant on the stream right now: what the gateway has stored. */
async function storedOnStream(tenantId: string): Promise<number> {
  const bus = await connectBus({ url: testNatsUrl(), namespace: system.namespace });
  try {
    // Every subject with its count; the tenant is one token of a transaction's subject, wherever it stands.
    const info = await bus.jsm.streams.info(bus.topology.streams.transactions, { subjects_filter: ">" });
    return Object.entries(info.state.subjects ?? {})
      .filter(([subject]) => subject.split(".").includes(tenantId))
      .reduce((sum, [, n]) => sum + n, 0);
  } finally {
    await bus.close();
  }
}

const applied = (tenantId: string, externalIds: string[]) =>
  eventually(
    `${externalIds.length} transactions applied`,
    async () => {
      const rows = await db.transaction.findMany({
        where: { tenantId, externalId: { in: externalIds } },
        select: { externalId: true, total: true, pointsAwarded: true },
      });
      return rows.length === externalIds.length ? rows : undefined;
    },
    60_000,
  );

describe("POST /v1/transactions/batch", () => {
  it("answers each transaction on its own: accepted, duplicate, invalid with its fields, out of range, conflict", async () => {
    const postedBefore = saleBody({ customer: { phone: "+48620000001" } });
    const conflicting = saleBody();
    for (const body of [postedBefore, conflicting])
      expect((await system.post("/v1/transactions", tenant.apiKeys.pos, body)).status).toBe(202);
    const fresh = saleBody({ customer: { phone: "+48620000002" } });
    const offline = saleBody({ occurredAt: daysAgo(3), customer: { phone: "+48620000002" } });
    const sentTwice = saleBody();
    const badTotal = { ...saleBody(), total: 1 };

    const res = await batch([
      fresh,
      postedBefore,
      badTotal,
      { ...saleBody(), occurredAt: daysAgo(40) },
      { ...conflicting, total: 100, lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 100 }] },
      42,
      { ...saleBody(), currency: "USD" },
      offline,
      sentTwice,
      sentTwice,
    ]);

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 3, duplicates: 2, invalid: 5 });
    const results = res.body.results;
    expect(results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results[0]).toEqual({ index: 0, externalId: fresh.externalId, status: "accepted", id: expect.any(String) });
    expect(results[1]).toMatchObject({ externalId: postedBefore.externalId, status: "duplicate" });
    expect(results[2]).toMatchObject({
      externalId: badTotal.externalId,
      status: "invalid",
      error: {
        code: "invalid_request",
        message: expect.stringMatching(/total/),
        issues: [{ path: "total", message: expect.stringMatching(/must equal the lines after discounts/) }],
      },
    });
    expect(results[3]).toMatchObject({
      status: "invalid",
      error: { code: "occurred_at_out_of_range", issues: [{ path: "occurredAt" }] },
    });
    expect(results[4]).toMatchObject({
      externalId: conflicting.externalId,
      status: "invalid",
      error: { code: "idempotency_conflict", message: expect.stringMatching(/different body/) },
    });
    expect(results[5]).toMatchObject({ externalId: null, status: "invalid", error: { code: "invalid_request" } });
    expect(results[6]).toMatchObject({ status: "invalid", error: { issues: [{ path: "currency" }] } });
    expect(results[7]).toMatchObject({ externalId: offline.externalId, status: "accepted" });
    // The same transaction twice in one batch: stored once, the second answered as the retry it is.
    expect(results[8]).toMatchObject({ externalId: sentTwice.externalId, status: "accepted" });
    expect(results[9]).toMatchObject({ externalId: sentTwice.externalId, status: "duplicate", id: results[8].id });

    const rows = await applied(tenant.tenantId, [fresh.externalId, offline.externalId, sentTwice.externalId]);
    expect(rows.find((r) => r.externalId === fresh.externalId)!.pointsAwarded).toBeGreaterThan(0n);
    // Refused transactions were not stored: the ledger never sees them.
    const refused = [badTotal.externalId, results[3].externalId];
    expect(await db.transaction.count({ where: { tenantId: tenant.tenantId, externalId: { in: refused } } })).toBe(0);
    // The conflicting one did not replace the original.
    const original = await applied(tenant.tenantId, [conflicting.externalId]);
    expect(original[0]!.total).toBe(BigInt(conflicting.total as number));
  });

  it("stores 500 transactions before answering, and the ledger applies every one", { timeout: 120_000 }, async () => {
    const own = await testTenant(db, "Big Backlog");
    const transactions = Array.from({ length: 500 }, (_, i) =>
      saleBody({ externalId: `backlog-${i}`, customer: { phone: `+4863${String(1_000_000 + i)}` } }),
    );
    const res = await batch(transactions, own.apiKeys.pos);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 500, duplicates: 0, invalid: 0 });
    // Read right after the answer: every accepted transaction is already on the stream.
    expect(await storedOnStream(own.tenantId)).toBe(500);
    expect(new Set(res.body.results.map((r: { id: string }) => r.id)).size).toBe(500);
    await applied(
      own.tenantId,
      transactions.map((t) => t.externalId),
    );

    // Sent again after a lost answer: nothing new, every one a duplicate with the same id.
    const again = await batch(transactions, own.apiKeys.pos);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 500, invalid: 0 });
    expect(again.body.results[123].id).toBe(res.body.results[123].id);
    expect(await storedOnStream(own.tenantId)).toBe(500);
  });

  it("refuses 501 transactions, an empty batch and a body without transactions as a whole, storing nothing", async () => {
    const own = await testTenant(db, "Oversized Uploads");
    const tooMany = await batch(
      Array.from({ length: 501 }, () => saleBody()),
      own.apiKeys.pos,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "transactions", message: expect.stringMatching(/at most 500 transactions per batch/) }],
    });
    expect((await batch([], own.apiKeys.pos)).body.issues).toEqual([
      { path: "transactions", message: expect.stringMatching(/at least one/) },
    ]);
    const shapeless = await system.post("/v1/transactions/batch", own.apiKeys.pos, [saleBody()]);
    expect(shapeless.status).toBe(400);
    expect(shapeless.body.issues[0].path).toBe("(body)");
    const broken = await system.post("/v1/transactions/batch", own.apiKeys.pos, "{ not json");
    expect(broken.body).toMatchObject({ code: "invalid_request", issues: [{ path: "(body)" }] });
    expect(await storedOnStream(own.tenantId)).toBe(0);
  });

  it("takes POS and kiosk keys only, and JSON only", async () => {
    expect((await batch([saleBody()], "rk_pos_unknown")).status).toBe(401);
    expect((await batch([saleBody()], tenant.apiKeys.admin)).status).toBe(403);
    expect((await batch([saleBody({ channel: "kiosk" })], tenant.apiKeys.kiosk)).status).toBe(202);
    const form = await system.post("/v1/transactions/batch", tenant.apiKeys.pos, "transactions=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
  });
});
