import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneAcceptanceRecords, recordReceipts, recordRejections, transactionStatus } from "../src/index.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const day = 24 * 60 * 60 * 1000;
const receipt = (tenantId: string, externalId: string, receivedAt: Date) => ({
  tenantId,
  externalId,
  transactionId: `txn_${externalId}`,
  receivedAt,
});

describe("transaction status", () => {
  it("accepted until decided; a rejection answers with its code and message; nothing known is null", async () => {
    const { tenantId } = await testTenant(db, "Status Store");
    await recordReceipts(db, [receipt(tenantId, "A-1", new Date())]);
    expect(await transactionStatus(db, tenantId, "A-1")).toMatchObject({ status: "accepted", id: "txn_A-1" });
    await recordRejections(db, [
      { tenantId, externalId: "A-1", bodyHash: "h", code: "unknown_customer", message: "unknown customer id cus_x" },
    ]);
    await recordRejections(db, [
      { tenantId, externalId: "A-1", bodyHash: "h", code: "processing_failed", message: "again" },
    ]); // the same body: kept once
    expect(await transactionStatus(db, tenantId, "A-1")).toMatchObject({
      status: "rejected",
      reason: { code: "unknown_customer", message: "unknown customer id cus_x" },
    });
    expect(await transactionStatus(db, tenantId, "NEVER")).toBeNull();
    const other = await testTenant(db, "Other Store");
    expect(await transactionStatus(db, other.tenantId, "A-1")).toBeNull();
  });
});

describe("pruneAcceptanceRecords", () => {
  it("drops receipts older than 35 days and event decisions older than 60, only for the tenants asked", async () => {
    const a = (await testTenant(db, "Prune A")).tenantId;
    const b = (await testTenant(db, "Prune B")).tenantId;
    const now = new Date(Date.now() + 400 * day); // the clock is injected: everything below is relative to it
    for (const t of [a, b]) {
      await recordReceipts(db, [
        receipt(t, "old", new Date(now.getTime() - 36 * day)),
        receipt(t, "recent", new Date(now.getTime() - 34 * day)),
      ]);
      await db.appliedEvent.createMany({
        data: [
          { tenantId: t, eventId: "old", appliedAt: new Date(now.getTime() - 61 * day) },
          { tenantId: t, eventId: "recent", appliedAt: new Date(now.getTime() - 59 * day) },
        ],
      });
    }
    expect(await pruneAcceptanceRecords(db, now, { tenantIds: [a] })).toBe(2);
    const left = async (t: string) =>
      [
        ...(await db.transactionReceipt.findMany({ where: { tenantId: t }, select: { externalId: true } })).map(
          (r) => `receipt:${r.externalId}`,
        ),
        ...(await db.appliedEvent.findMany({ where: { tenantId: t }, select: { eventId: true } })).map(
          (r) => `event:${r.eventId}`,
        ),
      ].sort();
    expect(await left(a)).toEqual(["event:recent", "receipt:recent"]);
    expect(await left(b)).toEqual(["event:old", "event:recent", "receipt:old", "receipt:recent"]);
  });
});
