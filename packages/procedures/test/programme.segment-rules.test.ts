import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const segmentOf = async (tenantId: string, name: string) => {
  const id = newId("segment");
  await db.segment.create({ data: { id, tenantId, name, kind: "sql", rawSql: "SELECT 1", createdBy: "test" } });
  return id;
};
const bonusFor = (segments: string[]) => ({ id: "regulars", type: "per_visit" as const, points: 100, segments });
const basket = {
  channel: "kiosk" as const,
  locationId: "store-1",
  lines: [{ sku: "MEAL", name: "Meal", tags: [], quantity: 1, unitPrice: 1000 }],
};

describe("a rule's segment filter", () => {
  it("names only segments of the tenant: another tenant's or a made-up id is refused by its path", async () => {
    const t = await tenantCallers(db);
    const elsewhere = await tenantCallers(db, "Other Grill");
    const mine = await segmentOf(t.tenantId, "Regulars");
    const theirs = await segmentOf(elsewhere.tenantId, "Regulars");
    const before = await t.admin.programme.versions();

    const refused = await failure(t.admin.programme.rules.upsert({ rule: bonusFor([mine, theirs, "seg_nope"]) }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(issuesOf(refused)).toEqual([
      { path: "rules.1.segments.1", message: `the tenant has no segment '${theirs}'` },
      { path: "rules.1.segments.2", message: "the tenant has no segment 'seg_nope'" },
    ]);
    expect(await t.admin.programme.versions()).toEqual(before);

    await t.admin.programme.rules.upsert({ rule: bonusFor([mine]) });
    const { rules } = await t.admin.programme.rules.list({});
    expect(rules.find((r) => r.id === "regulars")?.segments).toEqual([mine]);
  });

  it("simulate pays the rule to a customer said to be a member, and not to one in no segment", async () => {
    const t = await tenantCallers(db);
    const regulars = await segmentOf(t.tenantId, "Regulars");
    await t.admin.programme.rules.upsert({ rule: bonusFor([regulars]) });

    const member = await t.admin.programme.simulate({ basket, customer: { segments: [regulars] } });
    const stranger = await t.admin.programme.simulate({ basket });
    expect([member.points, stranger.points]).toEqual([110, 10]);
  });
});
