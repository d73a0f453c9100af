import type { EventMessage } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, eventStatus } from "../src/index.ts";
import type { OutboxItem } from "../src/outbox.ts";
import { base, eventMessage, ledgerDeps, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

/**
 * One event id decided by two resolver transactions at once: a redelivery after JetStream's ack wait while the first
 * delivery is still in flight, or two replicas. The first holds its transaction open once it has decided; the second
 * runs meanwhile and must find that decision once it commits, whether or not the event pays anybody (only a paying
 * event locks a customer).
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const programme = {
  rules: [base, { id: "first-feedback", type: "action", event: "feedback_submitted", points: 50, limit: "once" }],
};

async function tenantWithMembers(...phones: string[]) {
  const tenant = await tenantWithProgramme(db, programme, "Concurrent Burgers");
  const sale = { lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 50, discount: 0, tags: [] }] };
  await applyTransactionBatch(
    ledgerDeps(db),
    phones.map((phone) => txMessage(tenant, { customer: { phone }, ...sale })),
  );
  const bonusesOf = async (phone: string) => {
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId: tenant, phone } });
    return db.ledgerMovement.count({ where: { tenantId: tenant, customerId: id, kind: "bonus" } });
  };
  return { tenant, bonusesOf };
}

/** `applyEventBatch` opens its transaction through `db.$transaction`: this runs it inside the held one instead. */
const within = (tx: DbTx) => ({ $transaction: (fn: (t: DbTx) => Promise<unknown>) => fn(tx) }) as unknown as Db;

/** Resolves `first` in a transaction held open after deciding, and `second` meanwhile; answers both results. */
async function racing(first: EventMessage, second: EventMessage) {
  let held: Awaited<ReturnType<typeof applyEventBatch>> | undefined;
  const cache = new ProgrammeCache(db, 0);
  const written = await raceWithHeldTransaction(
    testDatabaseUrl(),
    db,
    async (tx) => (held = await applyEventBatch(within(tx), cache, [first])),
    () => applyEventBatch(db, new ProgrammeCache(db, 0), [second]),
    "the second delivery",
  );
  return { held: held!, written };
}

function recordedIn(outbox: OutboxItem[]): string[] {
  return outbox
    .flatMap((item) => (item.type === "outbox.batch" ? (item.payload as { events: OutboxItem[] }).events : [item]))
    .filter((e) => e.type === "event.recorded")
    .map((e) => e.id);
}

it("records an event delivered twice at once one time: the second delivery finds the first's decision", async () => {
  const { tenant } = await tenantWithMembers("+48740000001");
  // No rule pays for an app_open: no customer is locked, so nothing else orders the two deliveries.
  const event = eventMessage(tenant, "app_open", "+48740000001", "open-1");

  const { held, written } = await racing(event, event);

  expect(held.outcomes).toEqual([{ kind: "done" }]);
  expect(recordedIn(held.outbox)).toEqual([`recorded:${event.id}`]);
  expect(written.outcomes).toEqual([{ kind: "done" }]);
  // Announced once: event.recorded feeds the analytics row, which a repeat must not add again.
  expect(recordedIn(written.outbox)).toEqual([]);
  expect(await eventStatus(db, tenant, "open-1")).toMatchObject({ status: "processed", conflicts: 0 });
});

it("refuses another body under the eventId decided meanwhile, never paying it to a second customer", async () => {
  const { tenant, bonusesOf } = await tenantWithMembers("+48740000011", "+48740000012");
  const bodyA = eventMessage(tenant, "feedback_submitted", "+48740000011", "feedback-1");
  const bodyB: EventMessage = { ...bodyA, event: { ...bodyA.event, customer: { phone: "+48740000012" } } };

  const { held, written } = await racing(bodyA, bodyB);

  // Paid once, to the customer of the body decided first.
  expect(await bonusesOf("+48740000011")).toBe(1);
  expect(await bonusesOf("+48740000012")).toBe(0);
  expect(held.outcomes).toEqual([{ kind: "done" }]);
  expect(written.outcomes).toEqual([
    { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: eventId feedback-1 was decided before/) },
  ]);
  expect(recordedIn(written.outbox)).toEqual([]);
  expect(await eventStatus(db, tenant, "feedback-1")).toMatchObject({
    status: "processed",
    pointsAwarded: 50,
    conflicts: 1,
  });
});
