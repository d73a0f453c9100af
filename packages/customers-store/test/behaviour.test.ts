import type { Db } from "@regulars/db";
import type { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBehaviourProfile, recordProcessedTransactions } from "../src/index.ts";
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

const rowsOf = (tenantId: string, customerId: string) =>
  db.profileOrder.findMany({ where: { tenantId, customerId }, orderBy: { occurredAt: "asc" } });

describe("the behavioural profile in Postgres", () => {
  it("counts a redelivered event once", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Redelivery");
    const customer = await tillCustomer(db, tenantId, now);
    const event = processed(tenantId, customer.id, now, { daysAgo: 1, total: 1_250 });

    expect(await recordProcessedTransactions(db, [event])).toBe(1);
    expect(await recordProcessedTransactions(db, [event])).toBe(0);
    expect(await recordProcessedTransactions(db, [event, event])).toBe(0);

    expect(await rowsOf(tenantId, customer.id)).toHaveLength(1);
    const profile = await readBehaviourProfile(db, tenantId, customer.id, now);
    expect(profile.windows.lifetime).toEqual({ orders: 1, value: 1_250 });
  });

  it("a refund reduces the value, never the count", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Refund");
    const { id } = await tillCustomer(db, tenantId, now);
    await recordProcessedTransactions(db, [
      processed(tenantId, id, now, { daysAgo: 3, total: 2_000 }),
      processed(tenantId, id, now, { daysAgo: 2, total: 500, kind: "refund", lines: [{ quantity: 1, tags: ["x"] }] }),
    ]);
    const profile = await readBehaviourProfile(db, tenantId, id, now);
    expect(profile.windows.d7).toEqual({ orders: 1, value: 1_500 });
    expect(profile.windows.lifetime).toEqual({ orders: 1, value: 1_500 });
    expect(profile.averageTicket).toBe(1_500);
    expect(profile.affinities).toEqual([]); // the refunded line's tag is not a taste
    expect(profile.locations).toEqual([{ locationId: "store-a", visits: 1 }]);
  });

  it("windows roll with the clock: an order 20 days ago is in the last 30 days now, not 11 days later", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Rolling");
    const { id } = await tillCustomer(db, tenantId, now);
    await recordProcessedTransactions(db, [processed(tenantId, id, now, { daysAgo: 20, total: 900 })]);

    const today = await readBehaviourProfile(db, tenantId, id, now);
    expect(today.windows.d30).toEqual({ orders: 1, value: 900 });
    expect(today.windows.d7).toEqual({ orders: 0, value: 0 });

    const later = await readBehaviourProfile(db, tenantId, id, new Date(now.getTime() + 11 * DAY));
    expect(later.windows.d30).toEqual({ orders: 0, value: 0 });
    expect(later.windows.d90).toEqual({ orders: 1, value: 900 });
    expect(later.windows.lifetime).toEqual({ orders: 1, value: 900 });
    expect(later.rfm.recency).toBe(31);

    const before = await readBehaviourProfile(db, tenantId, id, new Date(now.getTime() - 25 * DAY));
    expect(before.windows.lifetime).toEqual({ orders: 0, value: 0 }); // not happened yet then
  });

  it("keeps locations, channel, daypart in the tenant's zone and tag affinities", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Habits"); // Europe/Warsaw
    const { id } = await tillCustomer(db, tenantId, now);
    const at = (e: ReturnType<typeof processed>, iso: string) => ({ ...e, occurredAt: iso });
    // 17:30 UTC is 18:30 or 19:30 in Warsaw: evening, whatever the season.
    const eveningUtc = (daysAgo: number) => {
      const d = new Date(now.getTime() - daysAgo * DAY);
      d.setUTCHours(17, 30, 0, 0);
      return d.toISOString();
    };
    await recordProcessedTransactions(db, [
      at(
        processed(tenantId, id, now, {
          daysAgo: 5,
          total: 1_000,
          locationId: "store-b",
          channel: "kiosk",
          lines: [
            { quantity: 2, tags: ["vegetarian", "hot"] },
            { quantity: 1, tags: [] },
          ],
        }),
        eveningUtc(5),
      ),
      at(
        processed(tenantId, id, now, { daysAgo: 4, total: 600, locationId: "store-b", channel: "kiosk" }),
        eveningUtc(4),
      ),
      processed(tenantId, id, now, { daysAgo: 3, total: 400, locationId: "store-a", channel: "pos" }),
    ]);
    const profile = await readBehaviourProfile(db, tenantId, id, now);
    expect(profile.locations).toEqual([
      { locationId: "store-b", visits: 2 },
      { locationId: "store-a", visits: 1 },
    ]);
    expect(profile.favouriteLocationId).toBe("store-b");
    expect(profile.preferredChannel).toBe("kiosk");
    expect(profile.preferredDaypart).toBe("evening");
    expect(profile.affinities).toEqual([
      { tag: "hot", share: 0.4 },
      { tag: "vegetarian", share: 0.4 },
    ]);
    expect(profile.averageTicket).toBe(666);
    expect(profile.firstOrderAt).toBe(eveningUtc(5));
  });

  it("skips anonymous transactions", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Anonymous");
    expect(await recordProcessedTransactions(db, [processed(tenantId, null, now, { daysAgo: 1, total: 100 })])).toBe(0);
  });
});

describe("tenant isolation", () => {
  it("another tenant's customer is not found, and an event cannot put a fact into it", async () => {
    const a = await loyaltyTenant(db, "Profile Tenant A");
    const b = await loyaltyTenant(db, "Profile Tenant B");
    const customer = await tillCustomer(db, a.tenantId, now);
    await recordProcessedTransactions(db, [processed(a.tenantId, customer.id, now, { daysAgo: 1, total: 700 })]);

    await expect(readBehaviourProfile(db, b.tenantId, customer.id, now)).rejects.toMatchObject({
      code: "not_found",
    } satisfies Partial<DomainError>);
    // An event naming tenant B with tenant A's customer is dropped, and changes nothing for A.
    expect(
      await recordProcessedTransactions(db, [processed(b.tenantId, customer.id, now, { daysAgo: 1, total: 99_999 })]),
    ).toBe(0);
    expect(await db.profileOrder.count({ where: { tenantId: b.tenantId } })).toBe(0);
    const profile = await readBehaviourProfile(db, a.tenantId, customer.id, now);
    expect(profile.windows.lifetime).toEqual({ orders: 1, value: 700 });
  });
});
