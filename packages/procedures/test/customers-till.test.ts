import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let customerId: string;
const phone = "+48600777001";
const personal = [
  "Kowalska",
  "Anna Maria",
  "anna@example.com",
  phone,
  "600777001",
  "1990-04-02",
  "CARD-TILL-1",
  "apple-sub-1",
];

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Till Burgers");
  customerId = newId("customer");
  await db.customer.create({
    data: {
      id: customerId,
      tenantId: t.tenantId,
      name: "Anna Maria Kowalska",
      email: "anna@example.com",
      phone,
      cardNumber: "CARD-TILL-1",
      dateOfBirth: new Date("1990-04-02T00:00:00Z"),
      createdVia: "test",
    },
  });
  await db.customerIdentity.createMany({
    data: [
      { tenantId: t.tenantId, kind: "phone", value: phone, customerId },
      { tenantId: t.tenantId, kind: "card", value: "CARD-TILL-1", customerId },
      { tenantId: t.tenantId, kind: "ext:apple", value: "apple-sub-1", customerId },
    ],
  });
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("customer reads by role", () => {
  it("an admin key sees everything", async () => {
    expect(await t.admin.customers.get({ phone })).toMatchObject({
      view: "admin",
      id: customerId,
      name: "Anna Maria Kowalska",
      email: "anna@example.com",
      phone,
      dateOfBirth: "1990-04-02",
      points: { balance: 0, pending: 0 },
      wallet: 0,
      identities: expect.arrayContaining([{ kind: "ext:apple", value: "apple-sub-1" }]),
    });
  });

  it.each(["kiosk", "pos"] as const)(
    "a %s key sees the till view: first name, tier, points and wallet, nothing personal",
    async (role) => {
      const caller = t[role];
      for (const ref of [{ phone }, { cardNumber: "CARD-TILL-1" }, { id: customerId }]) {
        const view = await caller.customers.get(ref);
        expect(view).toEqual({
          view: "till",
          id: customerId,
          firstName: "Anna",
          tier: null,
          points: { balance: 0, pending: 0, held: 0 },
          wallet: 0,
          walletHeld: 0,
        });
        const text = JSON.stringify(view);
        for (const value of personal) expect(text).not.toContain(value);
      }
      const ledger = JSON.stringify(await caller.customers.ledger({ customerId }));
      for (const value of personal) expect(ledger).not.toContain(value);
      expect(JSON.stringify(await caller.customers.tier({ customerId }))).not.toContain("Kowalska");
    },
  );

  it("analyst keys read no customer, and tills cannot search", async () => {
    expect((await failure(t.analyst.customers.get({ phone }))).code).toBe("FORBIDDEN");
    expect((await failure(t.kiosk.customers.search({ query: "Anna" }))).code).toBe("FORBIDDEN");
  });

  it("shows a member not placed in a tier yet at the entry level, as checkout and earning treat them", async () => {
    const tiered = await tenantCallers(db, "Tiered Till Burgers");
    await tiered.admin.programme.tiers.set({
      tiers: {
        basis: "points_earned",
        window: "calendar_year",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "gold", name: "Gold", threshold: 500 },
        ],
      },
    });
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId: tiered.tenantId, name: "Ola Nowak", createdVia: "test" } });
    expect((await tiered.kiosk.customers.get({ id })).tier).toMatchObject({ id: "bronze" });
    expect((await tiered.admin.customers.get({ id })).tier).toMatchObject({ id: "bronze" });
  });
});
