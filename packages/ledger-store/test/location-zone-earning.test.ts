import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A tenant in Warsaw with a till in New York: "double points on <weekday>" is read on the till's clock, so a sale made
// late on a New York evening, already the next day in Warsaw, earns by New York's weekday.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const TENANT_ZONE = "Europe/Warsaw";
const TILL_ZONE = "America/New_York";
const HOUR = 3_600_000;

const isoWeekday = (at: Date, timeZone: string): number =>
  ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(
    new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short" }).format(at),
  ) + 1;

/** The latest whole hour of the last 30 days at which New York and Warsaw are on different weekdays. */
function instantOfTwoWeekdays(): Date {
  for (let t = Math.floor(Date.now() / HOUR) * HOUR - HOUR; t > Date.now() - 30 * 24 * HOUR; t -= HOUR)
    if (isoWeekday(new Date(t), TILL_ZONE) !== isoWeekday(new Date(t), TENANT_ZONE)) return new Date(t);
  throw new Error("no hour of the last 30 days has two weekdays");
}

describe("a weekday multiplier at a till whose location has a time zone of its own", () => {
  it("doubles by the till's weekday there, and by the tenant's weekday at a till without one", async () => {
    const at = instantOfTwoWeekdays();
    const double = { id: "till-day", type: "multiplier", factor: 2, weekdays: [isoWeekday(at, TILL_ZONE)] };
    const tenantId = await tenantWithProgramme(db, { rules: [base, double] }, "Two Zone Grill");
    await db.$executeRaw`UPDATE tenants SET timezone = ${TENANT_ZONE} WHERE id = ${tenantId}`;
    await db.$executeRaw`
      INSERT INTO locations (tenant_id, id, name, timezone) VALUES (${tenantId}, 'ny-till', 'Manhattan', ${TILL_ZONE})`;
    const [there, here] = [newId("customer"), newId("customer")];
    await db.customer.createMany({ data: [there, here].map((id) => ({ id, tenantId, createdVia: "test" })) });
    const sale = (customerId: string, locationId: string) =>
      txMessage(
        tenantId,
        { customer: { id: customerId }, locationId, occurredAt: at.toISOString(), lines: [line("MEAL", 1000)] },
        new Date(at.getTime() + 60_000),
      );

    await applyTransactionBatch(ledgerDeps(db), [sale(there, "ny-till"), sale(here, "store-001")]);

    expect((await customerBalances(db, tenantId, there)).points).toBe(20);
    expect((await customerBalances(db, tenantId, here)).points).toBe(10);
  });
});
