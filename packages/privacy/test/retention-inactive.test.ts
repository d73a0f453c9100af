import { ProgrammeConfig, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { applyEventBatch } from "@regulars/ledger-store";
import { createLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyRetention, setRetention } from "../src/index.ts";

// "Erase customers inactive for N months" judges activity by more than purchases: a customer who earns action points,
// changes a consent or opens the messages without buying is not inactive, and an erasure cannot be undone.

let db: Db;
const log = createLogger({ level: "silent" });
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
let n = 0;
const tag = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

/** A tenant erasing customers inactive for 12 months, whose programme pays 50 points for a feedback. */
async function tenantErasingAfterAYear(name: string) {
  const { tenantId } = await testTenant(db, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({
        rules: [
          { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
          { id: "feedback", type: "action", event: "feedback_submitted", points: 50, limit: "per_event" },
        ],
      }),
      createdBy: "test",
    },
  });
  await setRetention(db, tenantId, { eraseInactiveMonths: 12 }, "key_admin");
  return tenantId;
}

/** An app customer who registered 800 days before `now` and never bought anything. */
async function longAgoMember(tenantId: string, now: Date) {
  const since = new Date(now.getTime() - 800 * DAY);
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "brand", subject: `s-${tag()}` } }),
    { actor: "key_app", source: "app", now: since },
  );
  await db.customer.update({ where: { id: customer.id }, data: { createdAt: since } });
  await db.customerProfile.updateMany({ where: { customerId: customer.id }, data: { updatedAt: since } });
  return customer.id;
}

const erasedAt = async (customerId: string) =>
  (await db.customer.findUniqueOrThrow({ where: { id: customerId } })).erasedAt;

describe("apply-retention's inactive customers", () => {
  it("keeps a customer whose only activity within the period is an app event that paid action points", async () => {
    const tenantId = await tenantErasingAfterAYear("Feedback Retention Burgers");
    const now = new Date();
    const customerId = await longAgoMember(tenantId, now);
    const eventId = `E-${tag()}`;
    const event = {
      eventId,
      type: "feedback_submitted",
      occurredAt: new Date(now.getTime() - DAY).toISOString(),
      customer: { id: customerId },
      channel: "app" as const,
      properties: {},
    };
    await applyEventBatch(db, new ProgrammeCache(db, 0), [
      { tenantId, id: stableId("event", tenantId, eventId), receivedAt: event.occurredAt, event },
    ]);
    expect(await db.ledgerMovement.count({ where: { tenantId, customerId, kind: "bonus" } })).toBe(1);

    expect(await applyRetention({ db, log, tenantId, now })).toEqual({ acted: 0, outbox: [] });
    expect(await erasedAt(customerId)).toBeNull();
  });

  it("keeps a customer whose only activity within the period is a consent change", async () => {
    const tenantId = await tenantErasingAfterAYear("Consent Retention Burgers");
    const now = new Date();
    const customerId = await longAgoMember(tenantId, now);
    await setConsents(
      db,
      tenantId,
      customerId,
      {
        consents: [{ channel: "email", purpose: "marketing", granted: false }],
        occurredAt: new Date(now.getTime() - DAY).toISOString(),
      },
      { actor: "key_app", source: "app", now },
    );

    expect(await applyRetention({ db, log, tenantId, now })).toEqual({ acted: 0, outbox: [] });
    expect(await erasedAt(customerId)).toBeNull();
  });

  it("still erases a customer inactive all period, whose points the programme expired meanwhile", async () => {
    const tenantId = await tenantErasingAfterAYear("Dormant Retention Burgers");
    const now = new Date();
    const customerId = await longAgoMember(tenantId, now);
    const consentedAt = new Date(now.getTime() - 500 * DAY);
    await setConsents(
      db,
      tenantId,
      customerId,
      { consents: [{ channel: "sms", purpose: "marketing", granted: true }], occurredAt: consentedAt.toISOString() },
      { actor: "key_app", source: "app", now: consentedAt },
    );
    // An expiry is the programme acting on an inactive customer, not the customer acting.
    await db.ledgerMovement.create({
      data: {
        id: `mov_${tag()}`,
        tenantId,
        customerId,
        kind: "expire",
        unit: "points",
        amount: -5n,
        idempotencyKey: `expire:inactive:${customerId}`,
        occurredAt: new Date(now.getTime() - DAY),
      },
    });

    const pass = await applyRetention({ db, log, tenantId, now });
    expect(pass.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect(await erasedAt(customerId)).toEqual(now);
  });
});
