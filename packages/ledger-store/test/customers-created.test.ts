import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, expandOutbox, outboxEventsOf } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A till's first sale naming an unknown phone or card creates the customer inside the ledger's batch; the batch
// announces it (`customer.created`, cause `sale`) in the same commit, and only once, however often it is delivered.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const now = new Date();
const created = (tenantId: string) => outboxEventsOf(db, tenantId, "customer.created");

describe("customers a till's sale creates", () => {
  it("a sale naming an unknown phone creates the customer and announces it once; a redelivery announces nothing", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Created Burgers");
    const phone = "+48730000001";
    // Two sales of the same new customer in one batch: one customer, one event.
    const sales = [
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_200)] }),
      txMessage(tenantId, { customer: { phone }, channel: "kiosk", lines: [line("MEAL", 900)] }),
    ];
    const deps = ledgerDeps(db, { now: () => now });
    const applied = await applyTransactionBatch(deps, sales);
    expect(applied.outcomes).toEqual([{ kind: "done" }, { kind: "done" }]);
    const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const announced = {
      type: "customer.created",
      id: `customer.created:${customer.id}`,
      tenantId,
      customerId: customer.id,
      occurredAt: now.toISOString(),
      via: "pos",
      cause: "sale",
      identity: "phone",
      fields: ["phone"],
    };
    expect((await created(tenantId)).map((e) => e.payload)).toEqual([announced]);
    // What the worker publishes after the commit: the same event, before the customer's first sale.
    const published = expandOutbox(applied.outbox);
    expect(published.filter((e) => e.type === "customer.created").map((e) => e.payload)).toEqual([announced]);
    expect(published.findIndex((e) => e.type === "customer.created")).toBeLessThan(
      published.findIndex((e) => e.type === "transaction.processed"),
    );

    const again = await applyTransactionBatch(ledgerDeps(db, { now: () => new Date(now.getTime() + 60_000) }), sales);
    expect(expandOutbox(again.outbox).filter((e) => e.type === "customer.created")).toEqual([]);
    expect((await created(tenantId)).map((e) => e.id)).toEqual([announced.id]);
    expect(await db.customer.count({ where: { tenantId } })).toBe(1);
  });

  it("a sale of a customer the tenant knows announces no new customer", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Known Burgers");
    const phone = "+48730000002";
    await applyTransactionBatch(ledgerDeps(db), [txMessage(tenantId, { customer: { phone } })]);
    const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });

    const next = await applyTransactionBatch(ledgerDeps(db), [
      txMessage(tenantId, { customer: { phone } }),
      txMessage(tenantId, { customer: { id: customer.id } }),
    ]);
    expect(next.outcomes).toEqual([{ kind: "done" }, { kind: "done" }]);
    expect(expandOutbox(next.outbox).map((e) => e.type)).not.toContain("customer.created");
    expect((await created(tenantId)).map((e) => (e.payload as { customerId: string }).customerId)).toEqual([
      customer.id,
    ]);
  });

  it("a card names its kind, never its number; an anonymous sale creates nobody", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Card Burgers");
    const cardNumber = "CARD-7300003";
    const applied = await applyTransactionBatch(ledgerDeps(db), [
      txMessage(tenantId, { customer: { cardNumber }, channel: "kiosk" }),
      txMessage(tenantId, {}),
    ]);
    expect(applied.outcomes).toEqual([{ kind: "done" }, { kind: "done" }]);
    const [event, ...more] = await created(tenantId);
    expect(more).toEqual([]);
    expect(event?.payload).toMatchObject({ via: "kiosk", cause: "sale", identity: "card", fields: [] });
    expect(JSON.stringify(event?.payload)).not.toContain(cardNumber);
  });

  it("a card named in either case is one customer, kept under its upper-case number", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Card Case Burgers");
    for (const cardNumber of ["CARD-000417", "card-000417", "Card-000417"]) {
      const applied = await applyTransactionBatch(ledgerDeps(db), [txMessage(tenantId, { customer: { cardNumber } })]);
      expect(applied.outcomes).toEqual([{ kind: "done" }]);
    }
    const customers = await db.customer.findMany({ where: { tenantId }, include: { identities: true } });
    expect(customers).toEqual([
      expect.objectContaining({
        cardNumber: "CARD-000417",
        identities: [expect.objectContaining({ kind: "card", value: "CARD-000417" })],
      }),
    ]);
    expect(await created(tenantId)).toHaveLength(1);
  });

  it("another body under a stored externalId (a corrected phone) makes no customer: no row, no identity, no event", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Corrected Burgers");
    const first = txMessage(tenantId, { customer: { phone: "+48730000004" } });
    await applyTransactionBatch(ledgerDeps(db), [first]);
    const corrected = { ...first, transaction: { ...first.transaction, customer: { phone: "+48730000005" } } };
    const applied = await applyTransactionBatch(ledgerDeps(db), [corrected]);
    expect(applied.outcomes).toEqual([expect.objectContaining({ kind: "reject" })]);
    expect(applied.outcomes[0]).toMatchObject({ reason: expect.stringMatching(/^idempotency_conflict/) });
    expect(await db.customerIdentity.count({ where: { tenantId, value: "+48730000005" } })).toBe(0);
    expect(await db.customer.count({ where: { tenantId } })).toBe(1);
    expect(await created(tenantId)).toHaveLength(1);
  });
});
