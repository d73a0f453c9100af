import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { type OutboxItem, relayUnpublished } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eraseCustomer } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// The API's erasure leaves its customer.erased to the outbox relay: the relay must publish it, though it names a
// customer who is erased by then (the relay pseudonymises only the sales and refunds it rebuilds).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("relays the customer.erased an erasure wrote, under the erased id integrators must forget", async () => {
  const { tenantId } = await privacyTenant(db, "Relayed Erasure Burgers");
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
  const now = new Date();
  await eraseCustomer({ db, analytics: null }, tenantId, customerId, { actor: "key_admin", cause: "request", now });

  const published: OutboxItem[] = [];
  await relayUnpublished(db, 0, async (items) => void published.push(...items), tenantId);
  expect(published.filter((e) => e.type === "customer.erased")).toEqual([
    expect.objectContaining({ payload: expect.objectContaining({ customerId }) }),
  ]);
});
