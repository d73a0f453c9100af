import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId, ulid } from "@regulars/ids";
import { customerBalances } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentConsents, foldPhoneSpellings, registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";

// Customers split before every look-up knew a number's two spellings: a till's customer under `+480604100077`, the
// app's account under `+48604100077`. Folding merges the till's into the app's, once.

let db: Db;
const now = new Date();
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3_600_000);
const origin = { actor: "cli", source: "fold-phone-spellings", now };

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const zeroSpelled = "+480604100077";
const valid = "+48604100077";

/** The split as it was stored: each customer holding one spelling, with points of its own. */
async function splitPerson(name: string) {
  const { tenantId } = await loyaltyTenant(db, name);
  const till = newId("customer");
  await db.customer.create({ data: { id: till, tenantId, phone: zeroSpelled, createdVia: "pos" } });
  await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: zeroSpelled, customerId: till } });
  await applyAtTill(db, now, tillMessage(tenantId, { phone: zeroSpelled, total: 1500 }, now, 60 * 24));
  const request = { externalIdentity: { provider: "google", subject: newId("request") } };
  const app = (await registerCustomer(db, tenantId, RegisterCustomerRequest.parse(request), appOrigin(now))).customer
    .id;
  await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: valid, customerId: app } });
  await applyAtTill(db, now, tillMessage(tenantId, { customerId: app, total: 700 }, now, 60 * 24));
  return { tenantId, till, app };
}

describe("foldPhoneSpellings", () => {
  it("merges the 0-spelling's customer into the valid spelling's, points and all, and then merges nothing", async () => {
    const { tenantId, till, app } = await splitPerson("Fold Split");
    expect(await customerBalances(db, tenantId, till)).toMatchObject({ points: 15 });
    const split = { tenantId, phone: valid, survivorId: app, otherSpelling: zeroSpelled, mergedId: till };

    expect(await foldPhoneSpellings(db, { tenantId, dryRun: true, origin })).toEqual([{ kind: "would_merge", split }]);
    expect(await db.customerMerge.count({ where: { tenantId } })).toBe(0);

    const told: unknown[] = [];
    const folded = await foldPhoneSpellings(db, { tenantId, origin, onOutcome: (o) => told.push(o) });

    expect(folded).toEqual([{ kind: "merged", split }]);
    expect(told).toEqual(folded);
    expect(await customerBalances(db, tenantId, app)).toMatchObject({ points: 22 });
    expect(await customerBalances(db, tenantId, till)).toMatchObject({ points: 0 });
    expect(await db.customerMerge.findMany({ where: { tenantId } })).toEqual([
      expect.objectContaining({ mergedId: till, intoId: app }),
    ]);
    expect(
      await db.customerIdentity.findMany({
        where: { tenantId, kind: "phone" },
        select: { value: true, customerId: true },
      }),
    ).toEqual([{ value: valid, customerId: app }]);

    expect(await foldPhoneSpellings(db, { tenantId, origin })).toEqual([]);
    expect(await db.customerMerge.count({ where: { tenantId } })).toBe(1);
  });

  it("keeps the latest consent choice of either spelling's customer in force: a withdrawal on the till's stands", async () => {
    const { tenantId, till, app } = await splitPerson("Fold Consents");
    const choice = (customerId: string, granted: boolean, at: Date, source: string) => ({
      id: `cns_${ulid()}`,
      tenantId,
      customerId,
      channel: "sms",
      purpose: "marketing",
      granted,
      source,
      occurredAt: at,
      recordedAt: at,
    });
    await db.customerConsent.createMany({
      data: [
        choice(app, true, daysAgo(30), "app:onboarding"),
        choice(till, true, daysAgo(30), "kiosk"),
        choice(till, false, daysAgo(1), "sms:stop"),
        // The survivor's latest choice outranks the other's older one where it is the later.
        choice(app, false, daysAgo(3), "app"),
        choice(till, true, daysAgo(10), "kiosk"),
      ].map((c, i) => (i < 3 ? c : { ...c, channel: "email" })),
    });
    const changedBefore = (await outboxOf(db, tenantId, "consent.changed")).length;

    await foldPhoneSpellings(db, { tenantId, origin });

    const inForce = (await currentConsents(db, tenantId, app)).map((c) => [`${c.channel}/${c.purpose}`, c.granted]);
    expect(Object.fromEntries(inForce)).toEqual({ "sms/marketing": false, "email/marketing": false });
    // Nothing recorded again in the survivor's name, and the withdrawal the survivor now holds is announced.
    expect(await db.customerConsent.count({ where: { tenantId, source: "merge" } })).toBe(0);
    const changed = (await outboxOf(db, tenantId, "consent.changed")).slice(changedBefore);
    expect(changed).toEqual([expect.objectContaining({ customerId: app, channel: "sms", granted: false })]);
  });

  it("leaves alone a number whose two spellings one customer holds, and numbers that do not fold", async () => {
    const { tenantId } = await loyaltyTenant(db, "Fold Nothing");
    const one = newId("customer");
    const italian = newId("customer");
    await db.customer.createMany({
      data: [one, italian].map((id) => ({ id, tenantId, createdVia: "pos" })),
    });
    await db.customerIdentity.createMany({
      data: [
        { tenantId, kind: "phone", value: zeroSpelled, customerId: one },
        { tenantId, kind: "phone", value: valid, customerId: one },
        // Italy's 0 belongs to the number: +39612345678 is another (invalid) number, not this one's spelling.
        { tenantId, kind: "phone", value: "+390612345678", customerId: italian },
        { tenantId, kind: "phone", value: "+39612345678", customerId: one },
      ],
    });

    expect(await foldPhoneSpellings(db, { tenantId, origin })).toEqual([]);
  });
});
