import type { EventMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, eventStatus, transactionStatus } from "../src/index.ts";
import { base, eventMessage, ledgerDeps, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

/**
 * An event naming a customer id that does not exist (yet) is refused (`unknown_customer`) and dead-lettered. Once the
 * customer exists the operator replays the dead letter (`regulars dlq replay`): the resolver meets the same body again
 * and decides it afresh, paying its points, and its status reads processed (a replayed dead letter is decided again).
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const programme = {
  rules: [base, { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_event" }],
};
const resolve = (...events: EventMessage[]) => applyEventBatch(db, new ProgrammeCache(db, 0), events);

it("decides a replayed unknown_customer event once the customer exists: paid once, and processed", async () => {
  const tenant = await tenantWithProgramme(db, programme, "Replay Burgers");
  const customerId = newId("customer");
  const event = eventMessage(tenant, "feedback_submitted", "+48731000001", "ev-unknown-1");
  event.event = { ...event.event, customer: { id: customerId } };
  const status = () => eventStatus(db, tenant, "ev-unknown-1");
  const bonuses = () => db.ledgerMovement.count({ where: { tenantId: tenant, customerId, kind: "bonus" } });

  const refused = await resolve(event);
  expect(refused.outcomes).toEqual([{ kind: "reject", reason: expect.stringMatching(/^unknown_customer: /) }]);
  expect(await status()).toMatchObject({ status: "rejected", reason: { code: "unknown_customer" } });

  await db.customer.create({ data: { id: customerId, tenantId: tenant, createdVia: "test" } });
  const replayed = await resolve(event);
  expect(replayed.outcomes).toEqual([{ kind: "done" }]);
  expect(await status()).toMatchObject({ status: "processed", customerId, pointsAwarded: 50 });
  expect(await bonuses()).toBe(1);

  // Decided now: a redelivery of the replay changes nothing, and another body under the eventId is a conflict.
  await resolve(event);
  const other: EventMessage = { ...event, event: { ...event.event, properties: { form: "survey" } } };
  expect((await resolve(other)).outcomes).toEqual([
    { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
  ]);
  expect(await status()).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });
  expect(await bonuses()).toBe(1);
});

it("counts another body under a refused eventId as a conflict; the first body, replayed, is decided", async () => {
  const tenant = await tenantWithProgramme(db, programme, "Replay Burgers");
  const customerId = newId("customer");
  const first = eventMessage(tenant, "feedback_submitted", "+48731000002", "ev-unknown-2");
  first.event = { ...first.event, customer: { id: customerId } };
  const later: EventMessage = { ...first, event: { ...first.event, properties: { form: "survey" } } };

  await resolve(first);
  await db.customer.create({ data: { id: customerId, tenantId: tenant, createdVia: "test" } });
  // The eventId belongs to the first body, refused or not: the later one is refused and counted on it.
  expect((await resolve(later)).outcomes).toEqual([
    { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
  ]);
  expect(await eventStatus(db, tenant, "ev-unknown-2")).toMatchObject({
    status: "rejected",
    reason: { code: "unknown_customer" },
    conflicts: 1,
  });
  await resolve(first);
  expect(await eventStatus(db, tenant, "ev-unknown-2")).toMatchObject({
    status: "processed",
    pointsAwarded: 50,
    conflicts: 1,
  });
});

it("reads a replayed unknown_customer sale as processed already: the sale outranks the refusal kept", async () => {
  const tenant = await tenantWithProgramme(db, programme, "Replay Burgers");
  const customerId = newId("customer");
  const sale = txMessage(tenant, { customer: { id: customerId } });
  const { externalId } = sale.transaction;

  await applyTransactionBatch(ledgerDeps(db), [sale]);
  expect(await transactionStatus(db, tenant, externalId)).toMatchObject({
    status: "rejected",
    reason: { code: "unknown_customer" },
  });
  await db.customer.create({ data: { id: customerId, tenantId: tenant, createdVia: "test" } });
  // Read again as it stands, a rejected sale stays rejected; replayed from its dead letter, it is decided anew.
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  expect(await transactionStatus(db, tenant, externalId)).toMatchObject({ status: "rejected" });
  const replayed = { partition: 0, seq: 2, subject: "replayed", replayed: true };
  await applyTransactionBatch(ledgerDeps(db), [sale], { sources: [replayed] });
  expect(await transactionStatus(db, tenant, externalId)).toMatchObject({
    status: "processed",
    customerId,
    conflicts: 0,
  });
  expect(await db.transactionRejection.count({ where: { tenantId: tenant, externalId } })).toBe(1);
});
