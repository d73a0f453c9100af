import { recordAudit } from "@regulars/audit";
import { type ConsentStatement, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer, requireCustomerLocked, setConsents } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, erasedText, finishErasures, postgresTextHits } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// Erasure deletes the consent history (README, "Consent proof vs erasure"): the audit rows of an admin recording the
// customer's choices must not keep a copy of it.

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

const tag = () => Math.random().toString(36).slice(2, 10);

/**
 * What `setConsentsAsAdmin` of @regulars/procedures (`customers.setConsents`) writes: the consents, and in the same
 * transaction its audit row. That package depends on this one, so its steps are repeated here.
 */
async function setConsentsAsAdmin(
  tenantId: string,
  input: { customerId: string; consents: ConsentStatement[]; source: string; occurredAt: string },
  now: Date,
) {
  const { consents, source, occurredAt } = input;
  await withTransaction(db, async (tx) => {
    const customerId = await requireCustomerLocked(tx, tenantId, input.customerId);
    await setConsents(tx, tenantId, customerId, { consents, occurredAt }, { actor: "staff_manager", source, now });
    await recordAudit(tx, {
      tenantId,
      actor: "staff_manager",
      action: "customers.setConsents",
      target: customerId,
      details: { consents, source, occurredAt },
    });
  });
}

async function customerWithConsentHistory() {
  const { tenantId } = await privacyTenant(db, "Consent Audit Burgers");
  const now = new Date();
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "app", subject: `consents-${tag()}` } }),
    { actor: "key_app", source: "app", now },
  );
  const customerId = customer.id;
  const source = `store:paper-form-${tag()}`;
  const givenAt = new Date(now.getTime() - 60 * 60_000).toISOString();
  const withdrawnAt = new Date(now.getTime() - 60_000).toISOString();
  const given: ConsentStatement[] = [
    { channel: "sms", purpose: "marketing", granted: true },
    { channel: "email", purpose: "profiling", granted: false },
  ];
  await setConsentsAsAdmin(tenantId, { customerId, consents: given, source, occurredAt: givenAt }, now);
  const withdrawn: ConsentStatement[] = [{ channel: "sms", purpose: "marketing", granted: false }];
  await setConsentsAsAdmin(tenantId, { customerId, consents: withdrawn, source, occurredAt: withdrawnAt }, now);
  return { tenantId, customerId, source, times: [givenAt, withdrawnAt] };
}

const consentAudits = (tenantId: string, customerId: string) =>
  db.auditLog.findMany({
    where: { tenantId, target: customerId, action: "customers.setConsents" },
    orderBy: { id: "asc" },
    select: { id: true, actor: true, action: true, target: true, details: true },
  });

describe("erasure of the consent choices an admin recorded", () => {
  it("redacts the choices and their source in the audit rows, keeping ids, action, time and the count", async () => {
    const { tenantId, customerId, source, times } = await customerWithConsentHistory();
    expect(await postgresTextHits(db, [source])).toEqual(expect.arrayContaining(["audit_log.details"]));
    const before = await consentAudits(tenantId, customerId);
    expect(before).toHaveLength(2);

    await eraseCustomer({ db }, tenantId, customerId, { actor: "key_admin", cause: "request", now: new Date() });

    expect(await db.customerConsent.count({ where: { tenantId, customerId } })).toBe(0);
    expect(await postgresTextHits(db, [source])).not.toContain("audit_log.details");
    const after = await consentAudits(tenantId, customerId);
    expect(after).toEqual(
      before.map((row, i) => ({
        ...row,
        details: { consents: erasedText, source: erasedText, choices: [2, 1][i], occurredAt: times[i] },
      })),
    );
    // Not a single choice left: neither a channel nor what the customer said.
    for (const { details } of after)
      expect(JSON.stringify(details)).not.toMatch(/sms|email|marketing|profiling|granted/);
  });

  it("leaves redacted rows as they are on the sweep of recent erasures", async () => {
    const { tenantId, customerId } = await customerWithConsentHistory();
    await eraseCustomer({ db, analytics }, tenantId, customerId, {
      actor: "key_admin",
      cause: "request",
      now: new Date(),
    });
    const redacted = await consentAudits(tenantId, customerId);

    const log = { warn() {} } as never;
    await finishErasures({ db, log, tenantId, now: new Date(), analytics });
    expect(await consentAudits(tenantId, customerId)).toEqual(redacted);
    const erasure = await db.auditLog.findFirstOrThrow({
      where: { tenantId, action: "privacy.erase" },
      orderBy: { id: "asc" },
    });
    expect(erasure.details).toMatchObject({ redacted: { audit_log: 2 } });
  });
});
