import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { resolveCustomers } from "@regulars/ledger-store";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer, updateProfile } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";

// Identities are unique per tenant, and no message goes out without the matching consent: a number typed in the app
// (not proven) that another customer holds as an identity would send the campaign SMS this customer consented to to
// the holder's phone. It is refused, at registration and on a profile change; proving it links the holder instead.

let db: Db;
let tenantId: string;
const now = new Date();

beforeAll(async () => {
  db = testDb();
  ({ tenantId } = await loyaltyTenant(db, "Held Phone Burgers"));
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.phone-held.${++n}` });
const freshPhone = () => `+48609${String(++n).padStart(6, "0")}`;
/** The number as someone types it in the app: spaces, no plus. */
const typed = (phone: string) => `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`;
const register = (input: Record<string, unknown>) =>
  registerCustomer(db, tenantId, RegisterCustomerRequest.parse(input), appOrigin(now));
const update = (id: string, body: Record<string, unknown>) =>
  updateProfile(db, tenantId, id, UpdateProfileRequest.parse(body), appOrigin(now));
const phoneTaken = { code: "conflict", issues: [{ path: "phone", message: expect.stringMatching(/prove it/) }] };
const identitiesNamed = (value: string) => db.customerIdentity.findMany({ where: { tenantId, value } });

describe("an unproven phone another customer holds", () => {
  it("is refused at registration: no account is created, the holder keeps the number", async () => {
    const phone = freshPhone();
    const holder = await register({ externalIdentity: apple(), phone, phoneVerified: true });
    const ext = apple();

    await expect(register({ externalIdentity: ext, phone: typed(phone) })).rejects.toMatchObject(phoneTaken);

    expect(await identitiesNamed(ext.subject)).toEqual([]);
    expect(await identitiesNamed(phone)).toEqual([expect.objectContaining({ customerId: holder.customer.id })]);
    expect(await db.customer.count({ where: { tenantId, phone } })).toBe(1);
  });

  it("is refused when a till's customer named by the sign-in identity becomes the app account", async () => {
    const phone = freshPhone();
    await register({ phone, phoneVerified: true });
    const ext = apple();
    // The bare customer a kiosk's batch creates for a sign-in identity it does not know.
    const [resolved] = await db.$transaction((tx) =>
      resolveCustomers(tx, [{ tenantId, ref: { externalIdentity: ext }, create: true, createdVia: "kiosk" }]),
    );
    const till = (resolved as { customerId: string }).customerId;

    await expect(register({ externalIdentity: ext, phone })).rejects.toMatchObject(phoneTaken);

    expect(await readProfile(db, tenantId, till)).toMatchObject({ phone: null, registeredAt: null });
  });

  it("is refused on a profile change; the customer's own number and a proven one are not", async () => {
    const phone = freshPhone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 800 }, now));
    const holder = (await db.customer.findFirstOrThrow({ where: { tenantId, phone, createdVia: "pos" } })).id;
    const other = (await register({ externalIdentity: apple(), name: "Other" })).customer.id;

    await expect(update(other, { phone: typed(phone), name: "Renamed" })).rejects.toMatchObject(phoneTaken);
    expect(await readProfile(db, tenantId, other)).toMatchObject({ phone: null, name: "Other" });

    expect((await update(holder, { phone, name: "Holder" })).changed).toEqual(["name"]);
    const proven = await update(other, { phone, phoneVerified: true });
    expect(proven).toMatchObject({ mergedCustomerIds: [holder], customer: { id: other, phone, phoneVerified: true } });
  });

  it("is waited for while another registration proves it, then refused", async () => {
    const phone = freshPhone();
    let holder = "";
    const refused = raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      async (tx) => {
        const held = await registerCustomer(
          tx,
          tenantId,
          RegisterCustomerRequest.parse({ externalIdentity: apple(), phone, phoneVerified: true }),
          appOrigin(now),
        );
        holder = held.customer.id;
      },
      () => register({ externalIdentity: apple(), phone }),
      "the unproven registration",
    );

    await expect(refused).rejects.toMatchObject(phoneTaken);
    expect(await identitiesNamed(phone)).toEqual([expect.objectContaining({ customerId: holder })]);
  });
});

describe("an unproven phone only typed on another customer's profile", () => {
  it("is no one's yet: both keep it unproven, and the first to prove it holds it", async () => {
    const phone = freshPhone();
    const first = await register({ externalIdentity: apple(), phone });
    const second = await register({ externalIdentity: apple(), phone: typed(phone) });
    expect(second).toMatchObject({ outcome: "created", customer: { phone, phoneVerified: false } });
    expect(second.customer.id).not.toBe(first.customer.id);
    expect(await identitiesNamed(phone)).toEqual([]);

    await update(second.customer.id, { phone, phoneVerified: true });
    await expect(register({ externalIdentity: apple(), phone })).rejects.toMatchObject(phoneTaken);
  });
});
