import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, customerBalances } from "../src/index.ts";
import { base, eventMessage, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const sale = (tenantId: string, phone: string) =>
  txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1000)] });

/** A tenant whose rules for its "regulars" segment pay on sales and on feedback; two customers, one a member. */
async function regularsTenant() {
  const segmentId = newId("segment");
  const programme = {
    rules: [
      base,
      { id: "regulars-bonus", type: "per_visit", points: 100, segments: [segmentId] },
      { id: "regulars-feedback", type: "action", event: "feedback_submitted", points: 50, segments: [segmentId] },
    ],
  };
  const tenantId = await tenantWithProgramme(db, programme, "Segment Grill");
  await db.segment.create({
    data: {
      id: segmentId,
      tenantId,
      name: "Regulars",
      kind: "sql",
      rawSql: "SELECT 1",
      createdBy: "test",
      refreshedVersion: 1,
    },
  });
  const phones = { member: "+48720000301", other: "+48720000302" };
  // Their first sales make them customers; nobody is a member yet, so only the base rate pays.
  await applyTransactionBatch(ledgerDeps(db), [sale(tenantId, phones.member), sale(tenantId, phones.other)]);
  const idOf = async (phone: string) => (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  const ids = { member: await idOf(phones.member), other: await idOf(phones.other) };
  const points = async (id: string) => (await customerBalances(db, tenantId, id)).points;
  expect([await points(ids.member), await points(ids.other)]).toEqual([10, 10]);
  await db.segmentMember.create({
    data: { segmentId, customerId: ids.member, tenantId, enteredAt: new Date() },
  });
  return { tenantId, segmentId, phones, ids, points };
}

describe("rules filtered on a segment", () => {
  it("a sale by a current member earns the segment's rule, one by a non-member in the same batch does not", async () => {
    const { tenantId, phones, ids, points } = await regularsTenant();

    await applyTransactionBatch(ledgerDeps(db), [sale(tenantId, phones.member), sale(tenantId, phones.other)]);

    expect(await points(ids.member)).toBe(10 + 10 + 100);
    expect(await points(ids.other)).toBe(10 + 10);
  });

  it("a paused segment's rule pays its frozen members nothing", async () => {
    const { tenantId, segmentId, phones, ids, points } = await regularsTenant();
    await db.segment.update({ where: { id: segmentId }, data: { status: "paused" } });

    await applyTransactionBatch(ledgerDeps(db), [sale(tenantId, phones.member)]);

    expect(await points(ids.member)).toBe(10 + 10);
  });

  it("members of an older definition earn nothing until the segment is refreshed from the new one", async () => {
    const { tenantId, segmentId, phones, ids } = await regularsTenant();
    await db.segment.update({ where: { id: segmentId }, data: { version: 2 } });

    await applyEventBatch(db, new ProgrammeCache(db, 0), [eventMessage(tenantId, "feedback_submitted", phones.member)]);

    expect(await db.ledgerMovement.count({ where: { tenantId, customerId: ids.member, kind: "bonus" } })).toBe(0);
  });

  it("a customer merged into another passes their memberships on until a refresh moves them", async () => {
    const { tenantId, phones, ids, points } = await regularsTenant();
    // customers-store's mergeCustomer records this; the memberships stay under the merged id until the next refresh.
    await db.$executeRaw`
      INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${ids.member}, ${tenantId}, ${ids.other})`;

    await applyTransactionBatch(ledgerDeps(db), [sale(tenantId, phones.other)]);

    expect(await points(ids.other)).toBe(10 + 10 + 100);
  });

  it("an action event pays a segment's rule to a member only", async () => {
    const { tenantId, phones, ids } = await regularsTenant();

    await applyEventBatch(db, new ProgrammeCache(db, 0), [
      eventMessage(tenantId, "feedback_submitted", phones.member),
      eventMessage(tenantId, "feedback_submitted", phones.other),
    ]);

    const bonuses = async (customerId: string) =>
      (await db.ledgerMovement.findMany({ where: { tenantId, customerId, kind: "bonus" } })).map((m) =>
        Number(m.amount),
      );
    expect(await bonuses(ids.member)).toEqual([50]);
    expect(await bonuses(ids.other)).toEqual([]);
  });
});
