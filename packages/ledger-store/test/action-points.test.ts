import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyEventBatch,
  applyTransactionBatch,
  customerBalances,
  eventStatus,
  recordDeadLetteredEvent,
} from "../src/index.ts";
import { base, eventMessage, ledgerDeps, tenantWithProgramme, twoWorkerPools, txMessage } from "./batch-fixtures.ts";

let db: Db;
let other: Db;
let pools: Awaited<ReturnType<typeof twoWorkerPools>>;
beforeAll(async () => {
  pools = await twoWorkerPools();
  ({ db, other } = pools);
});
afterAll(() => pools?.close());

/** "First feedback 50 points (once), later ones 5 (per event)", as Open Loyalty's peers configure it. */
const programme = {
  rules: [
    base,
    {
      id: "first-feedback",
      type: "action",
      event: "feedback_submitted",
      points: 50,
      limit: "once",
      priority: 10,
      stopProcessing: true,
    },
    { id: "feedback", type: "action", event: "feedback_submitted", points: 5, limit: "per_event" },
  ],
};

async function member(phone: string) {
  const tenant = await tenantWithProgramme(db, programme, "Feedback Burgers");
  await applyTransactionBatch(ledgerDeps(db), [
    txMessage(tenant, {
      customer: { phone },
      lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 50, discount: 0, tags: [] }],
    }),
  ]);
  const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId: tenant, phone } })).id;
  const bonuses = async () =>
    (
      await db.ledgerMovement.findMany({
        where: { tenantId: tenant, customerId, kind: "bonus" },
        orderBy: { createdAt: "asc" },
      })
    ).map((m) => Number(m.amount));
  return { tenant, customerId, bonuses };
}
const resolve = (database: Db, ...events: Parameters<typeof applyEventBatch>[2]) =>
  applyEventBatch(database, new ProgrammeCache(database, 0), events);

describe("repeat action rewards see the customer's history", () => {
  it("a customer merged into the account was paid as the same person: the once reward is not paid again", async () => {
    const till = await member("+48720000101");
    await resolve(db, eventMessage(till.tenant, "feedback_submitted", "+48720000101"));
    expect(await till.bonuses()).toEqual([50]);
    // The app account the till's regular signed up with; the merge moves the person, not the ledger's movements.
    await applyTransactionBatch(ledgerDeps(db), [
      txMessage(till.tenant, {
        customer: { phone: "+48720000102" },
        lines: [{ sku: "X", name: "X", quantity: 1, unitPrice: 50, discount: 0, tags: [] }],
      }),
    ]);
    const app = (await db.customer.findFirstOrThrow({ where: { tenantId: till.tenant, phone: "+48720000102" } })).id;
    await db.$executeRaw`INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${till.customerId}, ${till.tenant}, ${app})`;

    await resolve(db, eventMessage(till.tenant, "feedback_submitted", "+48720000102"));
    const appBonuses = await db.ledgerMovement.findMany({
      where: { tenantId: till.tenant, customerId: app, kind: "bonus" },
    });
    expect(appBonuses.map((m) => Number(m.amount))).toEqual([5]);
  });

  it("pays 50 for the first feedback, then 5, 5, whether the events come one by one or in one batch", async () => {
    const oneByOne = await member("+48720000001");
    for (let i = 0; i < 3; i++) await resolve(db, eventMessage(oneByOne.tenant, "feedback_submitted", "+48720000001"));
    expect(await oneByOne.bonuses()).toEqual([50, 5, 5]);

    const together = await member("+48720000002");
    await resolve(
      db,
      ...Array.from({ length: 3 }, () => eventMessage(together.tenant, "feedback_submitted", "+48720000002")),
    );
    expect((await together.bonuses()).sort((a, b) => b - a)).toEqual([50, 5, 5]);
    expect((await customerBalances(db, together.tenant, together.customerId)).points).toBe(60);
  });

  it("a redelivered event pays nothing again, even though the history moved on since", async () => {
    const { tenant, bonuses } = await member("+48720000003");
    const first = eventMessage(tenant, "feedback_submitted", "+48720000003");
    const second = eventMessage(tenant, "feedback_submitted", "+48720000003");
    await resolve(db, first);
    await resolve(db, second);
    await resolve(db, first); // redelivered: without a record of it, it would now earn the 5 of a later feedback
    await resolve(db, second, first);
    expect(await bonuses()).toEqual([50, 5]);
  });

  it("two resolver instances handed the same events at once pay each exactly once", async () => {
    const { tenant, bonuses } = await member("+48720000004");
    const events = Array.from({ length: 4 }, () => eventMessage(tenant, "feedback_submitted", "+48720000004"));
    await Promise.all([resolve(db, ...events), resolve(other, ...events), resolve(other, ...events.slice(2))]);
    expect((await bonuses()).sort((a, b) => b - a)).toEqual([50, 5, 5, 5]);
  });
});

describe("each event's outcome, as the integrator reads it", () => {
  it("is processed with the points it paid, rejected for a customer id nobody has, and a processed outcome stands", async () => {
    const { tenant, customerId } = await member("+48720000010");
    const first = eventMessage(tenant, "feedback_submitted", "+48720000010", "feedback-1");
    const second = eventMessage(tenant, "feedback_submitted", "+48720000010", "feedback-2");
    const opened = eventMessage(tenant, "app_open", "+48720000010", "open-1");
    // A phone nobody has stays anonymous (events never create customers); a customer id nobody has is refused.
    const unknownPhone = eventMessage(tenant, "app_open", "+48729999999", "unknown-phone-1");
    const strangerId = newId("customer");
    const stranger = eventMessage(tenant, "feedback_submitted", "+48720000010", "stranger-1");
    stranger.event = { ...stranger.event, customer: { id: strangerId } };
    // The first feedback twice in the batch (a redelivery beside the original): it paid once, and says so.
    await resolve(db, first, first, second, opened, unknownPhone, stranger);

    const status = (eventId: string) => eventStatus(db, tenant, eventId);
    expect(await status("feedback-1")).toMatchObject({ status: "processed", customerId, pointsAwarded: 50 });
    expect(await status("feedback-2")).toMatchObject({ status: "processed", customerId, pointsAwarded: 5 });
    expect(await status("open-1")).toMatchObject({ status: "processed", customerId, pointsAwarded: 0 });
    expect(await status("unknown-phone-1")).toMatchObject({ status: "processed", customerId: null, pointsAwarded: 0 });
    expect(await status("stranger-1")).toMatchObject({
      status: "rejected",
      eventId: "stranger-1",
      reason: { code: "unknown_customer", message: expect.stringContaining(strangerId) },
    });
    expect(await status("never-posted")).toBeNull();

    // Redelivered after the history moved on: the processed outcome stands. The refused one was dead-lettered; once
    // that id is a customer, its replay is decided afresh (event-replay-unknown-customer.test.ts).
    await db.customer.create({ data: { id: strangerId, tenantId: tenant, createdVia: "test" } });
    await resolve(db, first, stranger);
    expect(await status("feedback-1")).toMatchObject({ status: "processed", pointsAwarded: 50 });
    expect(await status("stranger-1")).toMatchObject({
      status: "processed",
      customerId: strangerId,
      pointsAwarded: 50,
    });
    const paid = await db.ledgerMovement.count({ where: { tenantId: tenant, customerId: strangerId } });
    expect(paid).toBe(1);
  });

  it("is rejected with the reason when the resolver gave up on it, unless it was decided before", async () => {
    const { tenant } = await member("+48720000011");
    const failed = eventMessage(tenant, "feedback_submitted", "+48720000011", "failed-1");
    const payload = JSON.stringify(failed);
    await recordDeadLetteredEvent(db, {
      payload,
      reason: "gave up after 5 attempts: boom",
      category: "retries_exhausted",
    });
    expect(await eventStatus(db, tenant, "failed-1")).toMatchObject({
      status: "rejected",
      reason: { code: "processing_failed", message: "gave up after 5 attempts: boom" },
    });

    const decided = eventMessage(tenant, "feedback_submitted", "+48720000011", "decided-1");
    await resolve(db, decided);
    await recordDeadLetteredEvent(db, {
      payload: JSON.stringify(decided),
      reason: "late copy",
      category: "retries_exhausted",
    });
    expect(await eventStatus(db, tenant, "decided-1")).toMatchObject({ status: "processed", pointsAwarded: 50 });

    await recordDeadLetteredEvent(db, {
      payload: JSON.stringify({ tenantId: tenant, event: { eventId: "broken-1" } }),
      reason: "event.type: required",
      category: "invalid_payload",
    });
    expect(await eventStatus(db, tenant, "broken-1")).toMatchObject({
      status: "rejected",
      reason: { code: "contract_violation", message: "event.type: required" },
    });
  });
});
