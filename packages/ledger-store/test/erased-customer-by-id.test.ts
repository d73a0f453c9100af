import type { Db } from "@regulars/db";
import { withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkoutCustomerId } from "../src/holds/checkout-state.ts";
import { applyEventBatch, applyTransactionBatch, quoteCheckout } from "../src/index.ts";
import { expandOutbox } from "../src/outbox.ts";
import { base, eventMessage, ledgerDeps, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

/**
 * An app still signed in after its customer was erased keeps sending the id. Every write addressed by it must treat
 * it as an id that never existed: otherwise points are paid and facts stored under the real id after the erasure's
 * ClickHouse sweep has ended, for nobody to erase them again.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const programme = {
  rules: [base, { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_event" }],
};

async function liveAndErased(name: string) {
  const tenantId = await tenantWithProgramme(db, programme, name);
  const [live, erased] = [newId("customer"), newId("customer")];
  await db.customer.createMany({
    data: [live, erased].map((id) => ({ id, tenantId, createdVia: "test" })),
  });
  // What erasure does to the row the ledger keeps (@regulars/privacy): personal data gone, erased_at set.
  await db.$executeRaw`UPDATE customers SET erased_at = now() WHERE id = ${erased}`;
  return { tenantId, live, erased };
}

const customerIdsOf = (outbox: Parameters<typeof expandOutbox>[0]) =>
  expandOutbox(outbox).map((i) => (i.payload as { customerId?: string | null }).customerId);

it("refuses an app event naming an erased customer's id as it refuses an unknown id", async () => {
  const { tenantId, live, erased } = await liveAndErased("Erased event Burgers");
  const event = (customerId: string) => {
    const m = eventMessage(tenantId, "feedback_submitted", "+48731000009");
    m.event = { ...m.event, customer: { id: customerId }, properties: { note: "free text" } };
    return m;
  };
  const { outcomes, outbox } = await applyEventBatch(db, new ProgrammeCache(db, 0), [event(live), event(erased)]);
  expect(outcomes).toEqual([
    { kind: "done" },
    { kind: "reject", reason: `unknown_customer: unknown customer id ${erased}` },
  ]);
  expect(customerIdsOf(outbox)).not.toContain(erased);
  expect(await db.ledgerMovement.count({ where: { tenantId, customerId: erased } })).toBe(0);
  expect(await db.ledgerMovement.count({ where: { tenantId, customerId: live } })).toBe(1);
});

it("refuses a till sale naming an erased customer's id: no sale, points or activity stored under it", async () => {
  const { tenantId, live, erased } = await liveAndErased("Erased sale Burgers");
  const { outcomes, outbox } = await applyTransactionBatch(ledgerDeps(db), [
    txMessage(tenantId, { customer: { id: live } }),
    txMessage(tenantId, { customer: { id: erased } }),
  ]);
  expect(outcomes[0]).toMatchObject({ kind: "done" });
  expect(outcomes[1]).toMatchObject({ kind: "reject", reason: `unknown_customer: unknown customer id ${erased}` });
  expect(customerIdsOf(outbox)).not.toContain(erased);
  expect(await db.transaction.count({ where: { tenantId, customerId: erased } })).toBe(0);
  expect(await db.ledgerMovement.count({ where: { tenantId, customerId: erased } })).toBe(0);
  expect(await db.customerLoyalty.findUnique({ where: { customerId: erased } })).toBeNull();
});

it("finds no customer for a checkout naming an erased customer's id", async () => {
  const { tenantId, live, erased } = await liveAndErased("Erased checkout Burgers");
  await withTransaction(db, async (tx) => {
    expect(await checkoutCustomerId(tx, tenantId, { id: live })).toBe(live);
    await expect(checkoutCustomerId(tx, tenantId, { id: erased })).rejects.toMatchObject({
      constructor: DomainError,
      code: "not_found",
    });
  });
});

it("quotes no customer for an erased customer's id: not_found, as a hold answers, and no points shown", async () => {
  const { tenantId, customers, deps } = await checkoutTenant(db, 2);
  const [live, erased] = customers as [string, string];
  await givePoints(db, tenantId, erased, 300);
  await db.$executeRaw`UPDATE customers SET erased_at = now() WHERE id = ${erased}`;
  await expect(quoteCheckout(deps, tenantId, holdRequest(live))).resolves.toMatchObject({
    currency: expect.any(String),
  });
  await expect(quoteCheckout(deps, tenantId, holdRequest(erased))).rejects.toMatchObject({ code: "not_found" });
});
