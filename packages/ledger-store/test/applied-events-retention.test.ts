import type { Db } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, pruneAcceptanceRecords } from "../src/index.ts";
import { base, eventMessage, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const day = 24 * 60 * 60 * 1000;
// A first feedback pays 50 once, later ones 5: a forgotten outcome re-decides the retry as a later one, and pays.
const programme = {
  rules: [
    base,
    {
      id: "first",
      type: "action",
      event: "feedback_submitted",
      points: 50,
      limit: "once",
      priority: 10,
      stopProcessing: true,
    },
    { id: "feedback", type: "action", event: "feedback_submitted", points: 5, limit: "per_event" },
  ],
};

describe("the events' outcomes under a long occurredAt window", () => {
  it("a retry the gateway still accepts after the clean-up pays nothing again", async () => {
    const phone = "+48720009911";
    const tenant = await tenantWithProgramme(db, programme, "Long Window Burgers");
    await applyTransactionBatch(ledgerDeps(db), [txMessage(tenant, { customer: { phone }, lines: [line("X", 50)] })]);
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId: tenant, phone } })).id;
    const bonuses = async () =>
      (await db.ledgerMovement.findMany({ where: { tenantId: tenant, customerId, kind: "bonus" } })).map((m) =>
        Number(m.amount),
      );
    const feedback = eventMessage(tenant, "feedback_submitted", phone, "FB-LONG-1");
    await applyEventBatch(db, new ProgrammeCache(db, 0), [feedback]);
    expect(await bonuses()).toEqual([50]);

    // Decided 100 days ago; a gateway accepting a year back still takes a retry of it.
    await db.$executeRaw`UPDATE applied_events SET applied_at = now() - interval '100 days' WHERE tenant_id = ${tenant}`;
    await pruneAcceptanceRecords(db, new Date(), { tenantIds: [tenant], occurredAtMaxAgeDays: 365 });
    await applyEventBatch(db, new ProgrammeCache(db, 0), [feedback]);
    expect(await bonuses()).toEqual([50]);
  });

  it("keeps each outcome the window plus a margin, and prunes it after", async () => {
    const tenant = await tenantWithProgramme(db, programme, "Window Prune");
    const now = new Date(Date.now() + 500 * day); // the clock is injected: everything below is relative to it
    await db.appliedEvent.createMany({
      data: [
        { tenantId: tenant, eventId: "within", appliedAt: new Date(now.getTime() - 389 * day) },
        { tenantId: tenant, eventId: "past", appliedAt: new Date(now.getTime() - 391 * day) },
      ],
    });
    expect(await pruneAcceptanceRecords(db, now, { tenantIds: [tenant], occurredAtMaxAgeDays: 365 })).toBe(1);
    const left = await db.appliedEvent.findMany({ where: { tenantId: tenant }, select: { eventId: true } });
    expect(left.map((e) => e.eventId)).toEqual(["within"]);
  });
});
