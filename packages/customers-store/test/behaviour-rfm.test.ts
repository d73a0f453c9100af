import type { Db } from "@regulars/db";
import { quintileBoundaries } from "@regulars/profiles";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeRfmBoundaries,
  RFM_BOUNDARIES_MAX_AGE_MS,
  readBehaviourProfile,
  readRfmBoundaries,
  recordProcessedTransactions,
} from "../src/index.ts";
import { DAY, processed, tillCustomer } from "./behaviour-fixtures.ts";
import { loyaltyTenant } from "./fixtures.ts";

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** Customers whose histories differ in every measure: the i-th orders i times, i × 1000 each, last i × 3 days ago. */
async function customersWithHistories(tenantId: string, count: number) {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const { id } = await tillCustomer(db, tenantId, now);
    ids.push(id);
    const orders = Array.from({ length: i }, (_, k) =>
      processed(tenantId, id, now, { daysAgo: i * 3 + k, total: i * 1_000 }),
    );
    await recordProcessedTransactions(db, orders);
  }
  return ids;
}

/** What the pure functions say the boundaries are, from each customer's measures as the profile reads them. */
async function expectedBoundaries(tenantId: string, ids: string[], at: Date) {
  const measures = await Promise.all(ids.map(async (id) => (await readBehaviourProfile(db, tenantId, id, at)).rfm));
  const active = measures.filter((m) => m.frequency > 0);
  return {
    recency: quintileBoundaries(active.map((m) => m.recency!)),
    frequency: quintileBoundaries(active.map((m) => m.frequency)),
    monetary: quintileBoundaries(active.map((m) => m.monetary)),
  };
}

describe("the rfm-boundaries job", () => {
  it("computes the tenant's quintiles as the pure definition does, and scores profiles against them", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile RFM");
    const ids = await customersWithHistories(tenantId, 7);
    // Only a refund in the last year: outside the population.
    const { id: lapsed } = await tillCustomer(db, tenantId, now);
    await recordProcessedTransactions(db, [
      processed(tenantId, lapsed, now, { daysAgo: 500, total: 50_000 }),
      processed(tenantId, lapsed, now, { daysAgo: 10, total: 100, kind: "refund" }),
    ]);
    expect(await readRfmBoundaries(db, tenantId)).toBeNull();
    expect((await readBehaviourProfile(db, tenantId, ids[6]!, now)).rfm.scores).toBeNull();

    expect(await computeRfmBoundaries({ db, tenantId, now })).toEqual({ acted: 1, outbox: [] });
    const boundaries = await readRfmBoundaries(db, tenantId);
    expect(boundaries).toEqual(await expectedBoundaries(tenantId, [...ids, lapsed], now));
    expect(await db.profileRfmBoundaries.findUnique({ where: { tenantId } })).toMatchObject({ customers: 7 });

    const best = await readBehaviourProfile(db, tenantId, ids[6]!, now);
    expect(best.rfm).toMatchObject({ frequency: 7, monetary: 49_000, recency: 21, scores: { r: 1, f: 5, m: 5 } });
    const first = await readBehaviourProfile(db, tenantId, ids[0]!, now);
    expect(first.rfm).toMatchObject({ frequency: 1, monetary: 1_000, recency: 3, scores: { r: 5, f: 1, m: 1 } });
    const out = await readBehaviourProfile(db, tenantId, lapsed, now);
    expect(out.rfm).toEqual({ recency: 500, frequency: 0, monetary: -100, scores: null });
  });

  it("recomputes at most hourly, and removes boundaries once nobody ordered in a year", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile RFM Again");
    const ids = await customersWithHistories(tenantId, 3);
    await computeRfmBoundaries({ db, tenantId, now });
    const first = await readRfmBoundaries(db, tenantId);

    const more = await customersWithHistories(tenantId, 5);
    const soon = new Date(now.getTime() + RFM_BOUNDARIES_MAX_AGE_MS / 2);
    expect((await computeRfmBoundaries({ db, tenantId, now: soon })).acted).toBe(0);
    expect(await readRfmBoundaries(db, tenantId)).toEqual(first);

    const later = new Date(now.getTime() + RFM_BOUNDARIES_MAX_AGE_MS + 1);
    expect((await computeRfmBoundaries({ db, tenantId, now: later })).acted).toBe(1);
    expect(await readRfmBoundaries(db, tenantId)).toEqual(await expectedBoundaries(tenantId, [...ids, ...more], later));

    const yearOn = new Date(now.getTime() + 400 * DAY);
    expect((await computeRfmBoundaries({ db, tenantId, now: yearOn })).acted).toBe(1);
    expect(await readRfmBoundaries(db, tenantId)).toBeNull();
    expect((await readBehaviourProfile(db, tenantId, ids[0]!, yearOn)).rfm.scores).toBeNull();
  });

  it("never mixes tenants: another tenant's customers are not in the population", async () => {
    const a = await loyaltyTenant(db, "Profile RFM A");
    const b = await loyaltyTenant(db, "Profile RFM B");
    await customersWithHistories(a.tenantId, 4);
    const [onlyB] = await customersWithHistories(b.tenantId, 1);
    await computeRfmBoundaries({ db, tenantId: b.tenantId, now });
    expect(await db.profileRfmBoundaries.findUnique({ where: { tenantId: b.tenantId } })).toMatchObject({
      customers: 1,
    });
    expect(await readRfmBoundaries(db, b.tenantId)).toEqual({
      recency: [3, 3, 3, 3],
      frequency: [1, 1, 1, 1],
      monetary: [1_000, 1_000, 1_000, 1_000],
    });
    expect((await readBehaviourProfile(db, b.tenantId, onlyB!, now)).rfm.scores).toEqual({ r: 5, f: 1, m: 1 });
  });
});
