import type { Db } from "@regulars/db";
import { ProgrammeCache } from "@regulars/programme";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEventBatch, applyTransactionBatch, customerBalances } from "../src/index.ts";
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
