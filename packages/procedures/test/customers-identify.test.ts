import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { issueToken } from "@regulars/identity-tokens";
import { newId } from "@regulars/ids";
import { findCredential } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;
let other: Awaited<ReturnType<typeof tenantCallers>>;
let customerId: string;
const phone = "+48600777042";
const cardNumber = "CARD-KIOSK-42";

beforeAll(async () => {
  db = testDb();
  [t, other] = await Promise.all([tenantCallers(db, "Kiosk Burgers"), tenantCallers(db, "Other Kiosk Burgers")]);
  customerId = newId("customer");
  await db.customer.create({
    data: {
      id: customerId,
      tenantId: t.tenantId,
      name: "Anna Maria Kowalska",
      email: "anna.k@example.com",
      phone,
      cardNumber,
      createdVia: "test",
    },
  });
  await db.customerIdentity.createMany({
    data: [
      { tenantId: t.tenantId, kind: "phone", value: phone, customerId },
      { tenantId: t.tenantId, kind: "card", value: cardNumber, customerId },
    ],
  });
  await db.customerLoyalty.create({ data: { customerId, tenantId: t.tenantId, tier: "silver" } });
  await t.admin.customers.adjust({ customerId, amount: 240, reason: "welcome gift" });
});
afterAll(async () => {
  await db?.$disconnect();
});

const tillView = () => ({
  view: "till",
  id: customerId,
  firstName: "Anna",
  tier: { id: "silver" },
  points: { balance: 240, pending: 0, held: 0 },
  wallet: 0,
  walletHeld: 0,
});
const domainCode = (e: TRPCError) => (e.cause instanceof DomainError ? e.cause.code : undefined);
const token = async () => (await issueToken(db, t.tenantId, customerId)).token;

describe("customers.identify", () => {
  it("identifies with the app's token: first name, tier and points, nothing personal", async () => {
    const view = await t.kiosk.customers.identify({ token: await token() });
    expect(view).toEqual(tillView());
    const text = JSON.stringify(view);
    for (const value of ["Kowalska", "Maria", "anna.k@example.com", phone, cardNumber]) {
      expect(text).not.toContain(value);
    }
  });

  it("identifies by phone or card number", async () => {
    expect(await t.kiosk.customers.identify({ phone })).toEqual(tillView());
    expect(await t.kiosk.customers.identify({ cardNumber })).toEqual(tillView());
    // A card typed in lower case is the same card (a card's identity is its upper-case spelling).
    expect(await t.kiosk.customers.identify({ cardNumber: cardNumber.toLowerCase() })).toEqual(tillView());
    expect(await t.admin.customers.get({ cardNumber: cardNumber.toLowerCase() })).toMatchObject({ id: customerId });
  });

  it("identifies a card two customers hold only in other cases as the older of them, typed in any case", async () => {
    // Left so by migration 0059 for an admin to merge: a look-up must find one of them, the same one every time.
    const [older, newer] = [newId("customer"), newId("customer")];
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await db.customer.createMany({
      data: [
        { id: older, tenantId: t.tenantId, cardNumber: "Card-Kiosk-43", createdVia: "test", createdAt: anHourAgo },
        { id: newer, tenantId: t.tenantId, cardNumber: "card-kiosk-43", createdVia: "test" },
      ],
    });
    await db.customerIdentity.createMany({
      data: [
        { tenantId: t.tenantId, kind: "card", value: "Card-Kiosk-43", customerId: older },
        { tenantId: t.tenantId, kind: "card", value: "card-kiosk-43", customerId: newer },
      ],
    });
    for (const card of ["CARD-KIOSK-43", "card-kiosk-43"]) {
      expect(await t.kiosk.customers.identify({ cardNumber: card })).toMatchObject({ id: older });
      expect(await t.admin.customers.get({ cardNumber: card })).toMatchObject({ id: older });
    }
  });

  it("is open to kiosk, pos and admin keys, not to analyst or app keys", async () => {
    expect(await t.pos.customers.identify({ token: await token() })).toEqual(tillView());
    expect(await t.admin.customers.identify({ phone })).toEqual(tillView());
    expect((await failure(t.analyst.customers.identify({ phone }))).code).toBe("FORBIDDEN");
    const app = createCaller({ db, credential: await findCredential(db, t.apiKeys.app), requestId: "req_test" });
    expect((await failure(app.customers.identify({ phone }))).code).toBe("FORBIDDEN");
  });

  it("takes a token once: the second identification with it is refused as token_used", async () => {
    const once = await token();
    await t.kiosk.customers.identify({ token: once });
    const refused = await failure(t.kiosk.customers.identify({ token: once }));
    expect([refused.code, domainCode(refused)]).toEqual(["CONFLICT", "token_used"]);
  });

  it("refuses an expired token, another tenant's token and a made-up one, each with its code", async () => {
    const stale = await issueToken(db, t.tenantId, customerId, { now: new Date(Date.now() - 10 * 60_000) });
    const expired = await failure(t.kiosk.customers.identify({ token: stale.token }));
    expect([expired.code, domainCode(expired)]).toEqual(["UNPROCESSABLE_CONTENT", "token_expired"]);
    const elsewhere = await failure(other.kiosk.customers.identify({ token: await token() }));
    expect([elsewhere.code, domainCode(elsewhere)]).toEqual(["UNPROCESSABLE_CONTENT", "token_invalid"]);
    const madeUp = await failure(t.kiosk.customers.identify({ token: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln" }));
    expect(domainCode(madeUp)).toBe("token_invalid");
  });

  it("does not enrol: an unknown phone or card is not_found and creates no customer", async () => {
    const before = await db.customer.count({ where: { tenantId: t.tenantId } });
    expect((await failure(t.kiosk.customers.identify({ phone: "+48600777999" }))).code).toBe("NOT_FOUND");
    expect((await failure(t.kiosk.customers.identify({ cardNumber: "CARD-NOBODY" }))).code).toBe("NOT_FOUND");
    // Identities are per tenant: this tenant's customer is unknown to the other one.
    expect((await failure(other.kiosk.customers.identify({ phone }))).code).toBe("NOT_FOUND");
    expect(await db.customer.count({ where: { tenantId: t.tenantId } })).toBe(before);
  });

  it("wants exactly one of token, phone and card number", async () => {
    for (const input of [
      {},
      { phone, cardNumber },
      { token: "x", phone },
      { phone, id: customerId },
      { phone: "600" },
    ]) {
      expect((await failure(t.kiosk.customers.identify(input as never))).code, JSON.stringify(input)).toBe(
        "BAD_REQUEST",
      );
    }
  });
});

describe("customers.identify of an erased customer", () => {
  /** A regular of the kiosk's tenant with a phone, who then asks to be erased. */
  const regular = async (regularPhone: string) => {
    const id = newId("customer");
    await db.customer.create({
      data: { id, tenantId: t.tenantId, name: "Ewa Nowak", phone: regularPhone, createdVia: "test" },
    });
    await db.customerIdentity.create({
      data: { tenantId: t.tenantId, kind: "phone", value: regularPhone, customerId: id },
    });
    return id;
  };
  const erase = (id: string) => t.admin.privacy.erase({ customerId: id, confirmCustomerId: id });

  it("is not found by a token issued before the erasure, as by phone or by id", async () => {
    const erasedPhone = "+48600777051";
    const id = await regular(erasedPhone);
    const before = (await issueToken(db, t.tenantId, id, { ttlSeconds: 300 })).token;
    await erase(id);
    const unknown = await failure(t.kiosk.customers.identify({ phone: "+48600777998" }));
    for (const refused of [
      await failure(t.kiosk.customers.identify({ token: before })),
      await failure(t.kiosk.customers.identify({ phone: erasedPhone })),
      await failure(t.kiosk.customers.get({ id })),
      await failure(t.pos.customers.get({ id })),
    ]) {
      expect([refused.code, domainCode(refused), refused.message]).toEqual(["NOT_FOUND", "not_found", unknown.message]);
    }
  });

  it("keeps a token used before the erasure used: it identifies nobody a second time", async () => {
    const id = await regular("+48600777052");
    const once = (await issueToken(db, t.tenantId, id, { ttlSeconds: 300 })).token;
    expect((await t.kiosk.customers.identify({ token: once })).id).toBe(id);
    await erase(id);
    const refused = await failure(t.kiosk.customers.identify({ token: once }));
    expect([refused.code, domainCode(refused)]).toEqual(["CONFLICT", "token_used"]);
  });
});
