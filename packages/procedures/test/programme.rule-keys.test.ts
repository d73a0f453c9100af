import type { Db } from "@regulars/db";
import { validateProgramme } from "@regulars/programme";
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

// A key a rule does not have would be dropped: a Tuesday multiplier with `weekday` would apply every day.
const misspeltTuesdays = { id: "tue-3x", type: "multiplier", factor: 3, stackable: true, weekday: [2] };

describe("rules as written refuse keys they do not have", () => {
  it("programme.rules.upsert names the unknown key, at the top of the rule and inside it, and stores nothing", async () => {
    const t = await tenantCallers(db);
    const before = await t.admin.programme.versions();

    const top = await failure(t.admin.programme.rules.upsert({ rule: misspeltTuesdays as never }));
    expect(top.code).toBe("BAD_REQUEST");
    expect(issuesOf(top)).toEqual([{ path: "rule", message: 'unknown field: "weekday"' }]);

    const drinks = { id: "drinks", type: "per_item", pointsPerItem: 2, match: { categories: ["drinks"], sku: ["X"] } };
    const nested = await failure(t.admin.programme.rules.upsert({ rule: drinks as never }));
    expect(issuesOf(nested)).toEqual([{ path: "rule.match", message: 'unknown field: "sku"' }]);

    expect(await t.admin.programme.versions()).toEqual(before);
  });

  it("a rule with only its own keys is stored as written", async () => {
    const t = await tenantCallers(db);
    const { weekday: _, ...tuesdays } = { ...misspeltTuesdays, weekdays: [2] };
    await t.admin.programme.rules.upsert({ rule: tuesdays as never });
    const { rules } = await t.admin.programme.rules.list({});
    expect(rules.find((r) => r.id === "tue-3x")).toMatchObject({ weekdays: [2], factor: 3 });
  });

  it("a whole programme (the CLI's import) names the rule and the key", () => {
    const document = { rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }, misspeltTuesdays] };
    expect(() => validateProgramme(document)).toThrow(/rules\.1: unknown field: "weekday"/);
  });

  it("a stored document with a key this version does not know still reads", async () => {
    const t = await tenantCallers(db);
    const stored = { rules: [{ ...misspeltTuesdays, weekdays: [2], retired: "a key an older version wrote" }] };
    const [newest] = await t.admin.programme.versions();
    await db.programmeVersion.create({
      data: {
        tenantId: t.tenantId,
        version: (newest?.version ?? 0) + 1,
        effectiveFrom: new Date(Date.now() - 60_000),
        config: stored,
        createdBy: "test",
      },
    });
    const { rules } = await t.admin.programme.rules.list({});
    expect(rules).toEqual([expect.objectContaining({ id: "tue-3x", weekdays: [2] })]);
    // And an edit on top of it writes the next version, without the key it did not know.
    const next = await t.admin.programme.rules.upsert({ rule: { id: "base", type: "per_visit", points: 1 } });
    const written = await db.programmeVersion.findFirstOrThrow({
      where: { tenantId: t.tenantId, version: next.version },
    });
    expect(JSON.stringify(written.config)).not.toContain("retired");
  });
});
