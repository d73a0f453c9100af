import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyTransactionBatch, outboxEventsOf } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Privacy is not a dependency of the gateway: its erasure is imported from source, as the tills meet its result.
import { eraseCustomer } from "../../../packages/privacy/src/index.ts";
import { startGateway, stopGateway, type TestBus, type TestGateway } from "./gateway-fixture.ts";

/** `POST /v1/customers/enrolments`: a till signs a customer up by phone with their consents; real services. */
let db: Db;
let bus: TestBus;
let tenant: CreatedTenant;
let other: CreatedTenant;
let gateway: TestGateway;
const now = new Date();

beforeAll(async () => {
  ({ db, bus, gateway } = await startGateway({ now: () => now }));
  [tenant, other] = await Promise.all([testTenant(db, "Enrolment Door"), testTenant(db, "Enrolment Door Other")]);
});
afterAll(() => stopGateway({ gateway, bus, db }));

const enrol = async (body: unknown, key = tenant.apiKeys.pos) => {
  const res = await gateway.request("/v1/customers/enrolments", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const smsYes = { channel: "sms", purpose: "marketing", granted: true };
const payloads = async (tenantId: string, type: string) =>
  (await outboxEventsOf(db, tenantId, type)).map((e) => e.payload as Record<string, any>);
const consentsOf = (customerId: string) =>
  db.$queryRaw<{ channel: string; granted: boolean; source: string; actor: string }[]>`
    SELECT channel, granted, source, actor FROM customer_consents WHERE customer_id = ${customerId} ORDER BY channel`;

/** A till's sale naming the customer by phone, applied as the ledger worker applies it. */
async function saleByPhone(tenantId: string, phone: string) {
  const transaction = TransactionInput.parse({
    externalId: `ENROL-${now.getTime()}`,
    type: "sale",
    occurredAt: new Date(now.getTime() - 10 * 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1_000, discount: 0, tags: [] }],
    total: 1_000,
    customer: { phone },
  });
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  const { outcomes } = await applyTransactionBatch({ db, programmes: new ProgrammeCache(db, 0), now: () => now }, [
    { tenantId, transactionId, receivedAt: now.toISOString(), transaction },
  ]);
  expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
}

describe("POST /v1/customers/enrolments", () => {
  it("creates the customer with the till's consents (201), and a repeat changes nothing (200)", async () => {
    const body = { phone: "+48604100001", locationId: "store-017", consents: [smsYes] };
    const created = await enrol(body);
    expect(created).toEqual({
      status: 201,
      body: { customerId: expect.stringMatching(/^cus_/), created: true, consentsIgnored: [] },
    });
    const { customerId } = created.body;
    expect(await db.customer.findUniqueOrThrow({ where: { id: customerId } })).toMatchObject({
      tenantId: tenant.tenantId,
      phone: "+48604100001",
      createdVia: "pos",
    });
    expect(await consentsOf(customerId)).toEqual([
      { channel: "sms", granted: true, source: "till:store-017", actor: expect.any(String) },
    ]);
    const announced = await payloads(tenant.tenantId, "customer.created");
    expect(announced.filter((e) => e.customerId === customerId)).toEqual([
      expect.objectContaining({ cause: "enrolment", via: "pos", identity: "phone" }),
    ]);
    const changed = (await payloads(tenant.tenantId, "consent.changed")).filter((e) => e.customerId === customerId);
    expect(changed).toEqual([expect.objectContaining({ channel: "sms", granted: true, source: "till:store-017" })]);

    expect(await enrol(body)).toEqual({ status: 200, body: { customerId, created: false, consentsIgnored: [] } });
    expect(await consentsOf(customerId)).toHaveLength(1);
    expect(
      (await payloads(tenant.tenantId, "customer.created")).filter((e) => e.customerId === customerId),
    ).toHaveLength(1);
    expect(
      (await payloads(tenant.tenantId, "consent.changed")).filter((e) => e.customerId === customerId),
    ).toHaveLength(1);
  });

  it("gives the customer a sale created their consents, without announcing a new customer", async () => {
    await saleByPhone(tenant.tenantId, "+48604100002");
    const owner = await db.customerIdentity.findFirstOrThrow({
      where: { tenantId: tenant.tenantId, kind: "phone", value: "+48604100002" },
    });
    const res = await enrol(
      { phone: "+48604100002", locationId: "store-001", consents: [smsYes] },
      tenant.apiKeys.kiosk,
    );
    expect(res).toEqual({ status: 200, body: { customerId: owner.customerId, created: false, consentsIgnored: [] } });
    expect(await consentsOf(owner.customerId)).toEqual([expect.objectContaining({ source: "till:store-001" })]);
    const announced = (await payloads(tenant.tenantId, "customer.created")).filter(
      (e) => e.customerId === owner.customerId,
    );
    expect(announced.map((e) => e.cause)).toEqual(["sale"]);
  });

  it("a kiosk typing an app account's phone never changes its choices, records one never made, names the rest", async () => {
    const registered = await gateway.request("/v1/customers", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.apiKeys.app}` },
      body: JSON.stringify({
        externalIdentity: { provider: "apple", subject: `enrol-${now.getTime()}` },
        phone: "+48604100006",
        phoneVerified: true,
        consents: [
          { channel: "email", purpose: "marketing", granted: false },
          { channel: "sms", purpose: "marketing", granted: true },
        ],
        consentSource: "app:onboarding",
      }),
    });
    const accountId = ((await registered.json()) as any).customer.id;

    const res = await enrol(
      {
        phone: "+48604100006",
        locationId: "anything",
        consents: [
          { channel: "sms", purpose: "marketing", granted: false },
          { channel: "email", purpose: "marketing", granted: true },
          { channel: "push", purpose: "marketing", granted: true },
        ],
      },
      tenant.apiKeys.kiosk,
    );

    expect(await consentsOf(accountId)).toEqual([
      expect.objectContaining({ channel: "email", granted: false, source: "app:onboarding" }),
      expect.objectContaining({ channel: "push", granted: true, source: "till:anything" }),
      expect.objectContaining({ channel: "sms", granted: true, source: "app:onboarding" }),
    ]);
    expect(res).toEqual({
      status: 200,
      body: {
        customerId: accountId,
        created: false,
        consentsIgnored: [
          { channel: "sms", purpose: "marketing" },
          { channel: "email", purpose: "marketing" },
        ],
      },
    });
  });

  it("the phone of a customer whose data was erased enrols a new customer", async () => {
    const first = await enrol({ phone: "+48604100007", locationId: "store-017", consents: [smsYes] });
    await eraseCustomer({ db, analytics: null }, tenant.tenantId, first.body.customerId, {
      actor: "key_admin",
      cause: "request",
      now,
    });

    const again = await enrol({ phone: "+48604100007", locationId: "store-017", consents: [smsYes] });

    expect(again).toEqual({
      status: 201,
      body: { customerId: expect.any(String), created: true, consentsIgnored: [] },
    });
    expect(again.body.customerId).not.toBe(first.body.customerId);
    expect(await consentsOf(again.body.customerId)).toEqual([
      expect.objectContaining({ channel: "sms", granted: true }),
    ]);
  });

  it("two tills enrolling one phone at once get one customer", async () => {
    const body = { phone: "+48604100003", locationId: "store-017", consents: [smsYes] };
    const answers = await Promise.all([enrol(body), enrol(body, tenant.apiKeys.kiosk)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(new Set(answers.map((a) => a.body.customerId)).size).toBe(1);
    expect(await db.customer.count({ where: { tenantId: tenant.tenantId, phone: "+48604100003" } })).toBe(1);
    expect(await consentsOf(answers[0]!.body.customerId)).toHaveLength(1);
  });

  it("a till keeping the 0 after a Polish country code finds the customer stored so before", async () => {
    // Tills have stored "+48 0 604…" as read, 0 and all: the customer must be found under it again.
    const first = await enrol({ phone: "+48604100008", locationId: "store-017", consents: [] });
    const id = first.body.customerId;
    await db.$executeRaw`UPDATE customers SET phone = '+480604100008' WHERE id = ${id}`;
    await db.$executeRaw`
      UPDATE customer_identities SET value = '+480604100008' WHERE customer_id = ${id} AND value = '+48604100008'`;
    const again = await enrol({ phone: "+480604100008", locationId: "store-017", consents: [] });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.customerId).toBe(id);
    expect(await db.customer.count({ where: { tenantId: tenant.tenantId, phone: { endsWith: "604100008" } } })).toBe(1);
  });

  it("another tenant's key enrols a customer of its own", async () => {
    const body = { phone: "+48604100004", locationId: "store-017", consents: [] };
    const mine = await enrol(body);
    const theirs = await enrol(body, other.apiKeys.pos);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.customerId).not.toBe(mine.body.customerId);
    expect(await db.customer.findUniqueOrThrow({ where: { id: theirs.body.customerId } })).toMatchObject({
      tenantId: other.tenantId,
    });
  });

  it("refuses a bad phone naming it (400), duplicate consents, and an app key (403)", async () => {
    const bad = await enrol({ phone: "600 100 200", locationId: "store-017", consents: [] });
    expect(bad).toMatchObject({ status: 400, body: { code: "invalid_request", issues: [{ path: "phone" }] } });
    const twice = await enrol({ phone: "+48604100005", locationId: "store-017", consents: [smsYes, smsYes] });
    expect(twice).toMatchObject({ status: 400, body: { issues: [{ path: "consents.1" }] } });
    const app = await enrol({ phone: "+48604100005", locationId: "store-017", consents: [] }, tenant.apiKeys.app);
    expect(app).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(await db.customer.count({ where: { tenantId: tenant.tenantId, phone: "+48604100005" } })).toBe(0);
  });

  it("is in the OpenAPI document, and each request example works as it stands", async () => {
    const doc = (await (await gateway.request("/v1/openapi.json")).json()) as any;
    const op = doc.paths["/v1/customers/enrolments"].post;
    expect(op).toMatchObject({ operationId: "enrolCustomerAtTill", tags: ["Customers"], security: [{ apiKey: [] }] });
    expect(doc.components.schemas.EnrolCustomerRequest.description).toEqual(expect.any(String));
    const examples = Object.entries(op.requestBody.content["application/json"].examples as Record<string, any>);
    expect(examples.length).toBeGreaterThan(0);
    // A tenant of its own, so the example phone numbers name nobody else's customer.
    const readers = await testTenant(db, "Enrolment Examples");
    for (const [name, { value }] of examples)
      expect({ name, ...(await enrol(value, readers.apiKeys.pos)) }).toMatchObject({ status: 201 });
  });
});
