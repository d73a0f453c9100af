import type { Db } from "@regulars/db";
import { resolveCustomers } from "@regulars/ledger-store";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentHistory, enrolAtTill, type TillEnrolment } from "../src/index.ts";
import { applyAtTill, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";

// A till signs a customer up by phone with the consents they gave at the counter: found or created as the ledger
// creates a till's customer, consents kept with the till as their source, the creation announced as an enrolment.

let db: Db;
const now = new Date();
const till = { actor: "key_pos", via: "pos" as const, now };

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const phone = () => `+4860460${String(now.getTime() % 1000).padStart(3, "0")}${String(++n).padStart(1, "0")}`;
const enrolment = (p: string, consents: TillEnrolment["consents"] = []): TillEnrolment => ({
  phone: p,
  locationId: "store-017",
  consents,
});
const smsYes = [
  { channel: "sms", purpose: "marketing", granted: true },
  { channel: "email", purpose: "marketing", granted: false },
] as const satisfies TillEnrolment["consents"];

const historyOf = async (tenantId: string, customerId: string) =>
  (await consentHistory(db, tenantId, customerId, { limit: 50 })).items;
const createdEvents = async (tenantId: string) => outboxOf(db, tenantId, "customer.created");

describe("enrolAtTill", () => {
  it("creates the phone's customer with the till's consents and announces both, once", async () => {
    const { tenantId } = await loyaltyTenant(db, "Enrol Create");
    const p = phone();

    const first = await enrolAtTill(db, tenantId, enrolment(p, [...smsYes]), till);

    expect(first).toEqual({ customerId: expect.stringMatching(/^cus_/), created: true });
    const row = await db.customer.findUniqueOrThrow({ where: { id: first.customerId } });
    expect(row).toMatchObject({ tenantId, phone: p, createdVia: "pos" });
    expect(await historyOf(tenantId, first.customerId)).toEqual(
      expect.arrayContaining(
        smsYes.map((c) => expect.objectContaining({ ...c, source: "till:store-017", actor: "key_pos" })),
      ),
    );
    expect(await createdEvents(tenantId)).toEqual([
      expect.objectContaining({
        customerId: first.customerId,
        cause: "enrolment",
        via: "pos",
        identity: "phone",
        fields: ["phone"],
      }),
    ]);
    expect(await outboxOf(db, tenantId, "consent.changed")).toEqual(
      expect.arrayContaining(smsYes.map((c) => expect.objectContaining({ ...c, source: "till:store-017" }))),
    );

    const again = await enrolAtTill(db, tenantId, enrolment(p, [...smsYes]), { ...till, now: new Date(+now + 60_000) });

    expect(again).toEqual({ customerId: first.customerId, created: false });
    expect(await historyOf(tenantId, first.customerId)).toHaveLength(2);
    expect(await createdEvents(tenantId)).toHaveLength(1);
    expect(await outboxOf(db, tenantId, "consent.changed")).toHaveLength(2);
  });

  it("finds the customer a sale created and only adds the consents", async () => {
    const { tenantId } = await loyaltyTenant(db, "Enrol Existing");
    const p = phone();
    await applyAtTill(db, now, tillMessage(tenantId, { phone: p, total: 900 }, now));
    const owner = await db.customerIdentity.findFirstOrThrow({ where: { tenantId, kind: "phone", value: p } });

    const enrolled = await enrolAtTill(db, tenantId, enrolment(p, [smsYes[0]]), till);

    expect(enrolled).toEqual({ customerId: owner.customerId, created: false });
    expect(await historyOf(tenantId, owner.customerId)).toEqual([
      expect.objectContaining({ channel: "sms", purpose: "marketing", granted: true, source: "till:store-017" }),
    ]);
    expect((await createdEvents(tenantId)).map((e) => e.cause)).toEqual(["sale"]);
  });

  it("takes the ledger's customer when a sale creates the same phone at the same moment", async () => {
    const { tenantId } = await loyaltyTenant(db, "Enrol Race");
    const p = phone();
    let ledgers = "";
    // The ledger's batch creates the phone's customer and holds it uncommitted; the enrolment, which found no owner,
    // waits on the identity's key and then takes the ledger's customer.
    const enrolled = await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      async (tx) => {
        const [resolved] = await resolveCustomers(tx, [
          { tenantId, ref: { phone: p }, create: true, createdVia: "pos" },
        ]);
        ledgers = (resolved as { customerId: string }).customerId;
      },
      () => enrolAtTill(db, tenantId, enrolment(p, [smsYes[0]]), till),
      "the enrolment",
    );

    expect(enrolled).toEqual({ customerId: ledgers, created: false });
    expect(await db.customer.count({ where: { tenantId, phone: p } })).toBe(1);
    expect(await historyOf(tenantId, ledgers)).toHaveLength(1);
    expect(await createdEvents(tenantId)).toEqual([]);
  });

  it("a customer whose data was erased is not found, as the consents route answers", async () => {
    const { tenantId } = await loyaltyTenant(db, "Enrol Erased");
    const p = phone();
    const { customerId } = await enrolAtTill(db, tenantId, enrolment(p), till);
    await db.customer.update({ where: { id: customerId }, data: { erasedAt: now } });

    await expect(enrolAtTill(db, tenantId, enrolment(p, [smsYes[0]]), till)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await historyOf(tenantId, customerId)).toEqual([]);
  });
});
