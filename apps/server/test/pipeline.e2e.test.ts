import { asAdminView } from "@regulars/api-client";
import { createDb, type Db } from "@regulars/db";
import { findBalanceDrift } from "@regulars/ledger-store";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, minutesAgo, saleBody, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

const pointsOf = async (key: string, phone: string) => {
  try {
    return (await system.client(key).customers.get.query({ phone })).points.balance;
  } catch {
    return undefined;
  }
};
const processed = (key: string, externalId: string) => system.processed(key, externalId);

beforeAll(async () => {
  system = await startTestSystem({ REFUND_WAIT_SECONDS: "8" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db);
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

describe("a posted transaction", () => {
  it("earns points visible through tRPC and lands in ClickHouse with its lines", async () => {
    const body = saleBody({ customer: { phone: "+48600100200" } }); // 2×350 + 790−40 = 1450 → 14 points
    const res = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ externalId: body.externalId, status: "accepted", duplicate: false });
    expect(res.body.id).toMatch(/^txn_/);

    const points = await eventually("points", async () =>
      (await pointsOf(tenant.apiKeys.admin, "+48600100200")) === 14 ? 14 : undefined,
    );
    expect(points).toBe(14);

    const tx = await processed(tenant.apiKeys.admin, body.externalId as string);
    expect(tx).toMatchObject({
      id: res.body.id,
      total: 1450,
      discountTotal: 40,
      pointsAwarded: 14,
      locationId: "store-017",
    });
    expect(tx.lines.map((l) => [l.sku, l.amount])).toEqual([
      ["FRIES-L", 700],
      ["BURGER-CLASSIC", 750],
    ]);
    expect(tx.movements).toEqual([expect.objectContaining({ kind: "earn", unit: "points", amount: 14 })]);

    const fact = await eventually("ClickHouse row", () =>
      system.analytics!.getTransaction(tenant.tenantId, res.body.id).then((r) => r ?? undefined),
    );
    expect(fact).toMatchObject({ customerId: tx.customerId, total: 1450, points: 14, lineCount: 2 });
    expect(fact.lines.map((l) => l.sku).sort()).toEqual(["BURGER-CLASSIC", "FRIES-L"]);
  });

  it("posted twice is accepted once and awarded once", async () => {
    const phone = "+48600100201";
    const body = saleBody({ customer: { phone } });
    const first = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
    const second = await system.post("/v1/transactions", tenant.apiKeys.pos, body);
    expect(first.body.duplicate).toBe(false);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ id: first.body.id, duplicate: true });
    // A later sale for the same customer proves the worker has moved past the duplicate.
    const later = saleBody({
      customer: { phone },
      lines: [{ sku: "COLA-M", name: "Cola", quantity: 1, unitPrice: 250, discount: 0, tags: [] }],
    });
    await system.post("/v1/transactions", tenant.apiKeys.pos, later);
    await processed(tenant.apiKeys.admin, later.externalId as string);
    expect(await pointsOf(tenant.apiKeys.admin, phone)).toBe(14 + 2);
    const ledger = await system.client(tenant.apiKeys.admin).customers.ledger.query({
      customerId: (await system.client(tenant.apiKeys.admin).customers.get.query({ phone })).id,
    });
    expect(ledger.items.map((i) => i.amount)).toEqual([2, 14]);
  });

  it("records anonymous sales without points", async () => {
    const body = saleBody();
    await system.post("/v1/transactions", tenant.apiKeys.pos, body);
    const tx = await processed(tenant.apiKeys.admin, body.externalId as string);
    expect(tx).toMatchObject({ customerId: null, pointsAwarded: 0, movements: [] });
  });

  it("resolves the same customer by card number and by external identity, separately", async () => {
    const card = saleBody({ customer: { cardNumber: "CARD-0001" } });
    const apple = saleBody({
      customer: { externalIdentity: { provider: "apple", subject: "001234.abcd" } },
      channel: "app",
    });
    await system.post("/v1/transactions", tenant.apiKeys.pos, card);
    await system.post("/v1/transactions", tenant.apiKeys.pos, apple);
    const a = await processed(tenant.apiKeys.admin, card.externalId as string);
    const b = await processed(tenant.apiKeys.admin, apple.externalId as string);
    expect(a.customerId).not.toBe(b.customerId);
    const byCard = await system.client(tenant.apiKeys.admin).customers.get.query({ cardNumber: "CARD-0001" });
    expect(byCard).toMatchObject({ id: a.customerId, cardNumber: "CARD-0001", points: { balance: 14, pending: 0 } });
    const byId = await system.client(tenant.apiKeys.admin).customers.get.query({ id: b.customerId! });
    expect(asAdminView(byId).identities).toEqual([{ kind: "ext:apple", value: "001234.abcd" }]);
  });

  it("refunds reverse points proportionally, and a full refund reverses exactly what was earned", async () => {
    const phone = "+48600100202";
    const sale = saleBody({
      customer: { phone },
      lines: [{ sku: "MENU", name: "Menu", quantity: 3, unitPrice: 999, discount: 0, tags: [] }],
    }); // 2997 → 29
    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    await processed(tenant.apiKeys.admin, sale.externalId as string);
    const partial = saleBody({
      type: "refund",
      refundOf: sale.externalId,
      lines: [{ sku: "MENU", name: "Menu", quantity: 1, unitPrice: 999, discount: 0, tags: [] }],
    });
    await system.post("/v1/transactions", tenant.apiKeys.pos, partial);
    const p = await processed(tenant.apiKeys.admin, partial.externalId as string);
    expect(p.pointsAwarded).toBe(-9); // floor(29 × 999 / 2997)
    expect(await pointsOf(tenant.apiKeys.admin, phone)).toBe(20);
    const rest = saleBody({
      type: "refund",
      refundOf: sale.externalId,
      lines: [{ sku: "MENU", name: "Menu", quantity: 2, unitPrice: 999, discount: 0, tags: [] }],
    });
    await system.post("/v1/transactions", tenant.apiKeys.pos, rest);
    await processed(tenant.apiKeys.admin, rest.externalId as string);
    expect(await pointsOf(tenant.apiKeys.admin, phone)).toBe(0);
    expect(await findBalanceDrift(db, tenant.tenantId)).toEqual([]);
  });

  it("a refund that arrives before its sale waits for it (longer than the retry budget) and then applies", async () => {
    const phone = "+48600100299";
    const sale = saleBody({
      customer: { phone },
      lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 3000, discount: 0, tags: [] }],
    });
    const refund = saleBody({
      type: "refund",
      refundOf: sale.externalId,
      lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1500, discount: 0, tags: [] }],
    });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, refund)).status).toBe(202);
    // Its receipt is written a moment after the 202: from then on it reads "accepted".
    await eventually("accepted", async () =>
      (
        await system
          .client(tenant.apiKeys.pos)
          .transactions.get.query({ externalId: refund.externalId as string })
          .catch(() => null)
      )?.status === "accepted"
        ? true
        : undefined,
    );
    // Past the 3 deliveries (0.5 + 1 + 2 s) after which a failing message would be dead-lettered.
    await new Promise((r) => setTimeout(r, 4_000));
    await system.post("/v1/transactions", tenant.apiKeys.pos, sale);
    expect((await processed(tenant.apiKeys.admin, refund.externalId as string)).pointsAwarded).toBe(-15);
    expect(await pointsOf(tenant.apiKeys.admin, phone)).toBe(15);
  });

  it("a refund whose sale never arrives is rejected after the wait, with a reason the integrator can read", async () => {
    const refund = saleBody({ type: "refund", refundOf: "NEVER-POSTED" });
    expect((await system.post("/v1/transactions", tenant.apiKeys.pos, refund)).status).toBe(202);
    const status = await eventually(
      "rejected",
      async () => {
        const s = await system
          .client(tenant.apiKeys.pos)
          .transactions.get.query({ externalId: refund.externalId as string });
        return s.status === "rejected" ? s : undefined;
      },
      30_000,
    );
    expect(status.reason).toMatchObject({
      code: "refunded_sale_not_found",
      message: expect.stringContaining("NEVER-POSTED"),
    });
    const dead = await eventually("dead letter", async () => {
      const stream = system.bus.topology.streams.deadLetter;
      const info = await system.bus.jsm.streams.info(stream);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
        const m = await system.bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
        const body = m?.json<{ reason: string; payload: string }>();
        if (body?.payload.includes(refund.externalId as string)) return body;
      }
      return undefined;
    });
    expect(dead.reason).toMatch(/^refunded_sale_not_found: the refunded sale NEVER-POSTED did not arrive within/);
  });

  it("writes behavioural events to ClickHouse attached to the known customer", async () => {
    const event = {
      eventId: "evt-app-1",
      type: "app_open",
      occurredAt: minutesAgo(30),
      customer: { phone: "+48600100200" },
      properties: { screen: "home" },
    };
    const res = await system.post("/v1/events", tenant.apiKeys.kiosk, event);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ eventId: "evt-app-1", duplicate: false });
    const customer = await system.client(tenant.apiKeys.admin).customers.get.query({ phone: "+48600100200" });
    const count = await eventually("event row", async () => {
      const n = await system.analytics!.countEvents(tenant.tenantId, { customerId: customer.id, type: "app_open" });
      return n > 0 ? n : undefined;
    });
    expect(count).toBe(1);
  });
});
