import { createDb, type Db } from "@regulars/db";
import { customerBalances, ledgerTotals } from "@regulars/ledger-store";
import { clickhouseTextHits, clickhouseTotals, postgresTextHits } from "@regulars/privacy";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { line, postSale } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Acceptance scenario 12: an erasure request. The customer signs up in the app, buys, gets a refund and opens
// the app; everything flows through the gateway, the ledger and the writers into Postgres and ClickHouse. An
// admin erases them over tRPC: their personal data is gone from Postgres and ClickHouse, and the tenant's
// ledger and ClickHouse totals, and the customer's balance, are exactly what they were.

let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({ JOBS_INTERVAL_MS: "3600000" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Erasure Burgers");
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

/** Every writer on the domain stream has acknowledged everything: nothing about the customer is in flight. */
async function domainIdle(): Promise<boolean> {
  const durables = await system.bus.jsm.consumers.list(system.bus.topology.streams.domain).next();
  // The campaign runner's durable exists on every system's stream, but this system does not run the runner.
  const running = durables.filter((c) => c.name !== system.bus.topology.consumers.campaignTriggers);
  return running.every((c) => c.num_pending === 0 && c.num_ack_pending === 0);
}

/**
 * The tenant's movements per kind and unit, the erased customer's apart: how many, their sum and their entries.
 * Erasure keeps the ledger under the customer's id: movements taken away or detached from them show here even where
 * the sums by account kind stay.
 */
const movementTotals = (tenantId: string, customerId: string) => db.$queryRaw<
  { own: boolean; kind: string; unit: string; movements: bigint; amount: string; entries: bigint }[]
>`
  SELECT m.customer_id IS NOT DISTINCT FROM ${customerId} AS own, m.kind, m.unit, count(*) AS movements,
    sum(m.amount)::text AS amount, sum((SELECT count(*) FROM ledger_entries e WHERE e.movement_id = m.id))::int8 AS entries
  FROM ledger_movements m WHERE m.tenant_id = ${tenantId} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

it("erases the customer's personal data everywhere and keeps the tenant's accounting whole", async () => {
  const tag = Date.now().toString(36);
  const phone = `+48602${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const email = `greta.${tag}@example.org`;
  const name = `Greta Erasure ${tag}`;
  const appleSubject = `000417.${tag}.apple`;
  const signUp = await system.post("/v1/customers", tenant.apiKeys.app, {
    externalIdentity: { provider: "apple", subject: appleSubject },
    phone,
    phoneVerified: true,
    email,
    name,
    dateOfBirth: "1991-02-03",
    consents: [{ channel: "email", purpose: "marketing", granted: true }],
  });
  expect(signUp.status, JSON.stringify(signUp.body)).toBe(201);
  const customerId: string = signUp.body.customer.id;

  const sale = await postSale(system, tenant, phone, [line("BURGER", 1_500), line("FRIES", 500)]);
  const refundId = `REF-${tag}`;
  // The fries only: the customer keeps the burger's points, so erasing their entries would show in the sums.
  const refund = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    ...sale.body,
    externalId: refundId,
    type: "refund",
    refundOf: sale.body.externalId,
    channel: "pos", // refunded at the staffed till, whose key posts no kiosk sales
    lines: [{ ...line("FRIES", 500), lineNo: 1 }],
    total: 500,
  });
  expect(refund.status, JSON.stringify(refund.body)).toBe(202);
  await system.processed(tenant.apiKeys.admin, refundId);
  await postSale(system, tenant, "+48602999001", [line("MEAL", 2_000)]); // a neighbour keeps everything
  const event = await system.post("/v1/events", tenant.apiKeys.kiosk, {
    eventId: `ev-${tag}`,
    type: "form_submitted",
    occurredAt: new Date().toISOString(),
    customer: { phone },
    properties: { email },
  });
  expect(event.status).toBe(202);

  const analytics = system.analytics!;
  await eventually("the customer's facts in ClickHouse", async () => {
    const totals = await clickhouseTotals(analytics, tenant.tenantId);
    // The segments' snapshot too: a snapshot written after the erasure would bring the id back.
    const snapshots = await analytics.client.query({
      query: `SELECT count() AS n FROM ${analytics.database}.customers FINAL WHERE customer_id = {id:String}`,
      query_params: { id: customerId },
      format: "JSONEachRow",
    });
    const snapshot = Number((await snapshots.json<{ n: string }>())[0]?.n) > 0;
    const landed = Number(totals.tx.n) === 3 && totals.events === 1 && Number(totals.loyalty.n) > 0 && snapshot;
    return landed && (await domainIdle()) ? totals : undefined;
  });
  const admin = system.client(tenant.apiKeys.admin);
  const balanceBefore = await customerBalances(db, tenant.tenantId, customerId);
  expect(balanceBefore.points).toBeGreaterThan(0);
  const before = {
    ledger: await ledgerTotals(db, tenant.tenantId),
    movements: await movementTotals(tenant.tenantId, customerId),
    ch: await clickhouseTotals(analytics, tenant.tenantId),
  };
  expect(before.ledger.drift).toBe(0);
  const ownKinds = before.movements.filter((m) => m.own).map((m) => m.kind);
  expect(ownKinds).toEqual(expect.arrayContaining(["earn", "reverse"]));

  const exported = await admin.privacy.export.mutate({ customerId });
  expect(exported.clickhouse.events).toHaveLength(1);
  expect(exported.postgres.transactions).toHaveLength(2);

  const erased = await admin.privacy.erase.mutate({ customerId, confirmCustomerId: customerId });
  expect(erased).toMatchObject({ status: "erased", clickhousePending: false });

  expect(await postgresTextHits(db, [phone, phone.slice(1), email, name, appleSubject])).toEqual([]);
  expect(await clickhouseTextHits(analytics, [phone, email, name, appleSubject, customerId])).toEqual([]);
  // A date column, which the text search does not read.
  const [row] = await db.$queryRaw<{ date_of_birth: Date | null; erased: boolean }[]>`
    SELECT date_of_birth, erased_at IS NOT NULL AS erased FROM customers WHERE id = ${customerId}`;
  expect(row).toEqual({ date_of_birth: null, erased: true });
  expect(await ledgerTotals(db, tenant.tenantId)).toEqual(before.ledger);
  expect(await movementTotals(tenant.tenantId, customerId)).toEqual(before.movements);
  expect(await customerBalances(db, tenant.tenantId, customerId)).toEqual(balanceBefore);
  expect(await clickhouseTotals(analytics, tenant.tenantId)).toEqual({ ...before.ch, events: 0 });

  expect(await admin.privacy.erase.mutate({ customerId, confirmCustomerId: customerId })).toMatchObject({
    status: "already_erased",
  });
  // The phone is free again: the till enrols whoever brings it next as a new customer.
  const next = await postSale(system, tenant, phone, [line("MEAL", 1_000)]);
  expect(next.record.customerId).not.toBe(customerId);
});
