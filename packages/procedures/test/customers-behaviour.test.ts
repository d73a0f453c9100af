import { recordProcessedTransactions } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBehaviour } from "../src/customers/customers.behaviour.ts";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let other: Awaited<ReturnType<typeof tenantCallers>>;
const now = new Date();
const DAY = 86_400_000;

beforeAll(async () => {
  db = testDb();
  [t, other] = await Promise.all([tenantCallers(db, "Behaviour Desk"), tenantCallers(db, "Behaviour Desk Other")]);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("customers.profile (admin): the behavioural profile", () => {
  it("answers windows, habits and affinities for the admin's own tenant only", async () => {
    const { customer } = await t.admin.customers.register({ phone: "+48 606 000 001", phoneVerified: true });
    await recordProcessedTransactions(db, [
      {
        type: "transaction.processed",
        id: `processed:${customer.id}`,
        tenantId: t.tenantId,
        transactionId: `tx_behaviour_${customer.id}`,
        externalId: "B-1",
        kind: "sale",
        refundOf: null,
        occurredAt: new Date(now.getTime() - 20 * DAY).toISOString(),
        locationId: "store-9",
        channel: "app",
        customerId: customer.id,
        currency: "EUR",
        total: 1_800,
        discountTotal: 0,
        points: 18,
        lines: [
          {
            lineNo: 0,
            sku: "V",
            name: "V",
            category: null,
            tags: ["vegan"],
            quantity: 1,
            unitPrice: 1_800,
            discount: 0,
            amount: 1_800,
          },
        ],
      },
    ]);

    const profile = await t.admin.customers.profile({ customerId: customer.id });
    expect(profile).toMatchObject({
      windows: { d7: { orders: 0, value: 0 }, d30: { orders: 1, value: 1_800 }, lifetime: { orders: 1, value: 1_800 } },
      averageTicket: 1_800,
      locations: [{ locationId: "store-9", visits: 1 }],
      favouriteLocationId: "store-9",
      affinities: [{ tag: "vegan", share: 1 }],
      preferredChannel: "app",
      rfm: { recency: 20, frequency: 1, monetary: 1_800 },
    });

    // The clock moves on and the order leaves the last 30 days.
    const later = await customerBehaviour(
      db,
      t.tenantId,
      { customerId: customer.id },
      new Date(now.getTime() + 11 * DAY),
    );
    expect(later.windows.d30).toEqual({ orders: 0, value: 0 });

    expect((await failure(other.admin.customers.profile({ customerId: customer.id }))).code).toBe("NOT_FOUND");
    expect((await failure(t.kiosk.customers.profile({ customerId: customer.id }))).code).toBe("FORBIDDEN");
    expect((await failure(t.admin.customers.profile({ customerId: "nobody" }))).code).toBe("BAD_REQUEST");
  });
});
