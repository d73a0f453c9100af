import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerBalances } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";

let db: Db;
let tenantId: string;
let otherTenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  const tenants = (await Promise.all([loyaltyTenant(db, "Register A"), loyaltyTenant(db, "Register B")])).map(
    (t) => t.tenantId,
  );
  tenantId = tenants[0]!;
  otherTenantId = tenants[1]!;
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.register.${++n}` });
const freshPhone = () => `+48601${String(++n).padStart(6, "0")}`;
const register = (input: Record<string, unknown>, tenant = tenantId, at = now) =>
  registerCustomer(db, tenant, RegisterCustomerRequest.parse(input), appOrigin(at));
const failure = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, message: e.message, issues: e.issues };
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("registerCustomer", () => {
  it("creates an app customer with profile and consents, announced in the outbox", async () => {
    const ext = apple();
    const result = await register({
      externalIdentity: ext,
      name: "Ada Nowak",
      email: "Ada@Example.com",
      dateOfBirth: "1990-04-17",
      preferences: { diet: "vegetarian" },
      consents: [
        { channel: "push", purpose: "marketing", granted: true },
        { channel: "email", purpose: "marketing", granted: false },
      ],
      consentSource: "app:onboarding",
    });
    expect(result).toMatchObject({ outcome: "created", mergedCustomerIds: [] });
    expect(result.customer).toEqual({
      id: expect.stringMatching(/^cus_/),
      name: "Ada Nowak",
      email: "ada@example.com",
      phone: null,
      phoneVerified: false,
      dateOfBirth: "1990-04-17",
      preferences: { diet: "vegetarian" },
      externalIdentities: [ext],
      registeredAt: now.toISOString(),
      createdAt: now.toISOString(),
      consents: [
        {
          channel: "email",
          purpose: "marketing",
          granted: false,
          source: "app:onboarding",
          occurredAt: now.toISOString(),
        },
        {
          channel: "push",
          purpose: "marketing",
          granted: true,
          source: "app:onboarding",
          occurredAt: now.toISOString(),
        },
      ],
      pushDevices: [],
    });
    const id = result.customer.id;
    expect((await outboxOf(db, tenantId, "customer.created")).filter((e) => e.customerId === id)).toEqual([
      {
        type: "customer.created",
        id: `customer.created:${id}`,
        tenantId,
        customerId: id,
        occurredAt: now.toISOString(),
        via: "app",
        cause: "registration",
        fields: ["name", "email", "dateOfBirth", "preferences", "externalIdentities"],
      },
    ]);
    const consentEvents = (await outboxOf(db, tenantId, "consent.changed")).filter((e) => e.customerId === id);
    expect(consentEvents.map((e) => [e.channel, e.purpose, e.granted, e.source])).toEqual(
      expect.arrayContaining([
        ["push", "marketing", true, "app:onboarding"],
        ["email", "marketing", false, "app:onboarding"],
      ]),
    );
    expect(consentEvents).toHaveLength(2);
  });

  it("is idempotent by external identity: again, or twice at once, it is the same customer and nothing new", async () => {
    const ext = apple();
    const [a, b] = await Promise.all([
      register({ externalIdentity: ext, name: "First" }),
      register({ externalIdentity: ext, name: "First" }),
    ]);
    expect(a.customer.id).toBe(b.customer.id);
    expect([a.outcome, b.outcome].sort()).toEqual(["created", "existing"]);
    const again = await register({ externalIdentity: ext, name: "Someone Else", consents: [] });
    expect(again).toMatchObject({ outcome: "existing", customer: { id: a.customer.id, name: "First" } });
    expect(
      (await outboxOf(db, tenantId, "customer.created")).filter((e) => e.customerId === a.customer.id),
    ).toHaveLength(1);
    expect(await db.customerIdentity.count({ where: { tenantId, value: ext.subject } })).toBe(1);
  });

  it("links the customer the tills know when the phone is proven: same id, points included", async () => {
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 2_500 }, now));
    const till = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const ext = apple();
    const linked = await register({ externalIdentity: ext, phone, phoneVerified: true, name: "Till Regular" });
    expect(linked).toMatchObject({
      outcome: "linked",
      customer: { id: till.id, phone, phoneVerified: true, name: "Till Regular", externalIdentities: [ext] },
    });
    expect((await customerBalances(db, tenantId, till.id)).points).toBe(25);
    const [updated] = (await outboxOf(db, tenantId, "customer.updated")).filter((e) => e.customerId === till.id);
    expect(updated).toMatchObject({
      cause: "registration",
      changed: expect.arrayContaining(["name", "externalIdentities"]),
    });
    // The next sale by phone, and the next registration, find the same customer.
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_000 }, now));
    expect((await customerBalances(db, tenantId, till.id)).points).toBe(35);
    expect((await register({ externalIdentity: ext })).customer.id).toBe(till.id);
  });

  it("finds the tills' customer however the till wrote the number: +44 0... is the app's 0... in GB", async () => {
    await applyAtTill(db, now, tillMessage(tenantId, { phone: "+4407911123456", total: 1_000 }, now));
    const till = await db.customer.findFirstOrThrow({ where: { tenantId, createdVia: "pos", phone: "+447911123456" } });
    const app = await register({
      externalIdentity: apple(),
      phone: "07911 123456",
      country: "GB",
      phoneVerified: true,
    });
    expect(app).toMatchObject({ outcome: "linked", customer: { id: till.id, phone: "+447911123456" } });
    expect((await customerBalances(db, tenantId, till.id)).points).toBe(10);
  });

  it("never takes the tills' customer by an unproven phone: refused while they hold it, to be proven", async () => {
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 1_200 }, now));
    const till = await db.customer.findFirstOrThrow({ where: { tenantId, phone, createdVia: "pos" } });
    const ext = apple();
    expect(await failure(register({ externalIdentity: ext, phone: phone.replace("+48", "0048 ") }))).toMatchObject({
      code: "conflict",
      issues: [{ path: "phone", message: expect.stringMatching(/prove it/) }],
    });
    expect(await db.customerIdentity.findMany({ where: { tenantId, kind: "phone", value: phone } })).toEqual([
      expect.objectContaining({ customerId: till.id }),
    ]);
    expect(await db.customerIdentity.count({ where: { tenantId, value: ext.subject } })).toBe(0);
    expect((await customerBalances(db, tenantId, till.id)).points).toBe(12);
  });

  it("registers by a proven phone alone, idempotently", async () => {
    const phone = freshPhone();
    const first = await register({ phone: phone.slice(3), country: "PL", phoneVerified: true, name: "Phone Only" });
    expect(first).toMatchObject({
      outcome: "created",
      customer: { phone, phoneVerified: true, externalIdentities: [] },
    });
    const again = await register({ phone, phoneVerified: true });
    expect(again).toMatchObject({ outcome: "existing", customer: { id: first.customer.id, name: "Phone Only" } });
  });

  it("refuses what it cannot register with the field that is wrong", async () => {
    const issues = (body: unknown) =>
      RegisterCustomerRequest.safeParse(body).error?.issues.map((i) => i.path.join("."));
    expect(issues({ phone: "+48600100200" })).toEqual(["externalIdentity"]);
    expect(issues({ externalIdentity: apple(), phoneVerified: true })).toEqual(["phone"]);
    expect(issues({ externalIdentity: apple(), email: "not-an-email" })).toEqual(["email"]);
    expect(await failure(register({ externalIdentity: apple(), phone: "+48 12", phoneVerified: true }))).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "phone", message: expect.stringMatching(/not a valid/) }],
    });
    expect(await failure(register({ externalIdentity: apple(), phone: "600 100 200" }))).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "phone", message: expect.stringMatching(/country code/) }],
    });
    const tomorrowButOne = new Date(now.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(await failure(register({ externalIdentity: apple(), dateOfBirth: tomorrowButOne }))).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "dateOfBirth", message: "must not be in the future" }],
    });
    const consentedAt = new Date(now.getTime() + 3_600_000).toISOString();
    const consents = [{ channel: "push", purpose: "marketing", granted: true }];
    expect(await failure(register({ externalIdentity: apple(), consents, consentedAt }))).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "consentedAt", message: "must not be more than 5 minutes ahead" }],
    });
  });

  it("refuses to hand a proven phone's customer to a second account of the same provider", async () => {
    const phone = freshPhone();
    await register({ externalIdentity: apple(), phone, phoneVerified: true });
    expect(await failure(register({ externalIdentity: apple(), phone, phoneVerified: true }))).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/another apple account/),
    });
  });

  it("keeps tenants apart: the same identity and phone are different customers in another tenant", async () => {
    const ext = apple();
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 900 }, now));
    const mine = await register({ externalIdentity: ext });
    const theirs = await register({ externalIdentity: ext, phone, phoneVerified: true }, otherTenantId);
    expect(theirs.outcome).toBe("created");
    expect(theirs.customer.id).not.toBe(mine.customer.id);
    expect(
      await db.customerIdentity.findFirstOrThrow({ where: { tenantId, kind: "phone", value: phone } }),
    ).toMatchObject({
      customerId: expect.not.stringMatching(theirs.customer.id),
    });
    expect(await failure(readProfile(db, otherTenantId, mine.customer.id))).toMatchObject({ code: "not_found" });
  });
});
