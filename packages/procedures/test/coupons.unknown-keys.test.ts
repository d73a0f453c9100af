import type { Db } from "@regulars/db";
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

const fries = { kind: "percent_off" as const, percent: 50, match: { skus: ["FRIES"] } };
const generic = (code: string) => ({
  name: `Generic ${code}`,
  benefit: fries,
  codes: { kind: "generic" as const, code },
});

// A misspelt key, dropped, puts a coupon live without the limit or condition the admin typed.
describe("coupon campaigns as written refuse keys they do not have", () => {
  it("create names every unknown key at its depth and stores no campaign", async () => {
    const t = await tenantCallers(db, "Coupon Keys Grill");
    const misspelt = {
      ...generic("TYPO1"),
      benefit: { ...fries, match: { skus: ["FRIES"], tag: ["veg"] } },
      limits: { perCustomr: 1, totl: 5 },
      conditions: { minBaskett: 5000, hours: { from: "11:00", to: "15:00", zone: "Europe/Warsaw" } },
      stacking: { exlusive: true },
    };
    const refused = await failure(t.admin.coupons.create(misspelt as never));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(issuesOf(refused)).toEqual(
      expect.arrayContaining([
        { path: "limits", message: 'unknown fields: "perCustomr", "totl"' },
        { path: "conditions", message: 'unknown field: "minBaskett"' },
        { path: "conditions.hours", message: 'unknown field: "zone"' },
        { path: "benefit.match", message: 'unknown field: "tag"' },
        { path: "stacking", message: 'unknown field: "exlusive"' },
      ]),
    );
    const topLevel = await failure(t.admin.coupons.create({ ...generic("TYPO2"), issueOnRegistraton: true } as never));
    expect(issuesOf(topLevel)).toEqual([{ path: "(body)", message: 'unknown field: "issueOnRegistraton"' }]);
    expect((await t.admin.coupons.list({})).items).toEqual([]);
  });

  it("update refuses an unknown key in a part or beside the parts, and changes nothing", async () => {
    const t = await tenantCallers(db, "Coupon Keys Grill");
    const created = await t.admin.coupons.create({ ...generic("TYPO3"), limits: { total: 10 } });
    const inPart = await failure(t.admin.coupons.update({ id: created.id, patch: { limits: { totl: 5 } } as never }));
    expect(issuesOf(inPart)).toEqual([{ path: "patch.limits", message: 'unknown field: "totl"' }]);
    const beside = await failure(t.admin.coupons.update({ id: created.id, patch: { limit: { total: 5 } } as never }));
    expect(issuesOf(beside)).toEqual([{ path: "patch", message: 'unknown field: "limit"' }]);
    expect((await t.admin.coupons.get({ id: created.id })).config.limits).toEqual({ total: 10 });
  });

  it("a campaign with only its own keys is stored as written", async () => {
    const t = await tenantCallers(db, "Coupon Keys Grill");
    const created = await t.admin.coupons.create({
      ...generic("TYPO4"),
      limits: { perCustomer: 1, total: 5 },
      conditions: { minBasket: 5000 },
    });
    expect(created.config).toMatchObject({ limits: { perCustomer: 1, total: 5 }, conditions: { minBasket: 5000 } });
  });

  it("a stored config with keys this version does not know still reads, and an edit writes it without them", async () => {
    const t = await tenantCallers(db, "Coupon Keys Grill");
    const created = await t.admin.coupons.create({ ...generic("TYPO5"), limits: { total: 10 } });
    await db.$executeRaw`
      UPDATE coupon_campaigns
      SET config = config || '{"retired": "an older version wrote it", "limits": {"total": 10, "perWeek": 2}}'::jsonb
      WHERE id = ${created.id}`;
    expect((await t.admin.coupons.get({ id: created.id })).config.limits).toEqual({ total: 10 });
    const edited = await t.admin.coupons.update({ id: created.id, patch: { description: "Half-price fries" } });
    expect(edited.config.description).toBe("Half-price fries");
    const [row] = await db.$queryRaw<
      { config: unknown }[]
    >`SELECT config FROM coupon_campaigns WHERE id = ${created.id}`;
    expect(JSON.stringify(row?.config)).not.toMatch(/retired|perWeek/);
  });

  it("the campaign list, an infinite query, still takes the `direction` tRPC adds", async () => {
    const t = await tenantCallers(db, "Coupon Keys Grill");
    await t.admin.coupons.create(generic("TYPO6"));
    const page = await t.admin.coupons.list({ limit: 50, direction: "forward" } as never);
    expect(page.items).toHaveLength(1);
  });
});
