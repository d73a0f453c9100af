import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, HOUR, inMs, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
const tiers = {
  basis: "points_earned" as const,
  window: "calendar_year" as const,
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
    { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
  ],
};

const newCustomer = async (tenantId = t.tenantId) => {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
  return id;
};
const reason = "status match: gold at a partner chain";

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Floor Grill");
  await t.admin.programme.tiers.set({ tiers });
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("customers.setTierFloor", () => {
  it("raises the customer to the floor tier: every view shows it, with the floor, and the audit log has the reason", async () => {
    const customerId = await newCustomer();
    const until = inMs(30 * 24 * HOUR);
    expect(await t.admin.customers.setTierFloor({ customerId, tier: "gold", until, reason })).toEqual({
      tier: "gold",
      floor: { tier: "gold", until: new Date(until).toISOString() },
      raised: true,
    });

    expect(await t.admin.customers.get({ id: customerId })).toMatchObject({
      view: "admin",
      tier: { id: "gold", since: expect.any(String) },
      tierFloor: { tier: "gold", until: new Date(until).toISOString(), active: true },
    });
    expect(await t.kiosk.customers.get({ id: customerId })).toMatchObject({ view: "till", tier: { id: "gold" } });
    expect(await t.pos.customers.tier({ customerId })).toMatchObject({
      tier: { id: "gold" },
      next: null,
      floor: { tier: "gold", active: true },
    });

    const [entry] = (await t.admin.audit.list({ limit: 1 })).items;
    expect(entry).toMatchObject({
      action: "customers.setTierFloor",
      actor: t.adminKeyId,
      target: customerId,
      details: { tier: "gold", reason, tierBefore: null, tierAfter: "gold" },
    });
    const events = await db.outboxEvent.findMany({ where: { tenantId: t.tenantId, type: "tier.changed" } });
    expect(events.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ customerId, from: null, to: "gold", direction: "up" }),
    );
  });

  it("a floor in force shows even where the stored tier lags below it", async () => {
    const customerId = await newCustomer();
    await db.customerLoyalty.create({
      data: {
        customerId,
        tenantId: t.tenantId,
        tier: "bronze",
        tierFloor: "silver",
        tierFloorUntil: new Date(inMs(HOUR)),
      },
    });
    expect(await t.admin.customers.get({ id: customerId })).toMatchObject({
      tier: { id: "silver" },
      tierFloor: { tier: "silver", active: true },
    });
    expect(await t.admin.customers.tier({ customerId })).toMatchObject({
      tier: { id: "silver" },
      next: { id: "gold", gap: 500 },
    });
  });

  it("an ended floor no longer lifts the tier; the view still shows it, inactive, until the downgrade job clears it", async () => {
    const customerId = await newCustomer();
    const ended = new Date(inMs(-HOUR));
    await db.customerLoyalty.create({
      data: { customerId, tenantId: t.tenantId, tier: "bronze", tierFloor: "gold", tierFloorUntil: ended },
    });
    expect(await t.admin.customers.get({ id: customerId })).toMatchObject({
      tier: { id: "bronze" },
      tierFloor: { tier: "gold", until: ended.toISOString(), active: false },
    });
  });

  it("refuses unknown tiers, past dates, a missing reason, other tenants' customers and non-admin keys", async () => {
    const customerId = await newCustomer();
    const until = inMs(24 * HOUR);

    const unknown = await failure(t.admin.customers.setTierFloor({ customerId, tier: "platinum", until, reason }));
    expect(unknown.code).toBe("UNPROCESSABLE_CONTENT");
    expect(issuesOf(unknown)).toEqual([{ path: "tier", message: "must be one of: bronze, silver, gold" }]);

    const past = await failure(
      t.admin.customers.setTierFloor({ customerId, tier: "gold", until: inMs(-HOUR), reason }),
    );
    expect(past.code).toBe("UNPROCESSABLE_CONTENT");
    expect(issuesOf(past)).toEqual([{ path: "until", message: "must lie in the future" }]);

    const noReason = await failure(t.admin.customers.setTierFloor({ customerId, tier: "gold", until, reason: " " }));
    expect(noReason.code).toBe("BAD_REQUEST");
    const badDate = await failure(t.admin.customers.setTierFloor({ customerId, tier: "gold", until: "soon", reason }));
    expect(badDate.code).toBe("BAD_REQUEST");

    const other = await tenantCallers(db, "Other Grill");
    const theirs = await newCustomer(other.tenantId);
    const foreign = await failure(t.admin.customers.setTierFloor({ customerId: theirs, tier: "gold", until, reason }));
    expect(foreign.code).toBe("NOT_FOUND");

    for (const caller of [t.kiosk, t.pos, t.analyst]) {
      const refused = await failure(caller.customers.setTierFloor({ customerId, tier: "gold", until, reason }));
      expect(refused.code).toBe("FORBIDDEN");
    }
    expect(await db.customerLoyalty.findUnique({ where: { customerId } })).toBeNull();
    expect(await db.customerLoyalty.findUnique({ where: { customerId: theirs } })).toBeNull();
  });
});
