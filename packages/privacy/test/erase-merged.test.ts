import { rowsOfCustomers } from "@regulars/analytics";
import { RegisterCustomerRequest, TransactionInput, UpdateProfileRequest } from "@regulars/contracts";
import { registerCustomer, updateProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { raceWithHeldTransaction, testAnalytics, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, exportCustomer } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// A person is the customer and everyone merged into it (a till's enrolment merged into the app account that proved
// its phone): an erasure reaches all of them, whenever the merge commits, and a merged-away id stands for its survivor.

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

const now = new Date();
const app = { actor: "key_app", source: "app", now };
const admin = { actor: "key_admin", cause: "request" as const, now };
const unique = () => Math.random().toString(36).slice(2, 10);
const newPhone = () => `+48604${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;

/** A till's customer enrolled by phone at a sale, with a name, e-mail and card an operator gave it. */
async function tillCustomer(tenantId: string, phone: string): Promise<string> {
  const transaction = TransactionInput.parse({
    externalId: `MRG-${unique()}`,
    type: "sale",
    occurredAt: new Date(now.getTime() - 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1000, discount: 0, tags: [] }],
    total: 1000,
    customer: { phone },
  });
  const { outcomes } = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
    {
      tenantId,
      transactionId: stableId("transaction", tenantId, transaction.externalId),
      receivedAt: now.toISOString(),
      transaction,
    },
  ]);
  expect(outcomes[0]!.kind).toBe("done");
  const [till] = await db.$queryRaw<{ customer_id: string }[]>`
    SELECT customer_id FROM customer_identities WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value = ${phone}`;
  const tag = unique();
  await db.$executeRaw`
    UPDATE customers SET name = ${`Till ${tag}`}, email = ${`till.${tag}@example.org`}, card_number = ${`CARD-${tag}`}
    WHERE id = ${till!.customer_id}`;
  return till!.customer_id;
}

const appAccount = async (tenantId: string) =>
  (
    await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({ externalIdentity: { provider: "app", subject: `sub-${unique()}` }, name: "Ada" }),
      app,
    )
  ).customer.id;

/** The app account proving the till customer's phone: the till customer is merged into it. */
const proveMerge = (tx: Parameters<typeof updateProfile>[0], tenantId: string, accountId: string, phone: string) =>
  updateProfile(tx, tenantId, accountId, UpdateProfileRequest.parse({ phone, phoneVerified: true }), app);

async function mergedPair(tenantId: string) {
  const phone = newPhone();
  const till = await tillCustomer(tenantId, phone);
  const account = await appAccount(tenantId);
  await proveMerge(db, tenantId, account, phone);
  return { till, account };
}

const personal = async (id: string) =>
  (
    await db.$queryRaw<
      {
        name: string | null;
        email: string | null;
        phone: string | null;
        card_number: string | null;
        erased_at: Date | null;
      }[]
    >`
      SELECT name, email, phone, card_number, erased_at FROM customers WHERE id = ${id}`
  )[0]!;
const scrubbed = { name: null, email: null, phone: null, card_number: null, erased_at: expect.any(Date) };

describe("erasure of a person with merges", () => {
  it("erases the till customer a merge moved in while the erasure waited for the account's lock", async () => {
    const { tenantId } = await privacyTenant(db);
    const phone = newPhone();
    const till = await tillCustomer(tenantId, phone);
    const account = await appAccount(tenantId);

    const outcome = await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      (tx) => proveMerge(tx, tenantId, account, phone),
      () => eraseCustomer({ db }, tenantId, account, admin),
      "the erasure",
    );

    expect(outcome.status).toBe("erased");
    expect(await db.customerMerge.count({ where: { tenantId, mergedId: till, intoId: account } })).toBe(1);
    expect(await personal(account)).toEqual(scrubbed);
    expect(await personal(till)).toEqual(scrubbed);
    expect(outcome.outbox.map((o) => (o.payload as { customerId: string }).customerId).sort()).toEqual(
      [account, till].sort(),
    );
  });

  it("refuses a customer merged away while the erasure waited for its lock, naming the survivor", async () => {
    const { tenantId } = await privacyTenant(db);
    const phone = newPhone();
    const till = await tillCustomer(tenantId, phone);
    const account = await appAccount(tenantId);

    const refused = await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      (tx) => proveMerge(tx, tenantId, account, phone),
      () =>
        eraseCustomer({ db }, tenantId, till, admin).then(
          () => null,
          (e: Error) => e,
        ),
      "the erasure",
    );

    expect(refused).toMatchObject({ code: "conflict", message: expect.stringContaining(account) });
    expect((await personal(account)).erased_at).toBeNull();
    expect((await personal(till)).erased_at).toBeNull();
  });

  it("erases, on a second request, a merged-in customer an earlier erasure left unerased", async () => {
    const { tenantId } = await privacyTenant(db);
    const { till, account } = await mergedPair(tenantId);
    // What an erasure that locked before the merge committed left: the account erased (ClickHouse's part done),
    // the till customer merged into it keeping its data and its behavioural events.
    await db.$executeRaw`
      UPDATE customers SET name = NULL, email = NULL, phone = NULL, card_number = NULL, date_of_birth = NULL,
        erased_at = ${now} WHERE id = ${account}`;
    await db.$executeRaw`
      INSERT INTO erasure_requests (id, tenant_id, customer_id, requested_by, reason, requested_at, postgres_done_at,
        clickhouse_done_at)
      VALUES (${`era_${unique()}`}, ${tenantId}, ${account}, 'key_admin', 'request', ${now}, ${now}, ${now})`;
    await analytics.insertEvents([
      {
        tenantId,
        eventId: `ev_${unique()}`,
        type: "profile_viewed",
        occurredAt: new Date(now.getTime() - 60_000).toISOString(),
        customerId: till,
        locationId: null,
        channel: "app",
        properties: {},
      },
    ]);
    expect(await rowsOfCustomers(analytics, tenantId, [till])).toBeGreaterThan(0);

    const again = await eraseCustomer({ db, analytics }, tenantId, account, admin);

    expect(again).toMatchObject({ status: "erased", clickhousePending: false });
    expect(again.outbox.map((o) => (o.payload as { customerId: string }).customerId)).toEqual([till]);
    expect(await personal(till)).toEqual(scrubbed);
    expect(await rowsOfCustomers(analytics, tenantId, [till])).toBe(0);
    expect(await db.erasureRequest.count({ where: { tenantId } })).toBe(1);
    expect(await eraseCustomer({ db, analytics }, tenantId, account, admin)).toMatchObject({
      status: "already_erased",
      clickhousePending: false,
    });
  });
});

describe("a merged-away id", () => {
  it("exports the survivor's data, saying whose", async () => {
    const { tenantId } = await privacyTenant(db);
    const { till, account } = await mergedPair(tenantId);

    const doc = await exportCustomer({ db, analytics }, tenantId, till, { actor: "key_admin", now });

    expect(doc).toMatchObject({ customerId: account, resolvedFrom: till });
    expect([...doc.customerIds].sort()).toEqual([account, till].sort());
    expect((doc.postgres.customer_identities as { kind: string }[]).map((i) => i.kind)).toContain("phone");
    expect(doc.postgres.transactions).toHaveLength(1);
    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: "privacy.export" } });
    expect(audit).toMatchObject({ target: account, details: expect.objectContaining({ resolvedFrom: till }) });
    expect(await exportCustomer({ db, analytics }, tenantId, account, { actor: "key_admin", now })).toMatchObject({
      customerId: account,
      resolvedFrom: null,
    });
  });

  it("is not erased: the erasure is refused, naming the account to erase, and nothing changes", async () => {
    const { tenantId } = await privacyTenant(db);
    const { till, account } = await mergedPair(tenantId);

    const refused = await eraseCustomer({ db }, tenantId, till, admin).then(
      () => null,
      (e: Error) => e,
    );

    expect(refused).toMatchObject({
      code: "conflict",
      message: `this customer was merged into ${account}; erase ${account}, which erases both`,
      issues: [{ path: "customerId", message: expect.stringContaining(account) }],
    });
    expect((await personal(account)).erased_at).toBeNull();
    expect((await personal(account)).phone).not.toBeNull();
    expect((await personal(till)).erased_at).toBeNull();
    expect(await db.erasureRequest.count({ where: { tenantId } })).toBe(0);
  });
});
