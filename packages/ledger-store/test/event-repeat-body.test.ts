import type { EventMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, eventStatus, recordDeadLetteredEvent } from "../src/index.ts";
import type { OutboxItem } from "../src/outbox.ts";
import { base, eventMessage, ledgerDeps, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

/**
 * Past JetStream's duplicate window (1 h) an eventId posted again reaches the resolver as a new message. The same body
 * is a retry and changes nothing; another body is an idempotency conflict, never a silent duplicate (SPEC), refused
 * and counted where the integrator reads the event (GET /v1/events/{eventId}), as a sale's conflicts are. An event
 * the resolver gave up on decided nothing: replayed from the dead-letter stream, it is decided then.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const programme = {
  rules: [base, { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_event" }],
};

async function member(phone: string) {
  const tenant = await tenantWithProgramme(db, programme, "Repeat Burgers");
  await applyTransactionBatch(ledgerDeps(db), [
    txMessage(tenant, {
      customer: { phone },
      lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 50, discount: 0, tags: [] }],
    }),
  ]);
  const bonuses = () => db.ledgerMovement.count({ where: { tenantId: tenant, kind: "bonus" } });
  return { tenant, bonuses };
}

const resolve = (...events: EventMessage[]) => applyEventBatch(db, new ProgrammeCache(db, 0), events);

/** The event.recorded announcements of a resolver batch, whether written one by one or as one batch row. */
function recordedIn(outbox: OutboxItem[]): string[] {
  return outbox
    .flatMap((item) => (item.type === "outbox.batch" ? (item.payload as { events: OutboxItem[] }).events : [item]))
    .filter((e) => e.type === "event.recorded")
    .map((e) => e.id);
}

it("refuses another body under a decided eventId as an idempotency conflict, counted once; the same body is a retry", async () => {
  const { tenant, bonuses } = await member("+48730000001");
  const bodyA = eventMessage(tenant, "feedback_submitted", "+48730000001", "ev-1");
  const bodyB: EventMessage = { ...bodyA, event: { ...bodyA.event, properties: { form: "survey" } } };

  const first = await resolve(bodyA);
  expect(first.outcomes).toEqual([{ kind: "done" }]);
  expect(recordedIn(first.outbox)).toEqual([`recorded:${bodyA.id}`]);

  for (let i = 0; i < 2; i++) {
    const changed = await resolve(bodyB);
    expect(changed.outcomes).toEqual([
      { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: eventId ev-1 was decided before/) },
    ]);
    expect(recordedIn(changed.outbox)).toEqual([]);
  }
  // The first event keeps its outcome; the refused body is counted once however often it came.
  expect(await eventStatus(db, tenant, "ev-1")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });

  const retry = await resolve(bodyA);
  expect(retry.outcomes).toEqual([{ kind: "done" }]);
  expect(recordedIn(retry.outbox)).toEqual([]);
  expect(await eventStatus(db, tenant, "ev-1")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });
  expect(await bonuses()).toBe(1);

  // Both bodies in one batch: the first copy is decided, the other refused.
  const bodyC = eventMessage(tenant, "feedback_submitted", "+48730000001", "ev-3");
  const bodyD: EventMessage = { ...bodyC, event: { ...bodyC.event, type: "app_open" } };
  const together = await resolve(bodyC, bodyD, bodyC);
  expect(together.outcomes.map((o) => o.kind)).toEqual(["done", "reject", "done"]);
  expect(recordedIn(together.outbox)).toEqual([`recorded:${bodyC.id}`]);
  expect(await eventStatus(db, tenant, "ev-3")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });
  expect(await bonuses()).toBe(2);
});

it("decides an event replayed from the dead-letter stream, which the resolver had given up on", async () => {
  const { tenant, bonuses } = await member("+48730000002");
  const event = eventMessage(tenant, "feedback_submitted", "+48730000002", "ev-2");
  await recordDeadLetteredEvent(db, {
    payload: JSON.stringify(event),
    reason: "gave up after 10 deliveries: boom",
    category: "retries_exhausted",
  });
  expect(await eventStatus(db, tenant, "ev-2")).toMatchObject({
    status: "rejected",
    reason: { code: "processing_failed" },
  });

  const replayed = await resolve(event);
  expect(replayed.outcomes).toEqual([{ kind: "done" }]);
  expect(recordedIn(replayed.outbox)).toEqual([`recorded:${event.id}`]);
  expect(await eventStatus(db, tenant, "ev-2")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 0 });

  // Decided now: a later redelivery, or a dead letter of a late copy, changes nothing.
  const again = await resolve(event);
  expect(recordedIn(again.outbox)).toEqual([]);
  await recordDeadLetteredEvent(db, { payload: JSON.stringify(event), reason: "late", category: "retries_exhausted" });
  expect(await eventStatus(db, tenant, "ev-2")).toMatchObject({ status: "processed", pointsAwarded: 50 });
  expect(await bonuses()).toBe(1);
});

it("refuses another body posted after a dead letter of the eventId's first body, which a replay then decides", async () => {
  const { tenant, bonuses } = await member("+48730000003");
  const bodyX = eventMessage(tenant, "feedback_submitted", "+48730000003", "ev-4");
  const bodyY: EventMessage = { ...bodyX, event: { ...bodyX.event, properties: { form: "survey" } } };
  await recordDeadLetteredEvent(db, {
    payload: JSON.stringify(bodyX),
    reason: "gave up after 10 deliveries: boom",
    category: "retries_exhausted",
  });

  // Past the gateway's duplicate window Y reaches the resolver; the eventId is X's, posted first.
  const later = await resolve(bodyY);
  expect(later.outcomes).toEqual([
    { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: eventId ev-4 /) },
  ]);
  expect(recordedIn(later.outbox)).toEqual([]);
  expect(await eventStatus(db, tenant, "ev-4")).toMatchObject({
    status: "rejected",
    reason: { code: "processing_failed" },
    conflicts: 1,
  });

  const replayed = await resolve(bodyX);
  expect(replayed.outcomes).toEqual([{ kind: "done" }]);
  expect(recordedIn(replayed.outbox)).toEqual([`recorded:${bodyX.id}`]);
  expect(await eventStatus(db, tenant, "ev-4")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });
  expect(await bonuses()).toBe(1);

  // The later body and the replay in one batch, the later body first: the replay is still the one decided.
  const bodyV = eventMessage(tenant, "feedback_submitted", "+48730000003", "ev-5");
  const bodyW: EventMessage = { ...bodyV, event: { ...bodyV.event, properties: { form: "survey" } } };
  await recordDeadLetteredEvent(db, { payload: JSON.stringify(bodyV), reason: "boom", category: "retries_exhausted" });
  const together = await resolve(bodyW, bodyV);
  expect(together.outcomes.map((o) => o.kind)).toEqual(["reject", "done"]);
  expect(recordedIn(together.outbox)).toEqual([`recorded:${bodyV.id}`]);
  expect(await eventStatus(db, tenant, "ev-5")).toMatchObject({ status: "processed", pointsAwarded: 50, conflicts: 1 });
  expect(await bonuses()).toBe(2);
});
