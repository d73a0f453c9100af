import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tenantCallers } from "./helpers.ts";

// The admin's customer view says whether the customer was erased, so the admin app can show it after a reload.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("customers.get tells an erased customer from one whose data is held", async () => {
  const t = await tenantCallers(db, "Erased Burgers");
  const customerId = newId("customer");
  await db.customer.create({
    data: { id: customerId, tenantId: t.tenantId, name: "Ewa Nowak", phone: "+48600555001", createdVia: "test" },
  });
  expect(await t.admin.customers.get({ id: customerId })).toMatchObject({ name: "Ewa Nowak", erasedAt: null });

  const outcome = await t.admin.privacy.erase({ customerId, confirmCustomerId: customerId });
  expect(outcome.status).toBe("erased");
  expect(await t.admin.customers.get({ id: customerId })).toMatchObject({
    name: null,
    phone: null,
    erasedAt: outcome.erasedAt,
  });
});
