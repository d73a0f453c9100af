import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, expireParkedRefunds, transactionStatus } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const hour = 3_600_000;
const waitMs = 24 * hour;
const pointsOf = async (tenantId: string, externalId: string) =>
  Number((await db.transaction.findFirstOrThrow({ where: { tenantId, externalId } })).pointsAwarded);
const rejection = (tenantId: string, externalId: string) =>
  db.transactionRejection.findFirst({ where: { tenantId, externalId } });

// A ledger stopped for longer than the refund's wait resumes where it stopped: the gateway's `receivedAt` of what
// it reads then is older than the wait, and still every refund must wait for its sale.
describe("a refund's wait starts when the ledger parks it, not when the gateway received it", () => {
  it("a refund read before its sale in one batch applies after it, after a backlog longer than the wait", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const t0 = new Date(Date.now() - 30 * hour);
    const sale = txMessage(tenant, { customer: { phone: "+48710000401" } }, t0);
    const refund = txMessage(
      tenant,
      { type: "refund", refundOf: sale.transaction.externalId, lines: [line("MEAL", 400)] },
      new Date(t0.getTime() + 1_000),
    );
    const { outcomes } = await applyTransactionBatch(ledgerDeps(db, { refundWaitMs: waitMs }), [refund, sale]);
    expect(outcomes).toEqual([{ kind: "done" }, { kind: "done" }]);
    expect(await rejection(tenant, refund.transaction.externalId)).toBeNull();
    expect(await pointsOf(tenant, refund.transaction.externalId)).toBe(-4);
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
  });

  it("a refund read after a backlog parks and waits the whole wait; its sale arriving within it is refunded", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    // Days ago under an injected clock: the sweeps here take only long-overdue rows, never another test's.
    const parkedAt = new Date(Date.now() - 5 * 24 * hour);
    const receivedAt = new Date(parkedAt.getTime() - 30 * hour);
    const sale = txMessage(tenant, { customer: { phone: "+48710000402" } }, new Date(receivedAt.getTime() - 1_000));
    const refund = refundOf(tenant, sale, [line("MEAL", 400)]);
    const late = { ...refund, receivedAt: receivedAt.toISOString() };
    const at = (ms: number) => ledgerDeps(db, { refundWaitMs: waitMs, now: () => new Date(parkedAt.getTime() + ms) });

    expect((await applyTransactionBatch(at(0), [late])).outcomes).toEqual([{ kind: "done" }]);
    expect(await transactionStatus(db, tenant, late.transaction.externalId)).toMatchObject({
      status: "accepted",
      waitingForSale: { until: new Date(parkedAt.getTime() + waitMs).toISOString() },
    });
    const swept = await expireParkedRefunds(db, new Date(parkedAt.getTime() + waitMs - 60_000), waitMs);
    expect(swept.map((r) => r.message?.transactionId)).not.toContain(late.transactionId);

    // The sale's partition was further behind: it is applied 23 hours after the refund was parked.
    expect((await applyTransactionBatch(at(23 * hour), [sale])).outcomes).toEqual([{ kind: "done" }]);
    expect(await rejection(tenant, late.transaction.externalId)).toBeNull();
    expect(await pointsOf(tenant, late.transaction.externalId)).toBe(-4);
  });

  it("a refund whose sale never comes is rejected once it has been parked for the wait", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const parkedAt = new Date(Date.now() - 5 * 24 * hour);
    const sale = txMessage(tenant, { customer: { phone: "+48710000403" } });
    const refund = {
      ...refundOf(tenant, sale, [line("MEAL", 400)]),
      receivedAt: new Date(parkedAt.getTime() - 30 * hour).toISOString(),
    };
    const deps = ledgerDeps(db, { refundWaitMs: waitMs, now: () => parkedAt });
    expect((await applyTransactionBatch(deps, [refund])).outcomes).toEqual([{ kind: "done" }]);

    const swept = await expireParkedRefunds(db, new Date(parkedAt.getTime() + waitMs + 60_000), waitMs);
    expect(swept.map((r) => r.message?.transactionId)).toContain(refund.transactionId);
    expect(await rejection(tenant, refund.transaction.externalId)).toMatchObject({
      code: "refunded_sale_not_found",
      message: expect.stringMatching(/did not arrive within 24 hours/),
    });
  });
});
