import type { Db } from "@regulars/db";
import { customerBalances, ledgerTotals } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clickhouseTextHits,
  clickhouseTotals,
  eraseCustomer,
  exportCustomer,
  finishErasures,
  postgresTextHits,
} from "../src/index.ts";
import { privacyTenant, type SeededCustomer, seedCustomer, transactionFact } from "./fixtures.ts";

// Acceptance scenario 12: after an erasure the customer's personal data is gone from Postgres and ClickHouse,
// and the tenant's ledger and ClickHouse totals are what they were.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const admin = (now = new Date()) => ({ actor: "key_admin", cause: "request" as const, now });

/**
 * Marks the tenant's outbox published, as the system that committed those events would have. The test database is
 * shared with other suites' running systems, whose outbox relays publish what stays unpublished in it, whichever
 * tenant's, to their consumers, which may then write this customer's behavioural rows (a profile order) at any
 * moment: a sweep rightly deletes such late rows, so a second sweep that should find nothing acted (seen once).
 */
const settleOutbox = (tenantId: string) =>
  db.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE tenant_id = ${tenantId} AND published_at IS NULL`;

describe("export", () => {
  it("holds everything about the customer, from Postgres and ClickHouse", async () => {
    const { tenantId } = await privacyTenant(db);
    const c = await seedCustomer(db, analytics, tenantId, new Date());
    const doc = await exportCustomer({ db, analytics }, tenantId, c.customerId, {
      actor: "key_admin",
      now: new Date(),
    });
    const pg = doc.postgres as Record<string, Record<string, unknown>[]>;
    expect(pg.customers).toEqual([
      expect.objectContaining({ id: c.customerId, phone: c.phone, email: c.email, name: c.name }),
    ]);
    expect(pg.customer_identities!.map((i) => i.kind).sort()).toEqual(["card", "ext:app", "phone"]);
    expect(pg.customer_profiles).toHaveLength(1);
    expect(pg.customer_consents!.length).toBeGreaterThanOrEqual(3); // two granted, one withdrawn
    expect(pg.customer_push_tokens).toHaveLength(1);
    expect(pg.transactions!.map((t) => t.id).sort()).toEqual([c.saleId, c.refundId].sort());
    expect(pg.transaction_lines).toHaveLength(2);
    expect(pg.ledger_accounts!.length).toBeGreaterThan(0);
    expect(pg.ledger_movements!.length).toBeGreaterThan(0);
    expect(pg.ledger_entries!.length).toBeGreaterThan(0);
    expect(pg.point_lots!.length).toBeGreaterThan(0);
    expect(pg.wallet_coupons).toHaveLength(1);
    expect(pg.checkout_holds).toHaveLength(1);
    expect(pg.hold_confirmations).toHaveLength(1);
    expect(pg.dev_messages).toHaveLength(1);
    expect(pg.used_identity_tokens).toHaveLength(1);
    expect(doc.clickhouse.transactions).toHaveLength(2);
    expect(doc.clickhouse.transaction_lines).toHaveLength(2);
    expect(doc.clickhouse.events).toHaveLength(1);
    expect(doc.clickhouse.loyalty_events).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc); // one plain JSON document

    const [audit] = await db.auditLog.findMany({ where: { tenantId, action: "privacy.export" } });
    expect(audit?.target).toBe(c.customerId);
    expect(JSON.stringify(audit?.details)).not.toContain(c.phone);
  });
});

describe("erasure", () => {
  let tenantId: string;
  let c: SeededCustomer;
  let before: {
    ledger: Awaited<ReturnType<typeof ledgerTotals>>;
    clickhouse: Awaited<ReturnType<typeof clickhouseTotals>>;
  };
  let balancesBefore: Awaited<ReturnType<typeof customerBalances>>;

  beforeAll(async () => {
    ({ tenantId } = await privacyTenant(db, "Erasure Burgers"));
    c = await seedCustomer(db, analytics, tenantId, new Date());
    await seedCustomer(db, analytics, tenantId, new Date()); // a neighbour who keeps everything
    await settleOutbox(tenantId);
    before = { ledger: await ledgerTotals(db, tenantId), clickhouse: await clickhouseTotals(analytics, tenantId) };
    balancesBefore = await customerBalances(db, tenantId, c.customerId);
  });

  it("leaves no personal data in Postgres or ClickHouse and every total as it was (scenario 12)", async () => {
    const secrets = [c.phone, c.phone.slice(1), c.email, c.name, c.cardNumber];
    expect((await postgresTextHits(db, secrets)).length).toBeGreaterThan(0); // the probe finds them before

    const outcome = await eraseCustomer({ db, analytics }, tenantId, c.customerId, admin());
    await settleOutbox(tenantId);
    expect(await db.erasureRequest.findFirst({ where: { customerId: c.customerId } })).toMatchObject({
      lastError: null,
    });
    expect(outcome).toMatchObject({ status: "erased", clickhousePending: false });

    expect(await postgresTextHits(db, secrets)).toEqual([]);
    expect(await clickhouseTextHits(analytics, [...secrets, c.customerId])).toEqual([]);
    const row = await db.customer.findUniqueOrThrow({ where: { id: c.customerId } });
    expect(row).toMatchObject({ name: null, email: null, phone: null, cardNumber: null, dateOfBirth: null });
    expect(row.erasedAt).toBeInstanceOf(Date);
    expect(await db.customerIdentity.count({ where: { customerId: c.customerId } })).toBe(0);
    expect(await db.customerConsent.count({ where: { customerId: c.customerId } })).toBe(0);

    expect(await ledgerTotals(db, tenantId)).toEqual(before.ledger);
    expect(await customerBalances(db, tenantId, c.customerId)).toEqual(balancesBefore);
    expect(await clickhouseTotals(analytics, tenantId)).toEqual({
      ...before.clickhouse,
      events: before.clickhouse.events - 1,
    });
    expect(await analytics.countEvents(tenantId, { customerId: c.customerId })).toBe(0);

    // Re-keyed, not copied: one pseudonym holds the customer's sale and refund, and it is kept nowhere.
    const keyed = await analytics.client.query({
      query: `SELECT DISTINCT customer_id FROM ${analytics.database}.transactions FINAL WHERE tenant_id = {t:String} AND customer_id LIKE 'anon_%'`,
      query_params: { t: tenantId },
      format: "JSONEachRow",
    });
    const pseudonyms = await keyed.json<{ customer_id: string }>();
    expect(pseudonyms).toHaveLength(1);
    expect(await postgresTextHits(db, [pseudonyms[0]!.customer_id])).toEqual([]);

    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: "privacy.erase" } });
    expect(audit.target).toBe(c.customerId);
    const outbox = await db.outboxEvent.findMany({ where: { tenantId, type: "customer.erased" } });
    expect(outbox.map((o) => (o.payload as { customerId: string }).customerId)).toEqual([c.customerId]);
  });

  it("is a no-op the second time, reporting the first", async () => {
    const again = await eraseCustomer({ db, analytics }, tenantId, c.customerId, admin());
    expect(again).toMatchObject({ status: "already_erased", clickhousePending: false });
    expect(await db.auditLog.count({ where: { tenantId, action: "privacy.erase" } })).toBe(1);
    expect(await ledgerTotals(db, tenantId)).toEqual(before.ledger);
  });

  it("sweeps facts that reach ClickHouse after the erasure, never counting one twice", async () => {
    const sale = await db.transaction.findUniqueOrThrow({ where: { id: c.saleId } });
    const late = { ...transactionFact(sale, c.customerId), transactionId: `${c.saleId}_late`, externalId: "LATE" };
    const totals = await clickhouseTotals(analytics, tenantId);
    // A redelivery of the sale (already re-keyed), a sale that had not landed yet, and a late app event.
    await analytics.insertTransactions([transactionFact(sale, c.customerId), late]);
    await analytics.insertEvents([
      {
        tenantId,
        eventId: "ev_late",
        type: "app_open",
        occurredAt: new Date().toISOString(),
        customerId: c.customerId,
        locationId: null,
        channel: "app",
        properties: { email: c.email },
      },
    ]);
    const log = { warn() {} } as never;
    // At least this erasure; the sweep of the tenant's earlier erasure may act too (see the closing checks).
    expect((await finishErasures({ db, log, tenantId, now: new Date(), analytics })).acted).toBeGreaterThanOrEqual(1);
    expect(await clickhouseTextHits(analytics, [c.customerId, c.email])).toEqual([]);
    const after = await clickhouseTotals(analytics, tenantId);
    expect(after.tx).toMatchObject({
      n: String(Number(totals.tx.n) + 1),
      total: String(Number(totals.tx.total) + late.total),
    });
    expect(after.lines.n).toBe(String(Number(totals.lines.n) + 1));
    expect(after.events).toBe(totals.events);
    expect(await finishErasures({ db, log, tenantId, now: new Date(), analytics })).toMatchObject({ acted: 0 });
  });

  it("lets the phone, card and app identity register again as a new customer", async () => {
    const next = await seedCustomer(db, analytics, tenantId, new Date());
    expect(next.customerId).not.toBe(c.customerId);
  });

  it("finishes ClickHouse's part later when ClickHouse fails midway, with the same pseudonym", async () => {
    const other = await seedCustomer(db, analytics, tenantId, new Date());
    const totals = await clickhouseTotals(analytics, tenantId);
    const broken = { client: analytics.client, database: "no_such_database" };
    const outcome = await eraseCustomer({ db, analytics: broken }, tenantId, other.customerId, admin());
    expect(outcome).toMatchObject({ status: "erased", clickhousePending: true });
    const request = await db.erasureRequest.findUniqueOrThrow({ where: { customerId: other.customerId } });
    expect(request).toMatchObject({ attempts: 1, clickhouseDoneAt: null });
    expect(request.lastError).toBeTruthy();
    expect(request.pseudonym).toMatch(/^anon_/);

    const log = { warn() {} } as never;
    // At least this erasure; the sweep of the tenant's earlier erasure may act too (see the closing checks).
    expect((await finishErasures({ db, log, tenantId, now: new Date(), analytics })).acted).toBeGreaterThanOrEqual(1);
    const done = await db.erasureRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(done.pseudonym).toBeNull();
    expect(done.clickhouseDoneAt).toBeInstanceOf(Date);
    expect(await clickhouseTextHits(analytics, [other.customerId, other.email])).toEqual([]);
    expect(await clickhouseTotals(analytics, tenantId)).toEqual({ ...totals, events: totals.events - 1 });
    expect(await finishErasures({ db, log, tenantId, now: new Date(), analytics })).toMatchObject({ acted: 0 });
  });

  it("never reaches another tenant's customer", async () => {
    const { tenantId: otherTenant } = await privacyTenant(db, "Other Burgers");
    const victim = await seedCustomer(db, analytics, tenantId, new Date());
    await expect(eraseCustomer({ db, analytics }, otherTenant, victim.customerId, admin())).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      exportCustomer({ db, analytics }, otherTenant, victim.customerId, { actor: "key_admin", now: new Date() }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect((await db.customer.findUniqueOrThrow({ where: { id: victim.customerId } })).erasedAt).toBeNull();
  });
});
