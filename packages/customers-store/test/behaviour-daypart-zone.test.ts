import type { Db } from "@regulars/db";
import { daypartOfHour, localHour } from "@regulars/profiles";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordProcessedTransactions } from "../src/index.ts";
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

const NEW_YORK = "America/New_York";

describe("the daypart of a recorded sale", () => {
  it("is read in the location's zone where one is set, else the tenant's", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Daypart Zone");
    const tenantZone = (await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).timezone;
    await db.location.create({ data: { tenantId, id: "store-ny", timezone: NEW_YORK } });
    await db.location.create({ data: { tenantId, id: "store-named", name: "No zone of its own" } });
    const { id } = await tillCustomer(db, tenantId, now);
    // Yesterday 00:30 UTC: evening in New York, night in the tenant's Warsaw, in summer and winter alike.
    const at = new Date(now.getTime() - DAY);
    at.setUTCHours(0, 30, 0, 0);
    const sale = (locationId: string) => ({
      ...processed(tenantId, id, now, { daysAgo: 1, total: 100, locationId }),
      occurredAt: at.toISOString(),
    });

    // One batch mixing zones: each sale is read on its own till's clock.
    await recordProcessedTransactions(db, [sale("store-ny"), sale("store-named"), sale("store-unlisted")]);

    const rows = await db.profileOrder.findMany({ where: { tenantId, customerId: id, occurredAt: at } });
    const daypartAt = Object.fromEntries(rows.map((r) => [r.locationId, r.daypart]));
    const inTenantZone = daypartOfHour(localHour(at, tenantZone));
    expect(daypartAt).toEqual({
      "store-ny": daypartOfHour(localHour(at, NEW_YORK)),
      "store-named": inTenantZone,
      "store-unlisted": inTenantZone,
    });
    expect(daypartAt["store-ny"]).not.toBe(inTenantZone);
  });
});
